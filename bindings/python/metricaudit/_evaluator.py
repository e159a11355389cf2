"""Evaluator: the streaming interface (update per batch, merge across workers, compute once)."""

from __future__ import annotations

import threading
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from . import _core, _inputs, _score_cast
from ._explain import Explanation, rows_of
from ._options import (
    Result,
    Task,
    categorical_accuracy,
    check_task,
    labelwise_convention,
    keras_bce_reduction,
    norm_int,
    read_binary_cross_entropy,
    read_labelwise,
    read_multiclass,
)

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
        profile: the profile whose score cast ``update`` applies, and the default profile of
            :meth:`compute` (overridable per call). ``"keras"`` (Keras 3 on jax, CPU):
            the state holds float32 scores with subnormals flushed to zeros of their sign, what
            Keras computes with, so ``compute(..., profile="keras")`` equals the functional
            API's value on the whole data. Every other profile keeps the scores as given.
        argmax_scores: with ``profile="keras"``, hold the scores Keras' readings without
            ``top_k`` see (its argmax ranks a negative zero below +0) instead of those its
            losses and ``in_top_k`` see (the zeros equal). One pass cannot hold both where a
            negative zero decides something; see the note below.
        threads: OpenMP threads per update (0: default). Results do not depend on it.

    Score casts: ``compute`` returns the functional API's value on the same data (bit for
    bit; torchmetrics' sigmoid rule is decided per update, as torchmetrics decides it) or
    raises ``UnavailableError``; never a different number. A reading whose
    profile casts the scores differently from the state's (another profile's, or Keras'
    argmax rule against its in_top_k and losses) is computed when the cast would have changed
    nothing the reading depends on (float32 scores without subnormal values; no negative zero
    that changes a row's argmax, for a reading without ``top_k`` or ``ties``; no negative zero
    at all for the others), and refused otherwise, naming the Evaluator that serves it. The
    state dict carries the counts this needs (``cast_*_rows``, sums over rows, so merges and
    sums of state dicts serve and refuse as one Evaluator; ``rank1_rows`` for binary
    cross-entropy under Keras' rule, which reads ``(N,)`` scores as one sample and is refused
    on weighted or mixed-rank batches).
    Keras' CategoricalAccuracy (``"accuracy"`` on a 2-D target under ``keras``) is not kept by
    the multilabel state: it is refused, the error naming the multi-class Evaluator to use.
    :meth:`explain` lists every convention's value on the scores as the state holds them.

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
        argmax_scores: bool = False,
        threads: int = 0,
    ) -> None:
        self.task: Task = check_task(task) or "multiclass"
        self.profile = profile
        self.threads = threads
        self._view = _score_cast.accumulated_view(profile, argmax_scores)  # checks profile
        self._lock = threading.Lock()  # guards the counts: updates run in several threads
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
            self._count_names = _score_cast.COUNTS
        else:
            labels = num_labels if self.task == "multilabel" else 1
            if labels is None:
                raise ValueError("num_labels: required for task='multilabel'")
            if ignore_index is not None:
                raise ValueError("ignore_index: supported for task='multiclass' only in Evaluator")
            self._args = dict(threshold=float(threshold), threads=threads)
            self._num = int(labels)
            self._count_names = _score_cast.LABELWISE_COUNTS
        self._state: Any = self._new_state()
        self._counts = _score_cast.Counts.zero(self._count_names)

    def _new_state(self) -> Any:
        # tiny_rows: each update returns the rows holding a zero or a subnormal score,
        # what the score-cast counts need (_score_cast.fold_batch).
        if self.task == "multiclass":
            return _core.MulticlassState(self._num, **self._args, tiny_rows=True)
        return _core.LabelwiseState(self._num, **self._args, tiny_rows=True)

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
        :func:`metricaudit.torch.padding_mask`). Selecting the rows copies them.

        Float scores are cast as the Evaluator's profile casts them (a copy where the cast
        changes something: float64 scores under ``keras``), and the rows where another cast
        would change the state are counted (see the class note)."""
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
        if p.dtype.kind != "f":  # predicted labels: no profile casts them
            self._state.update(p, t, w)
            return
        ignore_index = self._args.get("ignore_index")
        counts = _score_cast.fold_batch(
            self._view,
            p,
            None if ignore_index is None else t != ignore_index,
            self._args["threshold"],
            self.task == "multiclass",
            self._state,
            self._new_state,
            lambda state, scores: state.update(scores, t, w),
            self._count_names,
        )
        with self._lock:
            self._counts.add(counts)

    def merge(self, other: "Evaluator") -> "Evaluator":
        """Adds ``other``'s state (exact; any order gives the same bits). Returns self."""
        if not isinstance(other, Evaluator) or other.task != self.task:
            raise ValueError("merge: expected an Evaluator of the same task")
        if other._view != self._view:
            raise ValueError(
                f"merge: the evaluators hold different scores: {self._view.describe()} here, "
                f"{other._view.describe()} in the other (build both with the same profile and "
                "argmax_scores)"
            )
        theirs = _score_cast.Counts(dict(other._counts.values))  # other may be self
        self._state.merge(other._state)
        with self._lock:
            self._counts.add(theirs)
        return self

    def reset(self) -> None:
        """Forgets every batch; keeps the options."""
        self._state = self._new_state()
        with self._lock:
            self._counts = _score_cast.Counts.zero(self._count_names)

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

        A reading whose profile casts the scores differently from the state's raises
        ``UnavailableError`` where the difference could change the value (class note).
        """
        options.setdefault("profile", self.profile)
        profile = options["profile"]
        if (
            self.task == "multilabel"
            and categorical_accuracy(metric, options.get("multilabel"), profile, self._num)
        ):
            raise _core.UnavailableError(
                f"accuracy under profile {profile!r} on a 2-D target is Keras' "
                "CategoricalAccuracy (argmax(target) == argmax(preds); keras/src/trainers/"
                "compile_utils.py resolves 'accuracy' by shape), which a multilabel state does "
                f"not keep: accumulate Evaluator(num_classes={self._num}, profile={profile!r}) "
                "with target.argmax(axis=1) as the target (its first maximal index, as Keras), "
                "or name the multilabel reading (multilabel='elementwise', 'labelwise' or "
                "'subset')"
            )
        if metric in self._metrics():
            _score_cast.check_reading(
                metric, profile, options.get("top_k"), options.get("ties"),
                self.task != "multiclass", options.get("reading"), self._view, self._counts,
            )
        if self.task == "multiclass":
            return read_multiclass(self._state, metric, **options)
        if metric == "binary_cross_entropy":
            return self._binary_cross_entropy(options)
        return read_labelwise(self._state, metric, **options)

    def _metrics(self) -> list[str]:
        vocabulary = _core.vocabulary()
        if self.task == "multiclass":
            return vocabulary["metric"] + ["confusion_matrix"]
        return vocabulary["labelwise_metric"]

    def _binary_cross_entropy(self, options: dict[str, Any]) -> float:
        """The functional API's binary_cross_entropy: Keras' reduction reads ``(N,)`` scores
        as one sample (mean(l) * mean(w)), which needs the unweighted losses of every row."""
        conv = labelwise_convention("binary_cross_entropy", **options)
        if not keras_bce_reduction(conv, options["profile"]):
            return read_labelwise(self._state, "binary_cross_entropy", **options)
        rank1, samples = self._counts.values[_score_cast.RANK1], int(self._state.samples)
        rule = (
            "under Keras' reduction an (N,) target is ONE sample whose loss is the unweighted "
            "mean over its N elements, broadcast against the weights (keras/src/losses/"
            "losses.py binary_crossentropy), while an (N, L) one is N samples"
        )
        if 0 < rank1 < samples:
            raise _core.UnavailableError(
                f"binary_cross_entropy: {rule}; this state mixes {rank1} rows of (N,) scores "
                f"with {samples - rank1} of (N, L) ones: accumulate them in two Evaluators"
            )
        if rank1 and self._state.weighted:
            raise _core.UnavailableError(
                f"binary_cross_entropy: {rule}; this state of (N,) scores was built from "
                "weighted batches, so it holds weighted losses, not that mean: call "
                "metricaudit.binary_cross_entropy(..., profile=...) on the whole data, or "
                "accumulate without sample_weight and multiply by the weights' mean (sum for "
                "reduction='sum')"
            )
        return read_binary_cross_entropy(self._state, rank1=rank1 > 0, **options)

    def explain(self, metric: str = "accuracy") -> Explanation:
        """Every convention's value of ``metric`` (``"accuracy"`` or ``"loss"``), read from
        the scores as the state holds them (the Evaluator's profile's cast)."""
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
        The score-cast counts (``cast_*_rows``, ``rank1_rows``: see the class note) are
        counts too. ``"options"`` (plain Python values, the score cast included) must be
        equal on every worker and is carried as is. Format ``metricaudit-state/3``. Take it
        when no update is in flight.
        """
        d = self._state.state_dict()
        d["options"] = self._options(d["options"])
        with self._lock:
            counts = dict(self._counts.values)
        for name in self._count_names:
            d[name] = np.array(counts[name], dtype=np.int64)
        return d

    def _options(self, core: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every option a state of this Evaluator has: the core's and the score cast's."""
        core = self._state.options if core is None else core
        return {**core, **_score_cast.view_options(self._view)}

    def state_buffer(self) -> np.ndarray:
        """The whole state as ONE 1-D int64 array: the entries of :meth:`state_dict` (but
        ``"options"``) flattened and concatenated in order. Buffers of evaluators with the same
        options have the same length; their element-wise sum, given to
        :meth:`load_state_buffer`, is the merged state (one collective moves a whole state)."""
        d = self.state_dict()
        return np.concatenate([np.ravel(v) for k, v in d.items() if k != "options"])

    def load_state_buffer(self, buffer: ArrayLike) -> "Evaluator":
        """Replaces the state with the one ``buffer`` holds (a :meth:`state_buffer` of an
        evaluator with the same options, or a sum of several). Returns self."""
        like = self.state_dict()  # the layout: any state of these options has it
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
        self._load(d)
        return self

    def _load(self, state_dict: Mapping[str, Any]) -> None:
        """Replaces the state, the score cast and the counts with those of ``state_dict``."""
        d = {k: (v if k == "options" else _as_int64(v, k)) for k, v in state_dict.items()}
        counts = {name: d.pop(name, None) for name in self._count_names}
        state = type(self._state).from_state_dict(  # checks the format and the entries
            d, threads=self.threads, tiny_rows=True)
        view = _score_cast.view_from_options(d["options"])
        values = {}
        for name, value in counts.items():
            if value is None:
                raise ValueError(f"state_dict: missing entry '{name}'")
            if value.shape != () or int(value) < 0:
                raise ValueError(
                    f"state_dict: entry '{name}': expected a count of rows (a non-negative "
                    f"int64 scalar), got {value.tolist()!r}"
                )
            values[name] = int(value)
        self._state, self._view = state, view
        with self._lock:
            self._counts = _score_cast.Counts(values)

    @classmethod
    def from_state_dict(
        cls, state_dict: Mapping[str, Any], *, profile: str | None = None, threads: int = 0
    ) -> "Evaluator":
        """Rebuilds an Evaluator from :meth:`state_dict` (or a sum of several). ``profile``:
        the default profile of :meth:`compute` (not stored in the state: pass the one the
        evaluators were built with); the scores the state holds are the ones its options name
        (``score_cast``, ``argmax_scores``)."""
        d = dict(state_dict)
        if "options" not in d:
            raise ValueError("state_dict: missing entry 'options'")
        options = dict(d["options"])
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
        elif options.get("kind") == "labelwise":
            labels = int(options["num_labels"])
            ev = cls(
                task="multilabel" if labels > 1 else "binary",
                num_labels=labels,
                threshold=options["threshold"],
                profile=profile,
                threads=threads,
            )
        else:
            raise ValueError("state_dict: options['kind'] must be 'multiclass' or 'labelwise'")
        ev._load(d)
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
        return (
            bool(self._state == other._state)
            and self._view == other._view
            and self._counts.values == other._counts.values
        )

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
