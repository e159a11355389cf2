"""explain(): one input read under every convention of the catalogue."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any, Iterable

from . import _core, _inputs

ArrayLike = Any


@dataclass(frozen=True)
class ExplainRow:
    """One convention's reading: stable id, what it computes, its value, who computes it so."""

    id: str
    description: str
    value: float
    libraries: str
    unavailable: str = ""
    convention: str = ""

    def __str__(self) -> str:
        return f"{self.id}: {_format(self.value)} ({self.libraries})"


def _format(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.6g}"


class Explanation(list):  # list[ExplainRow]
    """A list of :class:`ExplainRow` whose ``str()`` is a table."""

    def __init__(self, rows: Iterable[ExplainRow], title: str = "") -> None:
        super().__init__(rows)
        self.title = title

    def by_id(self, id: str) -> ExplainRow:
        for row in self:
            if row.id == id:
                return row
        raise KeyError(id)

    def __str__(self) -> str:
        rows: list[ExplainRow] = list(self)
        id_width = max([len("convention")] + [len(r.id) for r in rows])
        value_width = max([len("value")] + [len(_format(r.value)) for r in rows])
        text_width = 64
        lines = []
        if self.title:
            lines.append(self.title)
        lines.append(f"{'convention':<{id_width}}  {'value':>{value_width}}  libraries")
        lines.append(f"{'-' * id_width}  {'-' * value_width}  {'-' * text_width}")
        for r in rows:
            text = r.libraries if not r.unavailable else f"{r.libraries} [n/a: {r.unavailable}]"
            wrapped = textwrap.wrap(text, text_width) or [""]
            lines.append(f"{r.id:<{id_width}}  {_format(r.value):>{value_width}}  {wrapped[0]}")
            pad = " " * (id_width + value_width + 4)
            lines.extend(pad + w for w in wrapped[1:])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Explanation({list.__repr__(self)})"


def rows_of(state: _core.MulticlassState, metric: str) -> Explanation:
    kind = "loss" if metric in ("loss", "cross_entropy") else "accuracy"
    if kind == "accuracy" and metric != "accuracy":
        raise ValueError(f"metric: expected 'accuracy' or 'loss', got {metric!r}")
    rows = [
        ExplainRow(
            id=c["id"],
            description=c["description"],
            value=float(c["value"]),
            libraries=c["libraries"],
            unavailable=c["unavailable"],
            convention=c["convention"].id,
        )
        for c in state.catalogue(kind)
    ]
    title = (
        f"{kind} of {state.samples} samples, {state.num_classes} classes, under every "
        "convention metricaudit knows"
    )
    return Explanation(rows, title)


def explain(
    preds: ArrayLike,
    target: ArrayLike,
    *,
    metric: str = "accuracy",
    num_classes: int | None = None,
    ignore_index: int | None = None,
    sample_weight: ArrayLike | None = None,
    threshold: float = 0.5,
    threads: int = 0,
) -> Explanation:
    """Every convention's value of ``metric`` (``"accuracy"`` or ``"loss"``) on one input.

    Returns an :class:`Explanation`: a list of :class:`ExplainRow` (id, description, value,
    libraries); ``print()`` it for a table. A convention the input cannot support (a loss on
    probabilities when the scores are logits) has value NaN and says why in ``unavailable``.

    Every row reads the scores as given: a row is a convention, not a library's whole
    computation. Where a library also casts the scores (Keras on jax flushes float32
    subnormals to zero and ranks -0 below +0 in its argmax: docs/conventions.md), its value
    on such scores is the profile's function, e.g. ``metricaudit.accuracy(preds, target,
    profile="keras")``: on ``[[0, 1e-40]]`` with target 1 the ``accuracy.micro`` row says
    1.0 and Keras 0.0.

    Example:
        >>> import numpy as np, metricaudit
        >>> preds = np.array([[1, 0, 0, 0], [1, 0, 0, 0]], dtype=np.float32)
        >>> table = metricaudit.explain(preds, np.array([0, 0]), num_classes=4)
        >>> table.by_id("accuracy.macro.absent_zero").value
        0.25
    """
    from ._options import infer_num_classes, multiclass_state, norm_int

    t = _inputs.labels(target, "target")
    p = _inputs.predictions(preds, "preds")
    num_classes = norm_int(num_classes, "num_classes")
    ignore_index = norm_int(ignore_index, "ignore_index")
    c = num_classes if num_classes is not None else infer_num_classes(p, t, ignore_index)
    loss = metric in ("loss", "cross_entropy")
    state = multiclass_state(
        num_classes,
        c,
        top_k=[1],
        ignore_index=ignore_index,
        threshold=float(threshold),
        losses=None if loss else [],
        smoothing_terms=False,
        threads=norm_int(threads, "threads", minimum=0, bits=32),
    )
    state.update(p, t, _inputs.weights(sample_weight))
    return rows_of(state, metric)
