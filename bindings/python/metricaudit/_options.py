"""Keyword normalisation and the readings shared by the functional API and Evaluator."""

from __future__ import annotations

import functools
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


_INT64 = (-(2**63), 2**63 - 1)
_INT32 = (-(2**31), 2**31 - 1)


def norm_int(value: Any, name: str, *, minimum: int | None = None, bits: int = 64) -> int | None:
    """An integer argument: Python or numpy integers only (not bool, not float), within the
    C++ type it becomes (int64, or int32 for top_k and threads). None passes."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}: expected an integer, got {value!r} ({type(value).__name__})")
    v = int(value)
    lo, hi = _INT64 if bits == 64 else _INT32
    if minimum is not None:
        lo = max(lo, minimum)
    if not lo <= v <= hi:
        raise ValueError(f"{name}: expected an integer in [{lo}, {hi}], got {v}")
    return v


@functools.lru_cache(maxsize=None)
def _profile_rows() -> dict[str, dict[str, str]]:
    return {row["name"]: dict(row) for row in _core.profiles()}


def profile_row(profile: str | None) -> dict[str, str]:
    """The core's row of `profile` ("default" when None); unknown names are refused by the core."""
    rows = _profile_rows()
    name = "default" if profile is None else profile
    if name not in rows:
        _core.convention("accuracy", profile=name)  # raises the core's error, listing the names
    return rows[name]


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


def multiclass_state(num_classes: int | None, inferred: int, **options: Any) -> Any:
    """A MulticlassState of `num_classes` classes, or of the `inferred` count; when that one
    is too large, the error says where it came from (a stray label, most often)."""
    if num_classes is not None:
        return _core.MulticlassState(num_classes, **options)
    try:
        return _core.MulticlassState(inferred, **options)
    except ValueError as e:
        if not str(e).startswith("num_classes:"):
            raise
        raise ValueError(
            f"num_classes (not given; inferred as 1 + the largest label, {inferred - 1}): "
            f"{str(e)[len('num_classes: '):]}; pass num_classes="
        ) from None


def state_top_k(top_k: int | None) -> list[int]:
    """The k values whose per-class counts a one-shot pass keeps."""
    top_k = norm_int(top_k, "top_k", minimum=1, bits=32)
    if top_k is None or top_k == 1:
        return [1]
    return [1, top_k]


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
    target_form: str | None = None,
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
        top_k=norm_int(top_k, "top_k", minimum=1, bits=32),
        ties=ties,
        topk_predicted=topk_predicted,
        adjusted=adjusted,
        loss=loss,
        weight_norm=weight_norm,
        class_weights=norm_class_weights(class_weights),
        label_smoothing=None if label_smoothing is None else float(label_smoothing),
        reduction=reduction,
        target_form=target_form,
        sample_weighted=sample_weighted,
    )
    if conv.average == "none":
        return state.read_per_class(conv)
    return float(state.read(conv))


# ---- binary / multilabel readings ---------------------------------------------


def labelwise_convention(
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
) -> Any:
    """The core's binary / multilabel convention, the keywords normalised."""
    return _core.labelwise_convention(
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


def read_labelwise(
    state: _core.LabelwiseState,
    metric: str,
    *,
    profile: str | None = None,
    reading: str | None = None,
    auto_reading: str | None = None,
    **options: Any,
) -> Result:
    """`auto_reading`: what torchmetrics' rule decided for the batch when the caller had to
    decide it (the whole tensor, ignored samples included, before they were dropped)."""
    if auto_reading is not None and (reading or profile_row(profile)["reading"]) == (
        "torchmetrics_auto"
    ):
        reading = auto_reading
    conv = labelwise_convention(metric, profile=profile, reading=reading, **options)
    if conv.average == "none":
        return state.read_per_label(conv)
    return float(state.read(conv))


def categorical_accuracy(
    metric: str, multilabel: str | None, profile: str | None, label_columns: int
) -> bool:
    """Whether ``metric`` on a 2-D target of ``label_columns`` columns is Keras 3's
    CategoricalAccuracy (argmax(target) == argmax(preds)): "accuracy" resolved by shape
    (keras/src/trainers/compile_utils.py), the ``categorical`` multilabel rule."""
    return (
        metric == "accuracy"
        and (multilabel or profile_row(profile)["multilabel"]) == "categorical"
        and label_columns > 1
    )


def keras_bce_reduction(conv: Any, profile: str | None) -> bool:
    """Whether binary cross-entropy is reduced as Keras reduces it: over the last axis before
    the weights (losses.py binary_crossentropy), so that an ``(N,)`` target is ONE sample.
    Under a Keras convention: its loss family, or a profile with Keras' weight norm."""
    return (
        conv.loss == "keras_probabilities"
        or profile_row(profile)["weight_norm"] == "sample_count"
    )


def read_binary_cross_entropy(
    state: _core.LabelwiseState, *, rank1: bool, weight: np.ndarray | None = None, **options: Any
) -> float:
    """Binary cross-entropy of ``state`` under ``options`` (the keywords of
    :func:`labelwise_convention`). Under Keras' reduction (:func:`keras_bce_reduction`):
    ``rank1`` (the scores were ``(N,)``; the state then holds the unweighted losses and
    ``weight`` the sample weights, or None) is one sample of loss mean(l), broadcast against
    the weights: ``sum_over_batch_size`` is mean(l) * mean(w), ``"sum"`` mean(l) * sum(w);
    on ``(N, L)`` ``"sum"`` adds the per-sample means."""
    conv = labelwise_convention("binary_cross_entropy", **options)
    if not keras_bce_reduction(conv, options.get("profile")) or (
        not rank1 and conv.reduction == "mean"
    ):
        return float(state.read(conv))
    mean = float(state.read(labelwise_convention(
        "binary_cross_entropy", **{**options, "loss": conv.loss, "reduction": "mean"})))
    if not rank1:  # Keras "sum" on (N, L): the per-sample means added
        return mean * state.samples
    if weight is None:
        return mean
    return mean * float(
        np.sum(weight, dtype=np.float64) / (len(weight) if conv.reduction == "mean" else 1)
    )
