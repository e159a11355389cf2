"""Evaluator: the streaming interface (update per batch, merge across workers, compute once)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from . import _core, _inputs
from ._explain import Explanation, rows_of
from ._options import Result, Task, check_task, norm_int, read_labelwise, read_multiclass

ArrayLike = Any
StateDict = dict  # {"options": dict, name: np.ndarray (int64), ...}


class Evaluator:
    """Accumulates a sufficient state over batches; reads it under any convention.

    The state is O(C): per-class counts, top-k rank histograms, exact sums of the loss terms.
    ``compute`` is cheap, so one Evaluator can be read under many conventions.

    Args:
        num_classes: C (multi-class). Required for ``task="multiclass"``.
        task: ``"multiclass"`` (default), ``"binary"`` or ``"multilabel"``.
        num_labels: L for ``task="multilabel"``.
        top_k: the k (int or sequence of ints) whose per-class top-k counts are kept, for
            macro top-k readings; micro top-k is available for every k regardless.
            None: {1, 5} (5 dropped when C < 5).
        ignore_index: samples whose target equals it are dropped (multi-class).
        threshold: ``score > threshold`` decisions (binary / multilabel, and Keras'
            element-wise binary accuracy on multi-class scores).
        losses: loss families to accumulate (names as in :func:`cross_entropy`); None: all.
        smoothing_terms: also accumulate what label smoothing needs (C logs per row).
        confusion_matrix: keep a dense C x C confusion matrix.
        topk_sets: also count, per k, how often each class is among the k predicted
            classes (torch.topk's set): what precision and F1 at ``top_k > 1`` need under
            torchmetrics <= 1.6.0 (``topk_predicted="whole_set"``, the default of the
            ``torchmetrics-0.9``, ``-0.11`` and ``-1`` profiles). A selection per row and k.
        smoothing_columns: also keep the label-smoothing term per class column, so that
            ``label_smoothing`` combines with ``class_weights`` as in torch's
            ``CrossEntropyLoss(weight=..., label_smoothing=...)``. C exact additions per row.
        profile: default profile of :meth:`compute` (overridable per call).
        threads: OpenMP threads per update (0: default). Results do not depend on it.

    Example:
        >>> import numpy as np, metricaudit
        >>> ev = metricaudit.Evaluator(num_classes=3)
        >>> ev.update(np.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]), np.array([1, 2]))
        >>> ev.compute("accuracy")
        0.5
        >>> ev.compute("accuracy", average="macro", profile="torchmetrics-0.11")
        0.3333333333333333
    """

    def __init__(
        self,
        num_classes: int | None = None,
        *,
        task: Task = "multiclass",
        num_labels: int | None = None,
        top_k: int | Sequence[int] | None = None,
        ignore_index: int | None = None,
        threshold: float = 0.5,
        losses: Sequence[str] | None = None,
        smoothing_terms: bool = True,
        confusion_matrix: bool = False,
        topk_sets: bool = False,
        smoothing_columns: bool = False,
        profile: str | None = None,
        threads: int = 0,
    ) -> None:
        self.task: Task = check_task(task) or "multiclass"
        self.profile = profile
        self.threads = threads
        if self.task == "multiclass":
            if num_classes is None:
                raise ValueError("num_classes: required for task='multiclass'")
            num_classes, ignore_index = norm_int(num_classes, "num_classes"), norm_int(
                ignore_index, "ignore_index")
            ks: list[int] | None = None
            if top_k is not None:
                single = isinstance(top_k, (int, np.integer)) or isinstance(top_k, (bool, float))
                ks = [norm_int(k, "top_k", minimum=1, bits=32) for k in ([top_k] if single else top_k)]
                if 1 not in ks:
                    ks = [1] + ks
            self._args: dict[str, Any] = dict(
                top_k=ks,
                ignore_index=ignore_index,
                threshold=float(threshold),
                losses=None if losses is None else list(losses),
                smoothing_terms=smoothing_terms,
                confusion_matrix=confusion_matrix,
                topk_sets=topk_sets,
                smoothing_columns=smoothing_columns,
                threads=threads,
            )
            self._num = int(num_classes)
            self._state: Any = _core.MulticlassState(self._num, **self._args)
        else:
            labels = num_labels if self.task == "multilabel" else 1
            if labels is None:
                raise ValueError("num_labels: required for task='multilabel'")
            if ignore_index is not None:
                raise ValueError("ignore_index: supported for task='multiclass' only in Evaluator")
            self._args = dict(threshold=float(threshold), threads=threads)
            self._num = int(labels)
            self._state = _core.LabelwiseState(self._num, **self._args)

    # ---- accumulation ---------------------------------------------------------

    def update(
        self,
        preds: ArrayLike,
        target: ArrayLike,
        sample_weight: ArrayLike | None = None,
        *,
        valid: ArrayLike | None = None,
    ) -> None:
        """Folds one batch in. Inputs are read in place (see the package docs); the GIL is
        released during the pass, so updates from several threads overlap.

        ``valid``: a boolean mask of shape (N,); rows where it is False are not counted (e.g.
        the samples ``torch.utils.data.DistributedSampler`` repeats to even out the shards:
        :func:`metricaudit.torch.padding_mask`). Selecting the rows copies them."""
        t = _inputs.labels(target, "target")
        w = _inputs.weights(sample_weight)
        if self.task == "multiclass":
            p = _inputs.predictions(preds, "preds")
        else:
            p = _inputs.binary_scores(preds, "preds")
        if valid is not None:
            keep = _valid_mask(valid, len(t))
            if not keep.all():
                if not keep.any():
                    return  # nothing of this batch counts
                p, t = np.ascontiguousarray(p[keep]), np.ascontiguousarray(t[keep])
                w = None if w is None else np.ascontiguousarray(w[keep])
        self._state.update(p, t, w)

    def merge(self, other: "Evaluator") -> "Evaluator":
        """Adds ``other``'s state (exact; any order gives the same bits). Returns self."""
        if not isinstance(other, Evaluator) or other.task != self.task:
            raise ValueError("merge: expected an Evaluator of the same task")
        self._state.merge(other._state)
        return self

    def reset(self) -> None:
        """Forgets every batch; keeps the options."""
        if self.task == "multiclass":
            self._state = _core.MulticlassState(self._num, **self._args)
        else:
            self._state = _core.LabelwiseState(self._num, **self._args)

    # ---- readings -------------------------------------------------------------

    def compute(self, metric: str = "accuracy", **options: Any) -> Result:
        """The value of ``metric`` under a convention.

        ``metric``: ``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``,
        ``"balanced_accuracy"``, ``"elementwise_binary_accuracy"``, ``"cross_entropy"``,
        ``"confusion_matrix"`` (multi-class); ``"accuracy"``, ``"subset_accuracy"``,
        ``"precision"``, ``"recall"``, ``"f1"``, ``"binary_cross_entropy"`` (binary /
        multilabel). ``options``: the keywords of the functional API (``average``, ``absent``,
        ``zero_division``, ``top_k``, ``ties``, ``topk_predicted``, ``adjusted``, ``loss``, ``class_weights``,
        ``label_smoothing``, ``reduction``, ``weight_norm``, ``multilabel``, ``reading``,
        ``profile``); ``sample_weighted=False`` reads the unweighted counts.
        """
        options.setdefault("profile", self.profile)
        if self.task == "multiclass":
            return read_multiclass(self._state, metric, **options)
        return read_labelwise(self._state, metric, **options)

    def explain(self, metric: str = "accuracy") -> Explanation:
        """Every convention's value of ``metric`` (``"accuracy"`` or ``"loss"``)."""
        if self.task != "multiclass":
            raise ValueError("explain: defined for task='multiclass'")
        return rows_of(self._state, metric)

    # ---- distribution ---------------------------------------------------------

    def state_dict(self) -> StateDict:
        """The state as plain numpy arrays, ready for any transport that sums.

        Every entry except ``"options"`` is an int64 array, one per field of the core's state
        (``metricaudit/state_fields.hpp``); summing the entries of several state dicts
        element-wise (``torch.distributed.all_reduce(op=SUM)``, :func:`sum_state_dicts`, a
        Dask reduction) gives the state dict of their merge, exactly: counts add; exact sums
        travel as their int64 limbs (ExactSum::limbs), which add; a flag is 1 in a state that
        saw a batch and has it, so a sum counts such states, and ``"states"`` counts the
        states summed (a flag that must hold everywhere holds when its count equals it).
        ``"options"`` (plain Python values) must be equal on every worker and is carried as
        is. Format ``metricaudit-state/2``.
        """
        return self._state.state_dict()

    def state_buffer(self) -> np.ndarray:
        """The whole state as ONE 1-D int64 array: the entries of :meth:`state_dict` (but
        ``"options"``) flattened and concatenated in order. Buffers of evaluators with the same
        options have the same length; their element-wise sum, given to
        :meth:`load_state_buffer`, is the merged state (one collective moves a whole state)."""
        d = self._state.state_dict()
        return np.concatenate([np.ravel(v) for k, v in d.items() if k != "options"])

    def load_state_buffer(self, buffer: ArrayLike) -> "Evaluator":
        """Replaces the state with the one ``buffer`` holds (a :meth:`state_buffer` of an
        evaluator with the same options, or a sum of several). Returns self."""
        like = self._state.state_dict()  # the layout: any state of these options has it
        flat = _as_int64(buffer, "buffer")
        sizes = [np.size(v) for k, v in like.items() if k != "options"]
        if flat.ndim != 1 or flat.size != sum(sizes):
            raise ValueError(
                f"load_state_buffer: expected a 1-D int64 buffer of {sum(sizes)} values (the "
                f"state_buffer of these options), got shape {flat.shape}"
            )
        d: StateDict = {"options": like["options"]}
        at = 0
        for (key, value), size in zip(((k, v) for k, v in like.items() if k != "options"), sizes):
            d[key] = flat[at : at + size].reshape(np.shape(value))
            at += size
        self._state = type(self._state).from_state_dict(d, threads=self.threads)
        return self

    @classmethod
    def from_state_dict(
        cls, state_dict: Mapping[str, Any], *, profile: str | None = None, threads: int = 0
    ) -> "Evaluator":
        """Rebuilds an Evaluator from :meth:`state_dict` (or a sum of several)."""
        d = dict(state_dict)
        options = dict(d["options"])
        d = {k: (v if k == "options" else _as_int64(v, k)) for k, v in d.items()}
        if options.get("kind") == "multiclass":
            ev = cls(
                options["num_classes"],
                top_k=options["top_k"],
                ignore_index=options["ignore_index"],
                threshold=options["threshold"],
                losses=options["losses"],
                smoothing_terms=options["smoothing_terms"],
                confusion_matrix=options["confusion_matrix"],
                topk_sets=options["topk_sets"],
                smoothing_columns=options["smoothing_columns"],
                profile=profile,
                threads=threads,
            )
            ev._state = _core.MulticlassState.from_state_dict(d, threads=threads)
        elif options.get("kind") == "labelwise":
            labels = int(options["num_labels"])
            ev = cls(
                task="multilabel" if labels > 1 else "binary",
                num_labels=labels,
                threshold=options["threshold"],
                profile=profile,
                threads=threads,
            )
            ev._state = _core.LabelwiseState.from_state_dict(d, threads=threads)
        else:
            raise ValueError("state_dict: options['kind'] must be 'multiclass' or 'labelwise'")
        return ev

    # ---- introspection --------------------------------------------------------

    @property
    def samples(self) -> int:
        """Samples counted so far (ignored ones excluded)."""
        return int(self._state.samples)

    @property
    def num_classes(self) -> int:
        """C (multi-class) or L (binary: 1, multilabel)."""
        return self._num

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evaluator) or other.task != self.task:
            return NotImplemented
        return bool(self._state == other._state)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Evaluator(task={self.task!r}, classes={self._num}, samples={self.samples})"


