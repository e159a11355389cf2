"""The JSON reports the HTML tests render, from the package's own calls."""

from __future__ import annotations

from typing import Any, Dict

import metricaudit


def audit_json(run: str) -> Dict[str, Any]:
    return metricaudit.audit(run).to_dict()


def compare_json(a: str, b: str) -> Dict[str, Any]:
    return metricaudit.compare(a, b).to_dict()
