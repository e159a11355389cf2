"""The ``metricaudit`` command (``audit``, ``explain``), as installed by ``pip install``.

Everything is the C++ command (``audit/cli``), bound: the same options, output and
exit status as the CMake-built ``metricaudit``. What Python adds is the process
boundary that ``audit/main.cpp`` handles there: the output goes to ``sys.stdout`` /
``sys.stderr`` (so a notebook or pytest's capture sees it), and colour and progress
lines follow ``isatty()`` and ``NO_COLOR`` as main.cpp reads them.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Optional, Sequence, TextIO

from . import _core, _html


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty(), or a closed stream
        return False


def run(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Runs ``metricaudit ARGV...`` in this process and returns its exit status:
    0 no findings, 1 findings (warning or error), 2 usage or input error.
    ``argv`` excludes the program name (default: ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    no_color = os.environ.get("NO_COLOR", "") != ""
    return int(
        _core.run_command(
            [os.fsdecode(a) for a in args],
            out,
            err,
            stdout_is_tty=_isatty(out),
            stderr_is_tty=_isatty(err),
            no_color=no_color,
            html=_html.render_json,  # --format html: the page drawn from the JSON report
        )
    )


def main() -> None:
    """Console-script entry point: ``sys.exit(run())``."""
    # A closed reader (`metricaudit audit RUN | head`) ends the process with SIGPIPE, as
    # it ends the C++ command, instead of a Python traceback.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(run())
