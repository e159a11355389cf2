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
counts, per state, the rows where another view would have given a different state:

* ``cast_changed_rows``: rows the flushed view changes (float64 scores, or a subnormal);
* ``cast_argmax_rows`` / ``cast_argmax_rank_rows`` / ``cast_argmax_loss_rows``: rows of
  batches whose top-1 counts (argmax class, decisions at the threshold) / rank counts (read
  with ``top_k`` or ``ties``) / loss sums differ between the flushed and the argmax view (a
  negative zero that decides something: the two states of such a batch are computed and
  compared).

A reading whose view differs from the accumulated one is served when the counts that
separate the two views are zero (the state would have been the same bits) and refused
otherwise (:func:`check_reading`). The counts are plain int64 entries of the state dict,
so sums of state dicts and merges carry them exactly.
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

# The counts every state carries, in state-dict order.
CHANGED = "cast_changed_rows"  # rows the flushed view changes
# Rows of batches where the flushed and argmax views give different entries, by what reads
# them: the top-1 counts (argmax class, element-wise decisions), the rank counts (readings
# with top_k or ties), the loss sums.
ARGMAX, RANKS, LOSS = "cast_argmax_rows", "cast_argmax_rank_rows", "cast_argmax_loss_rows"
RANK1 = "rank1_rows"  # rows read from (N,) scores: Keras' binary cross-entropy rule needs it
COUNTS = (CHANGED, ARGMAX, RANKS, LOSS)
LABELWISE_COUNTS = (CHANGED, ARGMAX, LOSS, RANK1)

LOSS_METRICS = ("cross_entropy", "binary_cross_entropy")
# State entries no reading reads (the catalogue of explain() reads the flag).
_UNREAD_ENTRIES = ("options", "states", "batches", "scores_in_unit_interval")


def _group(entry: str) -> str:
    """Which count a difference in a state entry goes to (every unlisted entry: ARGMAX)."""
    if entry.startswith(("loss_", "bce")):
        return LOSS
    if entry.startswith(("rank_", "topk_", "w_topk_")):
        return RANKS
    return ARGMAX


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
    fresh: Callable[[], Any],
    update: Callable[[Any, np.ndarray], None],
    merge: Callable[[Any], None],
    names: tuple[str, ...],
) -> Counts:
    """Folds one batch of float ``scores`` into the state, in ``view``; returns its counts.

    ``counted``: the rows the state counts (None: all). ``fresh()`` makes an empty state of
    the Evaluator's options; ``update(state, scores)`` folds the batch, read from ``scores``,
    into ``state`` (None: the Evaluator's own); ``merge(state)`` adds a state to the
    Evaluator's. The batch is folded as one update of the Evaluator's state, or, when the
    flushed and argmax views differ in it, as the merge of one of two batch states (the other,
    of the other view, is compared with it and dropped).
    """
    counts = Counts.zero(names)

    def rows_counted(rows: np.ndarray | None = None) -> int:
        if rows is None:
            return len(scores) if counted is None else int(np.count_nonzero(counted))
        return int(np.count_nonzero(rows if counted is None else rows & counted))

    # The state is updated first: it checks the shapes and values the counting relies on.
    if scores.dtype == np.float64 and view.cast == AS_GIVEN:
        # Every flushed reading is refused (all its rows changed): nothing else to learn.
        update(None, scores)
        flushed = None
    else:
        flushed = cast_scores(scores, FLUSH)
        if view.cast == AS_GIVEN and flushed is not scores:  # float32 with a subnormal
            update(None, scores)
        else:
            # The flushed view is the accumulated one, or equals it (float32, no subnormal).
            ranked = cast_scores(flushed, FLUSH, argmax=True)
            mine = scores if view.cast == AS_GIVEN else (ranked if view.argmax else flushed)
            if ranked is flushed:  # no negative zero: the two views are the same bits
                update(None, mine)
            else:
                a, b = fresh(), fresh()
                update(a, mine)
                update(b, flushed if view.argmax else ranked)
                for group in _differing(a.state_dict(), b.state_dict()):
                    counts.values[group] = int(a.samples)
                merge(a)
    if scores.ndim == 1 and RANK1 in names:
        counts.values[RANK1] = rows_counted()
    if scores.dtype == np.float64:
        counts.values[CHANGED] = rows_counted()
    elif flushed is not None and flushed is not scores:
        changed = flushed.view(np.uint32) != scores.view(np.uint32)
        counts.values[CHANGED] = rows_counted(changed.any(axis=1) if changed.ndim == 2 else changed)
    return counts


def _differing(x: Mapping[str, Any], y: Mapping[str, Any]) -> set[str]:
    """The counts (_group) of the entries in which two states differ."""
    return {
        _group(key)
        for key, value in x.items()
        if key not in _UNREAD_ENTRIES and not np.array_equal(value, y[key])
    }


# ---- readings ---------------------------------------------------------------------------


def check_reading(
    metric: str, profile: str | None, top_k: Any, ties: Any, held: View, counts: Counts
) -> None:
    """Raises UnavailableError when ``metric`` under ``profile`` needs scores that differ from
    the ones the state ``held`` in a way its ``counts`` saw."""
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
    if metric in LOSS_METRICS:
        read = (LOSS,)
    elif top_k is None and ties is None:
        read = (ARGMAX,)  # the first-index argmax, decisions at the threshold
    else:
        read = (ARGMAX, RANKS)
    argmax_rows = max(c.get(name, 0) for name in read)
    if needed.argmax != held.argmax and argmax_rows:
        reasons.append(
            f"in batches of {argmax_rows} of its rows a negative zero (or negative subnormal) "
            "score decides this reading differently under Keras' argmax rule (-0 ranks below "
            "+0) than under in_top_k and the losses (the zeros equal)"
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
