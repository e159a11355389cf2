"""Keyword normalisation and the readings shared by the functional API and Evaluator."""

from __future__ import annotations

import math
from typing import Any, Literal, Sequence, Union

import numpy as np

from . import _core

Task = Literal["multiclass", "binary", "multilabel"]
Result = Union[float, np.ndarray]

_TORCHMETRICS = ("torchmetrics-0.11", "torchmetrics-1", "torchmetrics-1.6")
_SKLEARN = ("sklearn", "sklearn-1.1")


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
        raise ValueError(
            f"average: expected 'micro', 'macro', 'weighted' or 'none', got {value!r} "
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
    if conv.average == "none" and metric in ("accuracy", "precision", "recall", "f1"):
        return state.read_per_class(conv)
    return float(state.read(conv))


# ---- binary / multilabel readings ---------------------------------------------


def default_reading(profile: str | None) -> str:
    """torchmetrics applies a sigmoid when a score leaves [0, 1]; the others threshold as given."""
    return "torchmetrics_auto" if profile in _TORCHMETRICS else "raw"


def default_multilabel(profile: str | None) -> str:
    """sklearn's accuracy_score is subset accuracy on multilabel input; others read per label."""
    return "subset" if profile in _SKLEARN else "labelwise"


def default_labelwise_average(profile: str | None) -> str:
    """torchmetrics' Multilabel* default to average='macro'; the others are element-wise."""
    return "macro" if profile in _TORCHMETRICS else "micro"


def _ratio(num: np.ndarray, den: np.ndarray, zd: str) -> np.ndarray:
    fill = {"zero": 0.0, "one": 1.0, "nan": np.nan}[zd]
    out = np.full(num.shape, fill, dtype=np.float64)
    ok = den != 0
    out[ok] = num[ok] / den[ok]
    return out


def _average_labels(
    values: np.ndarray, support: np.ndarray, seen: np.ndarray, average: str, absent: str
) -> Result:
    if average == "none":
        return values
    if average == "weighted":
        keep = ~np.isnan(values)
        den = float(support[keep].sum())
        if den:
            return float((values[keep] * support[keep]).sum() / den)
        # sklearn: every value NaN (zero_division=nan) gives NaN; otherwise 0.
        return float("nan") if np.isnan(values).all() else 0.0
    if average == "macro":
        keep = ~np.isnan(values)
        if absent == "exclude_unseen":
            keep &= seen
        elif absent == "exclude_no_support":
            keep &= support > 0
        n = int(keep.sum())
        if n:
            return float(values[keep].sum() / n)
        return float("nan") if values.size and np.isnan(values).all() else 0.0
    raise ValueError(f"average: expected 'micro', 'macro', 'weighted' or 'none', got {average!r}")


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
    reduction: str = "mean",
    sample_weighted: bool = True,
) -> Result:
    if profile is not None:
        _core.convention("accuracy", profile=profile)  # validates the name
    reading = reading or default_reading(profile)
    avg = norm_average(average)
    if metric == "binary_cross_entropy":
        if loss is None:
            loss = "keras_probabilities" if profile == "keras" else "torch_logits"
        conv = _core.labelwise_convention(
            metric, loss=loss, reading=reading, reduction=reduction,
            sample_weighted=sample_weighted,
        )
        return float(state.read(conv))
    if metric == "subset_accuracy":
        metric, multilabel = "accuracy", "subset"
    if metric == "accuracy":
        multilabel = multilabel or default_multilabel(profile)
        if multilabel == "subset":
            conv = _core.labelwise_convention(
                "subset_accuracy", reading=reading, sample_weighted=sample_weighted
            )
            return float(state.read(conv))
        if multilabel not in ("labelwise", "elementwise"):
            raise ValueError(
                f"multilabel: expected 'subset', 'labelwise' or 'elementwise', got {multilabel!r}"
            )
        if multilabel == "elementwise":
            avg = "micro"
        avg = avg or default_labelwise_average(profile)
        if avg in ("micro", "macro", "none"):
            conv = _core.labelwise_convention(
                "accuracy", average=avg, reading=reading, sample_weighted=sample_weighted
            )
            if avg == "none":
                return state.read_per_label(conv)
            return float(state.read(conv))
    if metric not in ("accuracy", "precision", "recall", "f1"):
        raise ValueError(
            f"metric: expected 'accuracy', 'subset_accuracy', 'precision', 'recall', 'f1' or "
            f"'binary_cross_entropy' for a binary / multilabel task, got {metric!r}"
        )
    # Per-label ratios from the tp/fp/tn/fn counts (torchmetrics' _*_reduce, sklearn's
    # precision_recall_fscore_support on label indicators).
    if state.weighted and sample_weighted:
        raise _core.UnavailableError(
            f"{metric}: per-label counts of a binary / multilabel state are not kept with "
            "sample weights"
        )
    if state.samples == 0:
        return float("nan")
    c = state.counts(reading)
    tp, fp, tn, fn = (np.asarray(c[k], dtype=np.float64) for k in ("tp", "fp", "tn", "fn"))
    zd = norm_zero_division(zero_division) or "zero"
    avg = avg or default_labelwise_average(profile)
    if avg == "micro":
        tp, fp, tn, fn = (np.array([x.sum()]) for x in (tp, fp, tn, fn))
    if metric == "accuracy":
        values = _ratio(tp + tn, tp + tn + fp + fn, zd)
    elif metric == "precision":
        values = _ratio(tp, tp + fp, zd)
    elif metric == "recall":
        values = _ratio(tp, tp + fn, zd)
    else:
        values = _ratio(2 * tp, 2 * tp + fp + fn, zd)
    if avg == "micro":
        return float(values[0])
    return _average_labels(values, tp + fn, (tp + fp + fn) > 0, avg, absent or "zero")
