"""``metricaudit.compare()``: two runs under one convention, and whether what is left of
their gap is significant (``docs/compare.md``).

One implementation: ``run_compare`` and the compare writers of ``audit/`` (C++), bound.
The report's attributes are read from the JSON writer's document, so they carry the
members and names ``docs/compare.md`` documents and nothing is computed twice.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _core
from ._audit import PathLike, Record, _Report, _wrap

PairSpec = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


class CompareReport(_Report):
    """What ``metricaudit compare A B`` reports.

    - ``comparisons``: one :class:`~metricaudit.Record` per pair of metrics and shared epoch
      (``kind``, ``split``, ``epoch``, ``a`` and ``b`` with ``metric``, ``logged``,
      ``explained_by``, ``common``; ``difference`` (B - A), ``ci95``, ``p_value``, ``test``,
      ``verdict``, ``reason``...); ``judged``: those that got a verdict;
    - ``verdicts``: ``{(kind, split): verdict}`` of the judged ones;
    - ``runs``, ``notes``, ``unpaired``, ``warnings``, ``summary``, ``alpha``, ``tool_version``;
    - ``exit_status``: 1 when a judged pair is ``real``, else 0;
    - ``to_dict()``, ``to_json()``: the JSON document; ``to_text()`` / ``str()``: the text
      report; ``to_html()``: the self-contained HTML page (needs matplotlib).
    """

    @property
    def comparisons(self) -> List[Record]:
        return _wrap(self._data["comparisons"])

    @property
    def judged(self) -> List[Record]:
        return [c for c in self.comparisons if c.judged]

    @property
    def verdicts(self) -> Dict[Tuple[str, str], str]:
        return {(c.kind, c.split): c.verdict for c in self.judged}

    @property
    def runs(self) -> Record:
        return Record(self._data["runs"])

    @property
    def notes(self) -> List[str]:
        return list(self._data["notes"])

    @property
    def unpaired(self) -> List[str]:
        return list(self._data["unpaired"])

    @property
    def alpha(self) -> float:
        return float(self._data["alpha"])

    def to_text(self, *, colour: bool = False) -> str:
        """The text report ``metricaudit compare`` prints."""
        return str(self._report.text(colour=colour))

    def to_html(self) -> str:
        """The HTML page ``metricaudit compare --format html`` writes."""
        from ._html import render_compare

        return render_compare(self.to_dict())

    def __repr__(self) -> str:
        v = self._data["summary"]["verdicts"]
        shown = ", ".join(f"{n} {k}" for k, n in v.items())  # the C++ report's order
        return f"<CompareReport {shown}; exit_status {self.exit_status}>"


def _pairs(pair: Optional[PairSpec]) -> List[Tuple[str, str]]:
    if pair is None:
        return []
    items = pair.items() if isinstance(pair, Mapping) else pair
    out = []
    for item in items:
        a, b = item
        out.append((str(a), str(b)))
    return out


def compare(
    a: PathLike,
    b: PathLike,
    *,
    preds_a: Optional[PathLike] = None,
    preds_b: Optional[PathLike] = None,
    pair: Optional[PairSpec] = None,
    metric: Optional[Mapping[str, str]] = None,
    alpha: float = 0.05,
    min_effect: float = 0.0,
    convention: Optional[str] = None,
    epoch: Union[int, str] = "last",
    eval_size: Optional[int] = None,
    num_classes: Optional[int] = None,
) -> CompareReport:
    """Compares two runs (log files or run directories) as ``metricaudit compare A B``.

    Options are the command's: ``preds_a`` / ``preds_b`` (dump folders; default
    ``<run>/predictions``), ``pair={"val_accuracy": "val_acc"}`` (or a list of pairs) for
    ``--pair``, ``metric={"score": "accuracy"}`` for ``--metric``, ``alpha``, ``min_effect`` (a
    significant difference whose interval lies within ``±min_effect`` is ``negligible``, not
    ``real``), ``convention``
    (a catalogue id), ``epoch`` (``"last"``, ``"all"`` or an epoch number), ``eval_size``,
    ``num_classes``. Differences are B - A. Raises ``metricaudit.InputError`` (a
    ``ValueError``) for an unreadable log or dump and ``ValueError`` for a bad option (an
    unknown pair name or convention, no metric in common).
    """
    epoch_number: Optional[int] = None
    if epoch == "all":
        all_epochs = True
    elif epoch == "last":
        all_epochs = False
    elif isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0:
        all_epochs, epoch_number = False, epoch
    else:
        raise ValueError(f"epoch: expected 'last', 'all' or an epoch number >= 0, got {epoch!r}")
    return CompareReport(
        _core.run_compare(
            os.fspath(a),
            os.fspath(b),
            preds_a=None if preds_a is None else os.fspath(preds_a),
            preds_b=None if preds_b is None else os.fspath(preds_b),
            pairs=_pairs(pair),
            metric_kinds=dict(metric or {}),
            alpha=float(alpha),
            min_effect=float(min_effect),
            convention=convention or "",
            epoch=epoch_number,
            all_epochs=all_epochs,
            eval_size=eval_size,
            num_classes=num_classes,
        )
    )
