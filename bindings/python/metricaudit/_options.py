"""Keyword normalisation and the readings shared by the functional API and Evaluator."""

from __future__ import annotations

import math
from typing import Any, Literal, Sequence, Union

import numpy as np

from . import _core

Task = Literal["multiclass", "binary", "multilabel"]
Result = Union[float, np.ndarray]


def norm_zero_division(value: Any) -> str | None:
    """Maps sklearn/torchmetrics spellings (0, 1, np.nan, "warn") to the core's names."""
    if value is None:
        return None
    if isinstance(value, str):
        v = value.lower()
        if v in ("warn", "zero", "0"):
            return "zero"
        if v in ("one", "1"):
            return "one"
        if v == "nan":
            return "nan"
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if f == 0.0:
            return "zero"
        if f == 1.0:
            return "one"
    raise ValueError(f"zero_division: expected 0, 1, nan or 'warn', got {value!r}")


def norm_average(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        names = ", ".join(repr(n) for n in _core.vocabulary()["average"])
        raise ValueError(
            f"average: expected one of {names}, got {value!r} "
            "(per-class values are average='none'; None means the profile's default)"
        )
    return value


def norm_class_weights(value: Any) -> list[float] | None:
    if value is None:
        return None
    a = np.asarray(value, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"class_weights: expected a 1-D sequence, got shape {a.shape}")
    return [float(x) for x in a]


def infer_task(preds: np.ndarray, target: np.ndarray) -> Task:
    """multilabel: 2-D preds and 2-D target; multiclass: 2-D scores with 1-D target, or
    1-D integer labels; binary: 1-D floating-point scores."""
    if preds.ndim == 2 and target.ndim == 2:
        return "multilabel"
    if preds.ndim == 2:
        return "multiclass"
    if preds.dtype.kind == "f":
        return "binary"
    return "multiclass"


def check_task(task: Any) -> Task | None:
    if task is None or task in ("multiclass", "binary", "multilabel"):
        return task
    raise ValueError(f"task: expected 'multiclass', 'binary' or 'multilabel', got {task!r}")


def infer_num_classes(preds: np.ndarray, target: np.ndarray, ignore_index: int | None) -> int:
    """C from the score matrix's width, or 1 + the largest label seen (labels only)."""
    if preds.ndim == 2:
        return int(preds.shape[1])
    t = target if ignore_index is None else target[target != ignore_index]
    largest = -1
    if t.size:
        largest = max(largest, int(t.max()))
    if preds.size:
        largest = max(largest, int(preds.max()))
    return max(1, largest + 1)


def state_top_k(top_k: int | None) -> list[int]:
    """The k values whose per-class counts a one-shot pass keeps."""
    if top_k is None or top_k == 1:
        return [1]
    if not isinstance(top_k, (int, np.integer)) or isinstance(top_k, bool):
        raise ValueError(f"top_k: expected an integer >= 1, got {top_k!r}")
    return [1, int(top_k)]


# ---- multi-class readings -----------------------------------------------------


def read_multiclass(
    state: _core.MulticlassState,
    metric: str,
    *,
    profile: str | None = None,
    average: str | None = None,
    absent: str | None = None,
    zero_division: Any = None,
    top_k: int | None = None,
    ties: str | None = None,
    topk_predicted: str | None = None,
    adjusted: bool | None = None,
    loss: str | None = None,
    weight_norm: str | None = None,
    class_weights: Sequence[float] | None = None,
    label_smoothing: float | None = None,
    reduction: str | None = None,
    sample_weighted: bool = True,
) -> Result:
    if metric == "confusion_matrix":
        return state.confusion_matrix()
    conv = _core.convention(
        metric,
        profile=profile,
        average=norm_average(average),
        absent=absent,
        zero_division=norm_zero_division(zero_division),
        top_k=None if top_k is None else int(top_k),
        ties=ties,
        topk_predicted=topk_predicted,
        adjusted=adjusted,
        loss=loss,
        weight_norm=weight_norm,
        class_weights=norm_class_weights(class_weights),
        label_smoothing=None if label_smoothing is None else float(label_smoothing),
        reduction=reduction,
        sample_weighted=sample_weighted,
    )
    if conv.average == "none":
        return state.read_per_class(conv)
    return float(state.read(conv))


# ---- binary / multilabel readings ---------------------------------------------


def read_labelwise(
    state: _core.LabelwiseState,
    metric: str,
    *,
    profile: str | None = None,
    average: str | None = None,
    absent: str | None = None,
    zero_division: Any = None,
    multilabel: str | None = None,
    reading: str | None = None,
    loss: str | None = None,
    reduction: str | None = None,
    sample_weighted: bool = True,
) -> Result:
    conv = _core.labelwise_convention(
        metric,
        profile=profile,
        average=norm_average(average),
        absent=absent,
        zero_division=norm_zero_division(zero_division),
        multilabel=multilabel,
        reading=reading,
        loss=loss,
        reduction=reduction,
        sample_weighted=sample_weighted,
    )
    if conv.average == "none":
        return state.read_per_label(conv)
    return float(state.read(conv))
