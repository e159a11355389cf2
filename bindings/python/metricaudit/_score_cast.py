"""Profiles' score casts in the streaming Evaluator: which scores a state holds, and when a
reading under another cast cannot be served from it exactly.

A profile's ``score_cast`` (applied by :func:`metricaudit._inputs.cast_scores`) decides
which scores its library computes with. Three views of a batch of float scores exist:

* as given (``as_given``: every profile but ``keras``);
* flushed (``float32_flush_subnormals``: Keras 3 on jax, CPU): float32, subnormal values
  zeros of their sign. What Keras' losses and its ``in_top_k`` (readings with ``top_k``)
  see;
* flushed with Keras' argmax rule: a negative zero ranked below +0
  (keras/src/backend/jax/numpy.py argmax). What its readings without ``top_k`` see.

The functional API casts the whole input for the one reading it computes. An Evaluator
accumulates ONE view (its profile's; the argmax one with ``argmax_scores=True``) and
counts, per state, the rows where another view could give a different state:

* ``cast_changed_rows``: rows the flushed view changes (float64 scores, or a subnormal);
* ``cast_negative_zero_rows``: rows holding a negative zero once flushed (a zero or a
  subnormal of negative sign), the only cells the argmax rule changes: where the two Keras
  views can differ at all (ranks, top-k sets, losses, torchmetrics' per-update choice of a
  sigmoid);
* ``cast_argmax_rows``: of those, the rows whose first-index argmax or a decision at the
  threshold differs between the two: all that a reading without ``top_k`` or ``ties``
  reads (the top-1 counts, the confusion matrix, the element-wise decisions).

Only rows holding a zero or a subnormal (|x| < FLT_MIN for float32) can differ between the
views. The C++ pass lists them as it folds a batch (the Evaluator's core states are built
with ``tiny_rows=True``; the float32 kernels test each score in the sweep that loads it), so
:func:`fold_batch` casts and counts those rows alone and reads the batch no other time.

Each count is a sum over rows, whatever the batches, so merged and summed states carry it
exactly and a reading is refused or served alike however the rows were batched. A reading
whose view differs from the accumulated one is served when the counts that separate the
two views are zero (the state would have been the same bits) and refused otherwise
(:func:`check_reading`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

import numpy as np

from . import _core
from ._inputs import cast_scores
from ._options import profile_row

AS_GIVEN = "as_given"
FLUSH = "float32_flush_subnormals"
# The casts whose top-1 readings add Keras' argmax rule (cast_scores(..., argmax=True)).
_ARGMAX_CASTS = (FLUSH,)

# The counts every state carries, in state-dict order (the module's docstring).
CHANGED, NEGZERO, ARGMAX = "cast_changed_rows", "cast_negative_zero_rows", "cast_argmax_rows"
RANK1 = "rank1_rows"  # rows read from (N,) scores: Keras' binary cross-entropy rule needs it
COUNTS = (CHANGED, NEGZERO, ARGMAX)
LABELWISE_COUNTS = COUNTS + (RANK1,)

LOSS_METRICS = ("cross_entropy", "binary_cross_entropy")


@dataclasses.dataclass(frozen=True)
class View:
    """Which scores a state holds or a reading needs."""

    cast: str
    argmax: bool = False

    def describe(self) -> str:
        if self.cast == AS_GIVEN:
            return "the scores as given"
        profiles = ", ".join(repr(p) for p in profiles_with(self.cast))
        what = (
            "its readings without top_k see (float32, subnormals flushed to zeros of their "
            "sign, and a negative zero ranked below +0 as Keras' argmax ranks it)"
            if self.argmax
            else "its losses and top-k readings see (float32, subnormals flushed to zeros of "
            "their sign, the two zeros equal)"
        )
        return f"the scores profile {profiles} casts them to, as {what}"

    def constructor(self) -> str:
        """The Evaluator arguments that accumulate this view."""
        if self.cast == AS_GIVEN:
            return "profile=None (or any profile that reads the scores as given)"
        profile = profiles_with(self.cast)[0]
        return f"profile={profile!r}" + (", argmax_scores=True" if self.argmax else "")


def profiles_with(cast: str) -> list[str]:
    rows = _core.profiles()
    return [r["name"] for r in rows if r["score_cast"] == cast and r["name"] != "default"]


def _cast_of(profile: str | None) -> str:
    cast = profile_row(profile)["score_cast"]
    if cast not in (AS_GIVEN, FLUSH):  # a new cast needs its rules here and in cast_scores
        raise NotImplementedError(f"score_cast {cast!r} of profile {profile!r}: not handled")
    return cast


def accumulated_view(profile: str | None, argmax_scores: bool) -> View:
    """The view an Evaluator of ``profile`` accumulates."""
    cast = _cast_of(profile)
    if argmax_scores and cast not in _ARGMAX_CASTS:
        name = "None" if profile is None else repr(profile)
        raise ValueError(
            f"argmax_scores: profile {name} reads the scores as given (score_cast {cast!r}); "
            f"only the casts of profile(s) {', '.join(map(repr, _argmax_profiles()))} have an "
            "argmax rule"
        )
    return View(cast, bool(argmax_scores))


def _argmax_profiles() -> list[str]:
    return [p for cast in _ARGMAX_CASTS for p in profiles_with(cast)]


def view_from_options(options: Mapping[str, Any]) -> View:
    """The view a state dict's options name (written by :func:`view_options`)."""
    for key in ("score_cast", "argmax_scores"):
        if key not in options:
            raise ValueError(f"state_dict: options lack '{key}' (re-create the state dict with "
                             "this version)")
    cast, argmax = options["score_cast"], options["argmax_scores"]
    if cast not in (AS_GIVEN, FLUSH) or not isinstance(argmax, (bool, np.bool_)):
        raise ValueError(f"state_dict: options['score_cast'] / ['argmax_scores']: unknown view "
                         f"{cast!r} / {argmax!r}")
    if argmax and cast not in _ARGMAX_CASTS:
        raise ValueError(f"state_dict: options['argmax_scores'] is True for score_cast {cast!r}")
    return View(str(cast), bool(argmax))


