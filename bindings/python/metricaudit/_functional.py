"""The functional API: one call, one pass, one number (or one array).

Every function takes ``preds`` then ``target`` (as torchmetrics does) and every
option by keyword. ``profile="torchmetrics-0.11"`` (every name is in
:func:`metricaudit.profiles`) supplies that library's defaults; an explicit keyword
always wins. Without a profile (the ``"default"`` row of :func:`metricaudit.profiles`):
accuracy is micro (the fraction right), precision/recall/F1 are macro over the classes
seen in target or predictions, ``zero_division=0``, top-k ties go to the lower class
index, cross-entropy reads scores as logits. The accepted names of every option are in
``metricaudit._core.vocabulary()``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _core, _inputs
from ._options import (
    Result,
    Task,
    categorical_accuracy,
    check_task,
    infer_num_classes,
    infer_task,
    keras_bce_reduction,
    labelwise_convention,
    multiclass_state,
    norm_int,
    profile_row,
    read_binary_cross_entropy,
    read_labelwise,
    read_multiclass,
    state_top_k,
)

ArrayLike = Any  # numpy arrays, CPU torch tensors, anything with __dlpack__ / __array__, lists

__all__ = [
    "accuracy",
    "precision",
    "recall",
    "f1",
    "balanced_accuracy",
    "confusion_matrix",
    "cross_entropy",
    "binary_cross_entropy",
]


def _multiclass_state(
    preds: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None,
    *,
    num_classes: int | None,
    ignore_index: int | None,
    top_k: int | None = None,
    threshold: float = 0.5,
    losses: Sequence[str] = (),
    smoothing_terms: bool = False,
    confusion: bool = False,
    topk_sets: bool = False,
    smoothing_columns: bool = False,
    threads: int = 0,
) -> _core.MulticlassState:
    num_classes = norm_int(num_classes, "num_classes")
    ignore_index = norm_int(ignore_index, "ignore_index")
    top_k = norm_int(top_k, "top_k", minimum=1, bits=32)
    c = num_classes if num_classes is not None else infer_num_classes(preds, target, ignore_index)
    state = multiclass_state(
        num_classes,
        c,
        top_k=state_top_k(top_k) if (top_k is None or top_k <= c) else [1],
        ignore_index=ignore_index,
        threshold=float(threshold),
        losses=list(losses),
        smoothing_terms=smoothing_terms,
        confusion_matrix=confusion,
        topk_sets=topk_sets,
        smoothing_columns=smoothing_columns,
        threads=norm_int(threads, "threads", minimum=0, bits=32),
    )
    state.update(preds, target, weight)
    return state


def _labelwise_state(
    preds: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None,
    task: Task,
    *,
    num_labels: int | None,
    ignore_index: int | None,
    threshold: float,
    threads: int,
) -> tuple[_core.LabelwiseState, str | None]:
    """The state, and what torchmetrics' sigmoid rule decided for the batch when the ignored
    samples had to be dropped first (None otherwise: the pass decides)."""
    ignore_index = norm_int(ignore_index, "ignore_index")
    num_labels = norm_int(num_labels, "num_labels", minimum=1)
    auto_reading = None
    if task == "binary":
        if preds.ndim != 1 or target.ndim != 1:
            raise ValueError(
                f"task='binary': expected preds and target of shape (N,), got {preds.shape} and "
                f"{target.shape}"
            )
        if ignore_index is not None:
            # torchmetrics decides its sigmoid on the whole tensor, ignored samples included
            # (_binary_stat_scores_format), then drops them; done here with a (documented) copy.
            outside = preds.size > 0 and bool((preds.min() < 0) | (preds.max() > 1))
            auto_reading = "sigmoid" if outside else "raw"
            keep = target != ignore_index
            preds, target = preds[keep], target[keep]
            weight = None if weight is None else weight[keep]
        labels = 1
    else:
        if preds.ndim != 2:
            raise ValueError(f"task='multilabel': expected preds of shape (N, L), got {preds.shape}")
        if ignore_index is not None:
            raise ValueError(
                "ignore_index: not supported for task='multilabel' (it masks single cells, "
                "which the per-row state cannot represent)"
            )
        labels = int(preds.shape[1])
        if num_labels is not None and num_labels != labels:
            raise ValueError(f"num_labels: {num_labels} given, but preds has {labels} columns")
    state = _core.LabelwiseState(
        labels, threshold=float(threshold), threads=norm_int(threads, "threads", minimum=0, bits=32)
    )
    if target.shape[0] > 0 or auto_reading is None:  # every sample ignored: an empty state
        state.update(preds, target, weight)
    return state, auto_reading


def _classification(
    metric: str,
    preds: ArrayLike,
    target: ArrayLike,
    *,
    task: Task | None,
    num_classes: int | None,
    num_labels: int | None,
    average: str | None,
    absent: str | None,
    zero_division: Any,
    top_k: int | None,
    ties: str | None,
    topk_predicted: str | None,
    threshold: float,
    ignore_index: int | None,
    sample_weight: ArrayLike | None,
    profile: str | None,
    multilabel: str | None,
    reading: str | None,
    threads: int,
) -> Result:
    t = _inputs.labels(target, "target")
    task = check_task(task)
    w = _inputs.weights(sample_weight)
    p = _inputs.predictions(preds, "preds")
    if task is None:
        task = infer_task(p, t)

    def cast(scores: np.ndarray) -> np.ndarray:
        # The profile's cast; Keras' argmax and its in_top_k treat zeros of either sign
        # differently. The Evaluator applies the same (_score_cast.py).
        return _inputs.cast_scores(scores, profile_row(profile)["score_cast"], argmax=top_k is None)

    if (
        task == "multilabel"
        and t.ndim == 2
        and categorical_accuracy(metric, multilabel, profile, t.shape[1])
    ):
        # Keras 3 resolves "accuracy" on a 2-D target by shape: CategoricalAccuracy,
        # argmax(target) == argmax(preds), each the first maximal index.
        t, task = np.argmax(t, axis=1), "multiclass"
    if task == "multiclass":
        p = cast(p)
        # Precision and F1 at k > 1 under torchmetrics <= 1.6.0 count every class of the
        # top-k set as predicted: only then does the pass keep the sets (a selection per row).
        sets = (
            metric in ("precision", "f1")
            and top_k is not None
            and norm_int(top_k, "top_k", minimum=1, bits=32) > 1
            and _core.convention(
                metric, profile=profile, top_k=int(top_k), topk_predicted=topk_predicted
            ).topk_predicted
            == "whole_set"
        )
        state = _multiclass_state(
            p, t, w, num_classes=num_classes, ignore_index=ignore_index, top_k=top_k,
            threshold=threshold, topk_sets=sets, threads=threads,
        )
        return read_multiclass(
            state, metric, profile=profile, average=average, absent=absent,
            zero_division=zero_division, top_k=top_k, ties=ties, topk_predicted=topk_predicted,
        )
    # 0/1 integer decisions become float64 scores first, then the profile's cast applies (as
    # in binary_cross_entropy): one state serves the decisions and the loss alike.
    p = cast(_inputs.binary_scores(p, "preds"))
    lstate, auto_reading = _labelwise_state(
        p, t, w, task, num_labels=num_labels, ignore_index=ignore_index, threshold=threshold,
        threads=threads,
    )
    return read_labelwise(
        lstate, metric, profile=profile, average=average, absent=absent,
        zero_division=zero_division, multilabel=multilabel, reading=reading,
        auto_reading=auto_reading,
    )


def accuracy(
    preds: ArrayLike,
    target: ArrayLike,
    *,
    task: Task | None = None,
    num_classes: int | None = None,
    num_labels: int | None = None,
    average: str | None = None,
    absent: str | None = None,
    zero_division: Any = None,
    top_k: int | None = None,
    ties: str | None = None,
    threshold: float = 0.5,
    ignore_index: int | None = None,
    sample_weight: ArrayLike | None = None,
    profile: str | None = None,
    multilabel: str | None = None,
    reading: str | None = None,
    threads: int = 0,
) -> Result:
    """Accuracy under a named convention.

    Args:
        preds: ``(N, C)`` scores (logits or probabilities) or ``(N,)`` predicted labels of a
            multi-class task; ``(N,)`` scores of a binary task; ``(N, L)`` scores of a
            multilabel task.
        target: ``(N,)`` integer labels (multi-class, binary 0/1) or ``(N, L)`` 0/1 (multilabel).
        task: ``"multiclass"``, ``"binary"`` or ``"multilabel"``. Inferred when None:
            2-D preds with a 2-D target is multilabel; 2-D preds with a 1-D target, or 1-D
            integer preds, is multi-class; 1-D floating-point preds is binary.
        num_classes: C. When None: the width of the score matrix, or 1 + the largest label seen
            (which misses classes absent from both arrays: pass it when that matters).
        average: ``"micro"`` (fraction right), ``"macro"`` (mean per-class recall),
            ``"weighted"`` or ``"none"`` (per-class values). None: the profile's default.
        absent: which classes enter a macro mean: ``"zero"`` (all C; torchmetrics 0.10-0.11),
            ``"exclude_unseen"`` (seen in target or preds; sklearn, torchmetrics >= 1.0),
            ``"exclude_no_support"`` (present in target).
        zero_division: value of a 0/0 per-class ratio: 0, 1 or ``np.nan`` (NaN classes are left
            out of the mean, as sklearn does); ``"warn"`` reads as 0.
        top_k: count a hit when the target is among the k highest scores.
        ties: top-k tie rule: ``"index_order"`` (torch), ``"high_index_first"`` (sklearn),
            ``"optimistic"`` (Keras in_top_k).
        threshold: decision threshold of binary / multilabel scores (``score > threshold``).
        ignore_index: samples whose target equals it are dropped.
        sample_weight: ``(N,)`` non-negative weights.
        profile: a library's defaults, e.g. ``"torchmetrics-0.11"``, ``"sklearn"``, ``"keras"``.
        multilabel: ``"subset"`` (whole row right; sklearn's default), ``"labelwise"`` (per-label
            accuracy averaged by ``average``; torchmetrics) or ``"elementwise"`` (cells right / N L;
            Keras binary_accuracy).
        reading: how binary / multilabel scores become decisions: ``"raw"``, ``"sigmoid"`` or
            ``"torchmetrics_auto"`` (sigmoid when a score leaves [0, 1]).
        threads: OpenMP threads for the pass (0: default). Results do not depend on it.

    Returns:
        A float, or a numpy array of per-class values for ``average="none"``.

    Example:
        >>> import numpy as np, metricaudit
        >>> preds = np.array([[1, 0, 0, 0], [1, 0, 0, 0]], dtype=np.float32)
        >>> target = np.array([0, 0])
        >>> metricaudit.accuracy(preds, target, num_classes=4, profile="torchmetrics-0.11")
        0.25
        >>> metricaudit.accuracy(preds, target, num_classes=4, profile="torchmetrics-1")
        1.0
    """
    return _classification(
        "accuracy", preds, target, task=task, num_classes=num_classes, num_labels=num_labels,
        average=average, absent=absent, zero_division=zero_division, top_k=top_k, ties=ties,
        topk_predicted=None, threshold=threshold, ignore_index=ignore_index,
        sample_weight=sample_weight,
        profile=profile, multilabel=multilabel, reading=reading, threads=threads,
    )


def _prf(metric: str, doc_name: str) -> Any:
    def f(
        preds: ArrayLike,
        target: ArrayLike,
        *,
        task: Task | None = None,
        num_classes: int | None = None,
        num_labels: int | None = None,
        average: str | None = None,
        absent: str | None = None,
        zero_division: Any = None,
        top_k: int | None = None,
        topk_predicted: str | None = None,
        threshold: float = 0.5,
        ignore_index: int | None = None,
        sample_weight: ArrayLike | None = None,
        profile: str | None = None,
        reading: str | None = None,
        threads: int = 0,
    ) -> Result:
        return _classification(
            metric, preds, target, task=task, num_classes=num_classes, num_labels=num_labels,
            average=average, absent=absent, zero_division=zero_division, top_k=top_k,
            ties=None, topk_predicted=topk_predicted, threshold=threshold, ignore_index=ignore_index,
            sample_weight=sample_weight, profile=profile, multilabel=None,
            reading=reading, threads=threads,
        )

    f.__name__ = f.__qualname__ = metric
    f.__doc__ = f"""{doc_name} under a named convention.

    Same arguments as :func:`accuracy`. The default ``average`` is ``"macro"`` (over the
    classes selected by ``absent``; for binary / multilabel input over all labels);
    ``"micro"`` equals accuracy on multi-class input; ``"none"`` returns per-class values.
    Binary and multilabel input is read per label from the tp/fp/fn counts.
    ``topk_predicted`` (multi-class, ``top_k > 1``): which classes a sample predicts,
    ``"whole_set"`` (all k: torchmetrics <= 1.6.0, so micro precision@k = hits / (N k)) or
    ``"top1_on_miss"`` (the target on a hit, else the top-1 class: torchmetrics >= 1.6.1,
    and the default without a profile).

    Example:
        >>> import numpy as np, metricaudit
        >>> metricaudit.{metric}(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), average="none")
        array([...])
    """
    return f


precision = _prf("precision", "Precision")
recall = _prf("recall", "Recall")
f1 = _prf("f1", "F1 score")


def balanced_accuracy(
    preds: ArrayLike,
    target: ArrayLike,
    *,
    adjusted: bool = False,
    num_classes: int | None = None,
    ignore_index: int | None = None,
    sample_weight: ArrayLike | None = None,
    threads: int = 0,
) -> float:
    """sklearn's balanced_accuracy_score: mean recall over the classes present in ``target``.

    ``adjusted=True`` rescales chance to 0: ``(score - 1/K) / (1 - 1/K)``.

    Example:
        >>> import numpy as np, metricaudit
        >>> metricaudit.balanced_accuracy(np.array([0, 1, 1]), np.array([0, 1, 0]))
        0.75
    """
    t = _inputs.labels(target, "target")
    p = _inputs.predictions(preds, "preds")
    state = _multiclass_state(
        p, t, _inputs.weights(sample_weight), num_classes=num_classes,
        ignore_index=ignore_index, threads=threads,
    )
    return float(read_multiclass(state, "balanced_accuracy", adjusted=adjusted))


def confusion_matrix(
    preds: ArrayLike,
    target: ArrayLike,
    *,
    num_classes: int | None = None,
    ignore_index: int | None = None,
    threads: int = 0,
) -> np.ndarray:
    """The ``(C, C)`` int64 confusion matrix: row = target, column = predicted (top-1) class.

    Same orientation as ``sklearn.metrics.confusion_matrix(target, preds, labels=range(C))``.

    Example:
        >>> import numpy as np, metricaudit
        >>> metricaudit.confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]))
        array([[1, 1],
               [0, 1]])
    """
    t = _inputs.labels(target, "target")
    p = _inputs.predictions(preds, "preds")
    state = _multiclass_state(
        p, t, None, num_classes=num_classes, ignore_index=ignore_index, confusion=True,
        threads=threads,
    )
    return state.confusion_matrix()


def cross_entropy(
    preds: ArrayLike,
    target: ArrayLike,
    *,
    num_classes: int | None = None,
    loss: str | None = None,
    class_weights: Sequence[float] | None = None,
    label_smoothing: float | None = None,
    reduction: str | None = None,
    weight_norm: str | None = None,
    target_form: str | None = None,
    ignore_index: int | None = None,
    sample_weight: ArrayLike | None = None,
    profile: str | None = None,
    threads: int = 0,
) -> float:
    """Multi-class cross-entropy under a named convention.

    Args:
        preds: ``(N, C)`` scores, float32 or float64.
        target: ``(N,)`` class indices.
        loss: the loss family: ``"logits"`` (torch.nn.CrossEntropyLoss: logsumexp(z) - z_y),
            ``"keras_probabilities"`` (renormalise, clip to [1e-7, 1 - 1e-7]),
            ``"sklearn_probabilities"`` (sklearn >= 1.5 log_loss: clip to the dtype's eps),
            ``"sklearn_legacy_probabilities"`` (sklearn <= 1.1: clip to 1e-15, renormalise),
            ``"keras_binary_onehot"`` (Keras binary_crossentropy on one-hot targets).
            None: the profile's family (logits without a profile).
        class_weights: ``(C,)`` per-class weights (torch's ``weight=``).
        label_smoothing: in [0, 1] (torch / Keras semantics).
        reduction: ``"mean"`` or ``"sum"``.
        weight_norm: how a weighted mean is normalised: ``"target_weight_sum"`` (torch: by the sum
            of the target classes' weights; sklearn: by the sample-weight sum) or
            ``"sample_count"`` (Keras: by N).
        target_form: ``"index"`` (torch: -log p of the target class) or ``"one_hot"`` (Keras,
            torch with probability targets: -sum_c y_c log p_c, so a -inf logit at another
            class gives NaN). None: the profile's.
        ignore_index, sample_weight, profile, threads: as in :func:`accuracy`.

    Example:
        >>> import numpy as np, metricaudit
        >>> round(metricaudit.cross_entropy(np.array([[2.0, 0.0]]), np.array([0])), 6)
        0.126928
    """
    t = _inputs.labels(target, "target")
    p = _inputs.cast_scores(_inputs.predictions(preds, "preds"), profile_row(profile)["score_cast"])
    conv = _core.convention(
        "cross_entropy", profile=profile, loss=loss, label_smoothing=label_smoothing,
        target_form=target_form,
    )
    smoothing = bool(label_smoothing) and float(label_smoothing) > 0.0
    # A one-hot target on logits needs the rows with a -inf logit, which the smoothing
    # terms count.
    one_hot_logits = conv.target_form == "one_hot" and conv.loss == "logits"
    state = _multiclass_state(
        p, t, _inputs.weights(sample_weight), num_classes=num_classes,
        ignore_index=ignore_index, losses=[conv.loss],
        smoothing_terms=smoothing or one_hot_logits,
        # torch weights the smoothing term of column c by class_weights[c]: per-column sums.
        smoothing_columns=smoothing and class_weights is not None and conv.loss == "logits",
        threads=threads,
    )
    return float(
        read_multiclass(
            state, "cross_entropy", profile=profile, loss=loss, class_weights=class_weights,
            label_smoothing=label_smoothing, reduction=reduction, weight_norm=weight_norm,
            target_form=target_form,
        )
    )


def binary_cross_entropy(
    preds: ArrayLike,
    target: ArrayLike,
    *,
    loss: str | None = None,
    reduction: str | None = None,
    sample_weight: ArrayLike | None = None,
    profile: str | None = None,
    threads: int = 0,
) -> float:
    """Binary cross-entropy of ``(N,)`` or ``(N, L)`` scores against 0/1 targets.

    ``loss``: ``"torch_logits"`` (BCEWithLogitsLoss), ``"torch_probabilities"`` (BCELoss, logs
    clamped at -100), ``"keras_probabilities"`` (float32, clip to [1e-7, 1 - 1e-7]),
    ``"sklearn_probabilities"`` (log_loss of class 1's probability, clip to the dtype's eps;
    ``(N,)`` only) or ``"sklearn_legacy_probabilities"``. None: the profile's (``keras``,
    ``sklearn``: theirs; otherwise BCEWithLogitsLoss). ``reduction="mean"`` averages over
    labels, then samples; ``"sum"`` adds every element (torch ``reduction="sum"``).

    Keras reduces over the last axis before weighting (losses.py binary_crossentropy): an
    ``(N,)`` target is one sample whose loss is the mean over N, broadcast against the
    weights, so its ``sum_over_batch_size`` is mean(loss) * mean(w) and its ``"sum"``
    mean(loss) * sum(w); on ``(N, L)`` its ``"sum"`` adds the per-sample means. Under a
    Keras convention (``keras_probabilities``, or a profile whose weight norm is Keras'
    ``sample_count``) these are what is computed.

    Example:
        >>> import numpy as np, metricaudit
        >>> round(metricaudit.binary_cross_entropy(np.array([0.0]), np.array([1])), 6)
        0.693147
    """
    t = _inputs.labels(target, "target")
    p = _inputs.cast_scores(
        _inputs.binary_scores(preds, "preds"), profile_row(profile)["score_cast"]
    )
    w = _inputs.weights(sample_weight)
    task: Task = "multilabel" if p.ndim == 2 else "binary"
    options = dict(profile=profile, loss=loss, reduction=reduction)
    # (N,) under Keras' reduction: one sample, whose loss is the unweighted mean.
    rank1 = p.ndim == 1 and keras_bce_reduction(
        labelwise_convention("binary_cross_entropy", **options), profile)
    state, _ = _labelwise_state(
        p, t, None if rank1 else w, task, num_labels=None, ignore_index=None, threshold=0.5,
        threads=threads,
    )
    return read_binary_cross_entropy(state, rank1=rank1, weight=w if rank1 else None, **options)
