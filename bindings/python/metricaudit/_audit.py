"""``metricaudit.audit()``: the audit command's audit, as a Python call.

One implementation: ``run_audit`` and the report writers of ``audit/`` (C++), bound.
The report's attributes are read from the JSON writer's document, so they carry the
members and names of ``docs/audit-json-schema.md`` and nothing is computed twice.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

from . import _core

#: A log or a prediction dump that cannot be read: the message names the file and
#: line (or byte offset) and what was expected. A ``ValueError``.
InputError = _core.InputError

PathLike = Union[str, "os.PathLike[str]"]

_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class Record(Mapping[str, Any]):
    """One object of the report (a finding, a point, a candidate): its JSON members as
    attributes (``finding.rule``, ``point.point.value``) and as a read-only mapping.
    A member written as ``null`` with a ``nonfinite`` entry (NaN, infinity) reads as
    that float; ``to_dict()`` returns the JSON object unchanged."""

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        data = object.__getattribute__(self, "_data")
        if name not in data:
            raise AttributeError(f"{type(self).__name__} has no member {name!r}")
        return self[name]

    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        nonfinite = self._data.get("nonfinite") or {}
        if value is None and key in nonfinite:
            return _NONFINITE[nonfinite[key]]
        return _wrap(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __dir__(self) -> List[str]:
        return sorted(set(self._data) | {"to_dict"})

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object, as ``json.loads`` gives it (a deep copy)."""
        return json.loads(json.dumps(self._data))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._data.items() if not isinstance(v, (dict, list)))
        return f"Record({shown})"


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


class _Report:
    """What the audit and compare reports share: the bound C++ report, its JSON document
    (read once; every attribute is a member of it), the exit status and the writers'
    documents."""

    def __init__(self, report: Any) -> None:
        self._report = report
        self._json = report.json()
        self._data: Dict[str, Any] = json.loads(self._json)

    @property
    def exit_status(self) -> int:
        return int(self._report.exit_status)

    @property
    def warnings(self) -> List[str]:
        return list(self._data["warnings"])

    @property
    def summary(self) -> Record:
        return Record(self._data["summary"])

    @property
    def tool_version(self) -> str:
        return str(self._data["tool_version"])

    def to_dict(self) -> Dict[str, Any]:
        """The report as its JSON schema describes it (``json.loads`` of ``to_json()``)."""
        return json.loads(self._json)

    def to_json(self) -> str:
        """The document the command writes with ``--format json``."""
        return str(self._json)

    def __str__(self) -> str:
        return str(self.to_text())  # type: ignore[attr-defined]


class AuditReport(_Report):
    """What ``metricaudit audit`` reports, for one log or run directory.

    - ``findings``, ``points``, ``undecided``, ``warnings``, ``logs``, ``predictions``,
      ``summary``, ``tool_version``: the members of the JSON report
      (``docs/audit-json-schema.md``), findings and points as :class:`Record`\\ s;
    - ``exit_status``: what the command would exit with (0 clean, 1 findings);
    - ``to_dict()``: the JSON document; ``to_json()``, ``to_sarif()``: the documents
      ``--format json`` / ``--format sarif`` write;
    - ``str(report)``: the text report (``to_text(summary=True)`` leaves out the tables).
    """

    @property
    def findings(self) -> List[Record]:
        return _wrap(self._data["findings"])

    @property
    def points(self) -> List[Record]:
        return _wrap(self._data["points"])

    @property
    def undecided(self) -> List[str]:
        return list(self._data["undecided"])

    @property
    def logs(self) -> List[Record]:
        return _wrap(self._data["logs"])

    @property
    def predictions(self) -> Optional[str]:
        return self._data["predictions"]

    def to_sarif(self) -> str:
        """The document ``metricaudit audit --format sarif`` writes."""
        return str(self._report.sarif())

    def to_html(self) -> str:
        """The HTML page ``metricaudit audit --format html`` writes (needs matplotlib)."""
        from ._html import render_audit

        return render_audit(self.to_dict())

    def to_text(self, *, summary: bool = False, colour: bool = False) -> str:
        """The text report; ``summary=True`` as ``--summary`` (no per-metric tables)."""
        return str(self._report.text(colour=colour, points_table=not summary))

    def __repr__(self) -> str:
        s = self._data["summary"]
        return (
            f"<AuditReport {s['findings']} findings ({s['errors']} errors, {s['warnings']} warnings, "
            f"{s['notes']} notes), {s['points']} points, {s['undecided']} undecided; "
            f"exit_status {self.exit_status}>"
        )


def audit(
    path: PathLike,
    *,
    preds: Optional[PathLike] = None,
    log_format: str = "auto",
    num_classes: Optional[int] = None,
    eval_size: Optional[int] = None,
    batch_size: Optional[int] = None,
    metric: Optional[Mapping[str, str]] = None,
) -> AuditReport:
    """Audits a training log or a run directory, as ``metricaudit audit PATH`` does.

    The options are the command's: ``preds`` (``--preds DIR``, default
    ``<run>/predictions``), ``log_format`` (``--log-format``), ``num_classes``,
    ``eval_size``, ``batch_size``, and ``metric={"val_acc": "accuracy"}`` for the
    repeatable ``--metric NAME=KIND``. Raises :class:`InputError` (a ``ValueError``)
    naming the file and line for an unreadable log or dump, and ``ValueError`` for a
    bad option.
    """
    return AuditReport(
        _core.run_audit(
            os.fspath(path),
            preds=None if preds is None else os.fspath(preds),
            log_format=log_format,
            num_classes=num_classes,
            eval_size=eval_size,
            batch_size=batch_size,
            metric_kinds=dict(metric or {}),
        )
    )