def view_options(view: View) -> dict[str, Any]:
    return {"score_cast": view.cast, "argmax_scores": view.argmax}


def reading_view(profile: str | None, metric: str, top_k: Any) -> View:
    """The view the functional API computes ``metric`` from under ``profile``: the profile's
    cast; with Keras' argmax rule for a classification reading without ``top_k``."""
    cast = _cast_of(profile)
    argmax = cast in _ARGMAX_CASTS and metric not in LOSS_METRICS and top_k is None
    return View(cast, argmax)


# ---- update ---------------------------------------------------------------------------


@dataclasses.dataclass
class Counts:
    """The bookkeeping of one state (or of one batch, before it is added)."""

    values: dict[str, int]

    @classmethod
    def zero(cls, names: tuple[str, ...]) -> "Counts":
        return cls({n: 0 for n in names})

    def add(self, other: "Counts") -> None:
        for k, v in other.values.items():
            self.values[k] += v


def fold_batch(
    view: View,
    scores: np.ndarray,
    counted: np.ndarray | None,
    threshold: float,
    multiclass: bool,
    state: Any,
    fresh_state: Callable[[], Any],
    fold: Callable[[Any, np.ndarray], np.ndarray],
    names: tuple[str, ...],
) -> Counts:
    """Folds one batch of float ``scores`` into ``state`` in ``view``; returns its counts.

    ``counted``: the rows the state counts (None: all); ``threshold``: the state's decision
    threshold; ``multiclass``: each row has a top-1 class. ``fold(s, scores)`` folds
    ``scores`` into the core state ``s`` (``s.update(scores, target, weight)`` of a state
    built with ``tiny_rows=True``) and returns the rows the pass scored that hold a zero or
    a subnormal score (found by the sweep that loads the scores: no scan of its own);
    ``fresh_state()``: an empty core state of the same options.

    Float32 scores: only those rows can differ between the views, so only they are cast
    (no N x C temporary). In the view as given the batch is folded into ``state`` at once.
    In a flushed view it is folded into a fresh state, merged into ``state`` when the view
    changes none of the listed rows (no subnormal; no negative zero under
    ``argmax_scores``): the common case. Otherwise the fresh state is dropped and a copy of
    the batch with those rows cast is folded instead (a second pass, on rare batches).
    Either way the state is the one the cast batch would give (an update is a merge of the
    batch's own state). Float64 scores: as given, one pass; in a float32 view, a whole cast
    (every row changed)."""
    counts = Counts.zero(names)

    def rows_counted(rows: np.ndarray | None = None) -> int:
        if rows is None:
            return len(scores) if counted is None else int(np.count_nonzero(counted))
        return int(np.count_nonzero(rows if counted is None else rows & counted))

    if scores.dtype == np.float64 and view.cast == AS_GIVEN:
        # Every flushed reading is refused (all its rows changed): nothing else to learn.
        fold(state, scores)
    elif scores.dtype == np.float32:
        batch = state if view.cast == AS_GIVEN else fresh_state()
        rows = fold(batch, scores)
        sub = scores[rows]
        flushed_sub = cast_scores(sub, FLUSH)
        ranked_sub = cast_scores(flushed_sub, FLUSH, argmax=True)
        view_sub = sub if view.cast == AS_GIVEN else (ranked_sub if view.argmax else flushed_sub)
        if view_sub is not sub:  # the view changes a listed row: fold the cast batch instead
            viewed = scores.copy()
            viewed[rows] = view_sub
            batch = fresh_state()
            fold(batch, viewed)
        if batch is not state:
            state.merge(batch)
        in_state = None if counted is None else counted[rows]

        def count(mask: np.ndarray) -> int:
            return int(np.count_nonzero(mask if in_state is None else mask & in_state))

        if ranked_sub is not flushed_sub:  # a negative zero somewhere
            negative = _rows(np.signbit(flushed_sub) & (flushed_sub == 0))
            counts.values[NEGZERO] = count(negative)
            moved = negative if in_state is None else negative & in_state
            counts.values[ARGMAX] = _top1_changes(
                flushed_sub[moved], ranked_sub[moved], threshold, multiclass)
        if flushed_sub is not sub:
            counts.values[CHANGED] = count(_rows(flushed_sub.view(np.uint32) != sub.view(np.uint32)))
    else:  # float64 scores in a float32 view: a whole cast, and every row changed (below)
        flushed = cast_scores(scores, FLUSH)
        ranked = cast_scores(flushed, FLUSH, argmax=True)
        fold(state, ranked if view.argmax else flushed)
        if ranked is not flushed:  # a negative zero somewhere
            negative = np.signbit(flushed) & (flushed == 0)  # the cells the argmax rule moves
            rows = _rows(negative) if counted is None else _rows(negative) & counted
            counts.values[NEGZERO] = int(np.count_nonzero(rows))
            counts.values[ARGMAX] = _top1_changes(
                flushed[rows], ranked[rows], threshold, multiclass)
    if scores.ndim == 1 and RANK1 in names:
        counts.values[RANK1] = rows_counted()
    if scores.dtype == np.float64:
        counts.values[CHANGED] = rows_counted()
    return counts