def _valid_mask(valid: ArrayLike, n: int) -> np.ndarray:
    keep = _inputs.as_numpy(valid, "valid")
    if keep.dtype != np.bool_ or keep.shape != (n,):
        raise ValueError(f"valid: expected a boolean mask of shape ({n},), got {keep.dtype} {keep.shape}")
    return keep


def _as_int64(v: Any, key: str) -> np.ndarray:
    a = _inputs.as_numpy(v, key)
    if a.dtype.kind not in "iu":
        raise ValueError(f"state_dict: entry '{key}': expected an integer array, got {a.dtype}")
    return np.asarray(a, dtype=np.int64, order="C")  # keeps 0-d entries 0-d


def sum_state_dicts(state_dicts: Iterable[Mapping[str, Any]]) -> StateDict:
    """Element-wise sum of state dicts (what an all-reduce with SUM computes).

    ``Evaluator.from_state_dict(sum_state_dicts([a.state_dict(), b.state_dict()]))``
    equals ``a.merge(b)``, bit for bit.
    """
    dicts = list(state_dicts)
    if not dicts:
        raise ValueError("sum_state_dicts: expected at least one state dict")
    options = dicts[0]["options"]
    out: StateDict = {"options": dict(options)}
    for i, d in enumerate(dicts):
        if d["options"] != options:
            raise ValueError(f"sum_state_dicts: state dict {i} has different options")
    for key in dicts[0]:
        if key == "options":
            continue
        total = _as_int64(dicts[0][key], key).copy()
        for d in dicts[1:]:
            total += _as_int64(d[key], key)
        out[key] = total
    return out
