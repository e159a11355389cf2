"""pytest configuration of the Python suite: prints how many values were compared per reference."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from _support import COMPARED, SKIPPED  # noqa: E402


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not COMPARED:
        return
    terminalreporter.section("metricaudit: values compared per reference")
    for name, n in sorted(COMPARED.items()):
        terminalreporter.write_line(f"{name:<60} {n:>7}")
    terminalreporter.write_line(f"{'total':<60} {sum(COMPARED.values()):>7}")
    if SKIPPED:
        terminalreporter.section("metricaudit: golden cases not compared, by reason")
        for reason, n in sorted(SKIPPED.items()):
            terminalreporter.write_line(f"{n:>6}  {reason}")