def _rows(cells: np.ndarray) -> np.ndarray:
    return cells.any(axis=1) if cells.ndim == 2 else cells


def _top1_changes(
    flushed: np.ndarray, ranked: np.ndarray, threshold: float, multiclass: bool
) -> int:
    """Rows whose top-1 reading differs between the two Keras views: the first maximal index
    (the pass's argmax: the first of equal maxima, -0 == +0; a row of a multi-class state) or
    a decision ``score > threshold`` in float32, the scores' type (the pass's threshold
    comparison; a torch sigmoid of -0 and of -tiny is 0.5 alike, so the sigmoid decisions of
    a binary / multilabel state never differ)."""
    t = np.float32(threshold)
    differs = _rows((flushed > t) != (ranked > t))
    if multiclass and flushed.shape[0]:
        differs |= np.argmax(flushed, axis=1) != np.argmax(ranked, axis=1)
    return int(np.count_nonzero(differs))


# ---- readings ---------------------------------------------------------------------------


def check_reading(
    metric: str,
    profile: str | None,
    top_k: Any,
    ties: Any,
    labelwise: bool,
    reading: str | None,
    held: View,
    counts: Counts,
) -> None:
    """Raises UnavailableError when ``metric`` under ``profile`` needs scores that differ from
    the ones the state ``held`` in a way its ``counts`` saw. ``labelwise``: a binary /
    multilabel state, read with the score ``reading`` asked for (None: the profile's)."""
    needed = reading_view(profile, metric, top_k)
    if needed == held:
        return
    c = counts.values
    reasons = []
    if (needed.cast == AS_GIVEN) != (held.cast == AS_GIVEN) and c[CHANGED]:
        reasons.append(
            f"the cast changed {c[CHANGED]} of the rows it counted (float64 scores become "
            "float32; subnormal values become zeros)"
        )
    # torchmetrics' sigmoid rule is decided per update on the whole batch, which one
    # negative zero can move out of [0, 1] (-tiny).
    auto = labelwise and (reading or profile_row(profile)["reading"]) == "torchmetrics_auto"
    if metric not in LOSS_METRICS and top_k is None and ties is None and not auto:
        # The first-index argmax and the decisions at the threshold: what it reads.
        rows = c[ARGMAX]
        what = "a negative zero (or negative subnormal) score changes the top-1 class or a " \
               "decision"
    else:
        rows = c[NEGZERO]  # ranks, top-k sets, losses, a per-update sigmoid choice
        what = "a score is a negative zero (or a negative subnormal)"
    if needed.argmax != held.argmax and rows:
        reasons.append(
            f"in {rows} of its rows {what} between Keras' argmax rule (-0 ranks below +0) and "
            "its in_top_k and losses (the zeros equal)"
        )
    if not reasons:
        return  # the scores differ nowhere this reading looks: the state is the same bits
    name = "None" if profile is None else repr(profile)
    raise _core.UnavailableError(
        f"{metric} under profile {name} is computed from {needed.describe()}; this Evaluator "
        f"accumulated {held.describe()}, and {'; and '.join(reasons)}. Its value could differ "
        f"from the functional API's with profile={name} on the same data, so none is returned: "
        f"accumulate an Evaluator with {needed.constructor()} for this reading"
    )
