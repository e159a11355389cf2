"""The JSON reports the HTML tests render: from the command scripts/build built
(build/$BUILD_PRESET/audit/metricaudit, release by default, or $METRICAUDIT_BINARY)."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any, Dict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(*args: str) -> Dict[str, Any]:
    preset = os.environ.get("BUILD_PRESET", "release")
    binary = os.environ.get("METRICAUDIT_BINARY",
                            os.path.join(ROOT, "build", preset, "audit", "metricaudit"))
    done = subprocess.run([binary, *args, "--format", "json"], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def audit_json(run: str) -> Dict[str, Any]:
    return _run("audit", run)


def compare_json(a: str, b: str) -> Dict[str, Any]:
    return _run("compare", a, b)
