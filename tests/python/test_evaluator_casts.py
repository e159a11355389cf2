"""The Evaluator under profiles' score casts: fed the data in batches, it gives the functional
API's value on the whole data, bit for bit, or refuses; never a different number.

The functional API casts the scores for the one reading it computes (the keras profile:
float32, subnormals flushed to zeros of their sign, and Keras' argmax ranking -0 below +0
for readings without top_k; _inputs.cast_scores). An Evaluator holds one cast of the scores
and counts where another would differ (_score_cast.py). These tests draw seeded random data
made of the values where the casts differ (float64 values float32 rounds, subnormals of
float32 and float64, zeros of both signs, exact ties, -inf logits), feed it in random
batches, and compare every reading under every profile with the functional API's:

* an Evaluator's reading equals the functional value (same bits, or the same error), or it
  is refused with the score-cast error;
* a refusal happens only when the data holds what separates the two casts, and the
  Evaluator the error names serves the reading exactly;
* the Evaluator of the reading's own cast never refuses.

Keras' own outputs are the golden file random-keras-3.15.1.json, checked against the
functional API by test_golden.py; test_keras_golden_sets_stream_like_the_functional_api runs
the Evaluator on the same sets and calls, so Evaluator = functional = Keras there.
"""

from __future__ import annotations

import collections
import json
import pathlib
from typing import Any, Callable

import numpy as np
import pytest

import metricaudit as ma
from metricaudit import _core, _inputs, _score_cast
from metricaudit._inputs import cast_scores
from metricaudit._options import categorical_accuracy, infer_task

PROFILES = [row["name"] for row in _core.profiles() if row["name"] != "default"] + [None]
KERAS = "keras"
FLUSH = "float32_flush_subnormals"
TINY = float(np.finfo(np.float32).tiny)
REFUSED = "none is returned"  # the score-cast refusal (_score_cast.check_reading)

# Values where the casts differ: zeros of both signs, float32 subnormals and the smallest
# normal, float64 subnormals (zero in float32), and float64 values float32 rounds.
SPECIAL32 = [0.0, -0.0, 1e-40, -1e-40, 3e-39, -3e-39, TINY, -TINY, 0.5, -0.5, 1.0, 0.25, -1.0]
SPECIAL64 = SPECIAL32 + [1e-310, -1e-310, 0.1, 1.0 / 3.0, -0.7, 1e-39 / 3.0]

CONSTRUCTOR = ("task", "num_classes", "num_labels", "ignore_index", "threshold")


# ---- data ------------------------------------------------------------------------------------


def _batches(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """Row indices of 1 to 4 consecutive batches covering range(n)."""
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(n - 1, int(rng.integers(0, 4))),
                              replace=False))
    return [np.arange(a, b) for a, b in zip([0, *cuts], [*cuts, n])]


def _scores(rng: np.random.Generator, shape: tuple[int, ...], style: str, dtype: Any) -> np.ndarray:
    special = SPECIAL64 if dtype == np.float64 else SPECIAL32
    if style == "special":  # mostly the values above: rows whose maximum is a zero, ties
        x = rng.choice(special, size=shape)
    elif style == "zeros":  # zeros of both signs, no subnormal: only Keras' argmax rule differs
        x = rng.choice([0.0, -0.0, 0.25, 0.5, 0.75, 1.0] + ([-1.0] if len(shape) == 2 else []),
                       size=shape)
    elif style == "probs":  # non-negative, some zeros of both signs and subnormals
        x = rng.choice([0.0, -0.0, 1e-40, 0.125, 0.25, 0.5, 1.0], size=shape)
        if dtype == np.float64:
            x = np.where(rng.random(shape) < 0.2, rng.random(shape), x)
    else:  # logits on a grid (ties), some special values and -inf
        x = np.round(rng.normal(0, 2, size=shape) * 4) / 4
        x = np.where(rng.random(shape) < 0.2, rng.choice(special, size=shape), x)
        if len(shape) == 2:
            x = np.where(rng.random(shape) < 0.04, -np.inf, x)
    return np.asarray(x, dtype=dtype)


def multiclass_data(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(12, 90)), int(rng.integers(2, 6))
    styles = ["special", "probs", "logits", "zeros"]
    style, dtype = styles[seed % 4], np.float64 if (seed // 4) % 2 else np.float32
    preds = _scores(rng, (n, c), style, dtype)
    rows = np.isneginf(preds).all(axis=1)
    preds[rows, 0] = 0.0  # a row of -inf is refused by both APIs alike; keep it out
    target = rng.integers(0, c, n)
    ignore_index = int(rng.choice([-1, c - 1])) if rng.random() < 0.3 else None
    if ignore_index is not None:
        target = np.where(rng.random(n) < 0.3, ignore_index, target)
    weight = rng.integers(0, 4, n) / 2.0 if rng.random() < 0.4 else None
    return dict(preds=preds, target=target, sample_weight=weight, num_classes=c,
                ignore_index=ignore_index, batches=_batches(rng, n), style=style)


def labelwise_data(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(12, 60))
    labels = 1 if seed % 3 == 0 else int(rng.integers(2, 5))
    shape = (n,) if labels == 1 else (n, labels)
    styles = ["special", "probs", "logits", "decisions", "zeros"]
    style, dtype = styles[seed % 5], np.float64 if (seed // 5) % 2 else np.float32
    batches = _batches(rng, n)
    if style == "decisions":  # 0/1 integer decisions: float64 scores once read
        preds = rng.integers(0, 2, shape)
    else:
        preds = _scores(rng, shape, style, dtype)
        preds[np.isinf(preds)] = 1.0
        if style in ("probs", "zeros"):
            preds = np.where(preds < 0, -0.0, preds).astype(dtype)  # -0 only: in [0, 1]
        else:
            # torchmetrics decides its sigmoid per update (each batch), the functional API on
            # the whole input: a score outside [0, 1] in every batch makes them agree.
            for rows in batches:
                preds[rows[0]] = 3.0
    weight = rng.integers(0, 4, n) / 2.0 if rng.random() < 0.4 else None
    return dict(preds=preds, target=rng.integers(0, 2, shape), sample_weight=weight,
                num_labels=labels if labels > 1 else None, batches=batches, style=style)


# ---- the readings ----------------------------------------------------------------------------


def multiclass_calls(c: int) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    for metric in ("accuracy", "precision", "recall", "f1"):
        for average in (None, "micro", "macro", "none"):
            for top_k in (None, 1, 2):
                calls.append((metric, dict(average=average, top_k=top_k)))
    calls.append(("accuracy", dict(ties="optimistic")))
    calls.append(("accuracy", dict(ties="high_index_first", average="macro")))
    calls.append(("precision", dict(top_k=2, topk_predicted="whole_set", average="macro")))
    for loss in (None, "logits", "keras_probabilities", "sklearn_probabilities",
                 "keras_binary_onehot"):
        calls.append(("cross_entropy", dict(loss=loss)))
        calls.append(("cross_entropy", dict(loss=loss, reduction="sum")))
    calls.append(("cross_entropy", dict(label_smoothing=0.25)))
    calls.append(("cross_entropy", dict(class_weights=np.arange(1.0, c + 1.0))))
    calls.append(("confusion_matrix", {}))
    calls.append(("balanced_accuracy", {}))
    return calls


def labelwise_calls(labels: int | None) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    for metric in ("accuracy", "precision", "recall", "f1"):
        for average in (None, "micro", "macro", "none"):
            calls.append((metric, dict(average=average)))
    for multilabel in ("subset", "labelwise", "elementwise"):
        calls.append(("accuracy", dict(multilabel=multilabel)))
    calls.append(("accuracy", dict(reading="sigmoid")))
    for loss in (None, "torch_logits", "torch_probabilities", "keras_probabilities",
                 "sklearn_probabilities"):
        if loss == "sklearn_probabilities" and labels is not None:
            continue  # sklearn's log_loss of class 1's probability: (N,) only
        calls.append(("binary_cross_entropy", dict(loss=loss)))
        calls.append(("binary_cross_entropy", dict(loss=loss, reduction="sum")))
    return calls


def functional(metric: str, data: dict[str, Any], profile: str | None, **kw: Any) -> Any:
    """The functional API's reading of the whole data."""
    p, t, w = data["preds"], data["target"], data["sample_weight"]
    multiclass = "num_classes" in data
    if metric in ("confusion_matrix", "balanced_accuracy"):
        # No profile: the functions read the scores as given; under a profile that casts,
        # the scores the Evaluator's reading stands for are those the cast gives.
        cast = _core.profiles()[[r["name"] for r in _core.profiles()].index(
            profile or "default")]["score_cast"]
        p = cast_scores(p, cast, argmax=True)
        extra = {} if metric == "confusion_matrix" else dict(sample_weight=w)
        return getattr(ma, metric)(p, t, num_classes=data["num_classes"],
                                   ignore_index=data["ignore_index"], **extra)
    if metric == "binary_cross_entropy":
        return ma.binary_cross_entropy(p, t, sample_weight=w, profile=profile, **kw)
    if multiclass:
        kw.update(num_classes=data["num_classes"], ignore_index=data["ignore_index"])
    elif metric != "cross_entropy":
        kw.update(task="binary" if p.ndim == 1 else "multilabel")
    return getattr(ma, metric)(p, t, sample_weight=w, profile=profile, **kw)


def evaluator(data: dict[str, Any], profile: str | None,
              argmax_scores: bool = False) -> ma.Evaluator:
    """An Evaluator of ``profile`` fed ``data`` in its batches, keeping every optional count."""
    if "num_classes" in data:
        ev = ma.Evaluator(data["num_classes"], top_k=[1, 2], ignore_index=data["ignore_index"],
                          topk_sets=True, smoothing_columns=True, confusion_matrix=True,
                          profile=profile, argmax_scores=argmax_scores)
    else:
        p = data["preds"]
        ev = ma.Evaluator(task="binary" if p.ndim == 1 else "multilabel",
                          num_labels=data["num_labels"], profile=profile,
                          argmax_scores=argmax_scores)
    w = data["sample_weight"]
    for rows in data["batches"]:
        ev.update(data["preds"][rows], data["target"][rows], None if w is None else w[rows])
    return ev


def outcome(f: Callable[[], Any]) -> tuple[str, Any]:
    """A reading as comparable bits: ("value", dtype, bytes) or ("error", type, message)."""
    try:
        v = f()
    except ValueError as e:
        return ("error", type(e).__name__, str(e))
    a = np.asarray(v)
    return ("value", a.dtype.str, a.shape, a.tobytes())


def refused(o: tuple[str, Any]) -> bool:
    return o[0] == "error" and REFUSED in o[2]


# ---- what separates the casts in the data ----------------------------------------------------


def _float_scores(data: dict[str, Any]) -> np.ndarray | None:
    """The scores as float: binary / multilabel integer decisions are read as float64 scores;
    multi-class predicted labels are no scores (None)."""
    p = data["preds"]
    if p.dtype.kind == "f":
        return p
    return np.asarray(p, dtype=np.float64) if "num_labels" in data else None


# Written here from the rule (docs/conventions.md), not with the package's cast_scores.


def cast_changes(data: dict[str, Any]) -> bool:
    """Keras' cast changes the scores: float64 ones, or a float32 subnormal value."""
    p = _float_scores(data)
    if p is None:
        return False
    magnitude = np.abs(p)
    return p.dtype == np.float64 or bool(np.any((magnitude > 0) & (magnitude < TINY)))


def has_negative_zero(data: dict[str, Any]) -> bool:
    """Keras' argmax rule changes the cast scores: once in float32, a zero or subnormal of
    negative sign (both read as -0)."""
    p = _float_scores(data)
    if p is None:
        return False
    p32 = p.astype(np.float32)
    return bool(np.any(np.signbit(p32) & (np.abs(p32) < TINY)))


def argmax_changes(data: dict[str, Any]) -> bool:
    """Keras' argmax rule changes the first maximal index of a counted row of a multi-class
    state (once cast: float32, subnormals zeros of their sign, then -0 read as -tiny)."""
    p = _float_scores(data)
    if p is None or "num_classes" not in data:
        return False
    cast = p.astype(np.float32)
    cast = np.where(np.abs(cast) < TINY, np.copysign(np.float32(0), cast), cast)
    ranked = np.where(np.signbit(cast) & (cast == 0), np.float32(-TINY), cast)
    counted = (np.ones(len(p), dtype=bool) if data["ignore_index"] is None
               else data["target"] != data["ignore_index"])
    return bool(np.any((cast.argmax(axis=1) != ranked.argmax(axis=1)) & counted))


# ---- the differential tests ------------------------------------------------------------------

VIEWS = [(None, False), (KERAS, False), (KERAS, True)]  # every cast an Evaluator can hold


def _compare(kind: str, seeds: range) -> collections.Counter[str]:
    tally: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    for seed in seeds:
        data = multiclass_data(seed) if kind == "multiclass" else labelwise_data(seed)
        calls = (multiclass_calls(data["num_classes"]) if kind == "multiclass"
                 else labelwise_calls(data["num_labels"]))
        held = {view: evaluator(data, *view) for view in VIEWS}
        changes, negzero = cast_changes(data), has_negative_zero(data)
        top1 = argmax_changes(data)
        for profile in PROFILES:
            # Every profile's own Evaluator, read without naming the profile.
            own = evaluator(data, profile)
            for metric, kw in calls:
                expected = outcome(lambda: functional(metric, data, profile, **kw))
                readings = {("own", None): outcome(lambda: own.compute(metric, **kw))}
                for view, ev in held.items():
                    readings[view] = outcome(lambda: ev.compute(metric, profile=profile, **kw))
                served = by_design = False
                for view, got in readings.items():
                    case = f"{kind} seed {seed} {data['style']} profile={profile} " \
                           f"{metric} {kw} Evaluator{view}"
                    if got == expected:
                        tally["bit-identical" if got[0] == "value" else "same error"] += 1
                        served = True
                    elif _by_design(data, profile, metric, kw, got):
                        tally["refused by design"] += 1
                        by_design = True
                    elif not refused(got):
                        problems.append(f"{case}: {got[:3]} != functional {expected[:3]}")
                    else:
                        tally["refused"] += 1
                        # A refusal names what separates the casts; the data must hold it.
                        if "the cast changed" in got[2] and not changes:
                            problems.append(f"{case}: refused for a cast that changes nothing")
                        if "between Keras' argmax rule" in got[2] and not negzero:
                            problems.append(f"{case}: refused for a negative zero not there")
                        if "changes the top-1 class" in got[2] and not top1:
                            problems.append(f"{case}: refused for an argmax that is the same")
                if not served and not by_design:
                    problems.append(f"{kind} seed {seed} profile={profile} {metric} {kw}: "
                                    "no Evaluator serves it")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:25])
    return tally


def _by_design(data: dict[str, Any], profile: str | None, metric: str, kw: dict[str, Any],
               got: tuple[str, Any]) -> bool:
    """The two readings no binary / multilabel state holds, refused where (and only where)
    they apply; each error names its remedy (checked by the tests of each below)."""
    if got[0] != "error":
        return False
    if "CategoricalAccuracy" in got[2]:  # Keras' "accuracy" on a 2-D target
        return (data.get("num_labels") is not None and metric == "accuracy"
                and kw.get("multilabel") is None and profile == KERAS)
    if "ONE sample" in got[2]:  # Keras' binary cross-entropy of (N,) weighted scores
        return (metric == "binary_cross_entropy" and data["preds"].ndim == 1
                and data["sample_weight"] is not None
                and (profile == KERAS or kw.get("loss") == "keras_probabilities"))
    return False


def test_multiclass_evaluator_streams_like_the_functional_api() -> None:
    tally = _compare("multiclass", range(40))
    # Not vacuous: most readings compared equal, and the casts' refusals happened.
    assert tally["bit-identical"] > 20000 and tally["refused"] > 500, tally


def test_labelwise_evaluator_streams_like_the_functional_api() -> None:
    tally = _compare("labelwise", range(40))
    assert tally["bit-identical"] > 8000 and tally["refused"] > 200, tally


@pytest.mark.parametrize("seed", range(6))
def test_clean_scores_are_read_under_every_profile(seed: int) -> None:
    """float32 scores without a subnormal or a negative zero: every Evaluator serves every
    profile's reading (the casts change nothing there)."""
    rng = np.random.default_rng(seed)
    n, c = 40, 4
    data = dict(preds=(rng.integers(1, 9, (n, c)) / 8).astype(np.float32),
                target=rng.integers(0, c, n), sample_weight=None, num_classes=c,
                ignore_index=None, batches=_batches(rng, n), style="clean")
    assert not cast_changes(data) and not has_negative_zero(data)
    for view in VIEWS:
        ev = evaluator(data, *view)
        for profile in PROFILES:
            for metric, kw in multiclass_calls(c):
                got = outcome(lambda: ev.compute(metric, profile=profile, **kw))
                assert got == outcome(lambda: functional(metric, data, profile, **kw)), (
                    view, profile, metric, kw)


# ---- the refusals ----------------------------------------------------------------------------


def test_float64_scores_refuse_another_cast_and_name_the_evaluator() -> None:
    scores = np.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]])  # float64: not exact in float32
    target = np.array([1, 2])
    ev = ma.Evaluator(num_classes=3, profile=KERAS)
    ev.update(scores, target)
    assert ev.compute("cross_entropy") == ma.cross_entropy(scores, target, profile=KERAS)
    with pytest.raises(ma.UnavailableError) as e:
        ev.compute("cross_entropy", profile="torch.nn")
    message = str(e.value)
    assert "profile 'torch.nn'" in message and "2 of the rows" in message
    assert "accumulate an Evaluator with profile=None" in message
    plain = ma.Evaluator(num_classes=3)
    plain.update(scores, target)
    with pytest.raises(ma.UnavailableError, match="accumulate an Evaluator with profile='keras'"):
        plain.compute("cross_entropy", profile=KERAS)
    # Predicted labels: no cast applies, every profile reads them.
    labels = ma.Evaluator(num_classes=3)
    labels.update(np.array([1, 0]), target)
    assert labels.compute("accuracy", profile=KERAS) == 0.5 == ma.accuracy(
        np.array([1, 0]), target, num_classes=3, profile=KERAS)


def test_negative_zero_refuses_the_reading_the_state_cannot_give() -> None:
    """[-0, +0, -1], target 0: Keras' argmax (-0 below +0) predicts class 1, its in_top_k
    (zeros equal) counts a hit at k = 1. One state cannot hold both; each Evaluator serves one
    and refuses the other, naming the one that serves it."""
    scores, target = np.array([[-0.0, 0.0, -1.0]], dtype=np.float32), np.array([0])
    assert ma.accuracy(scores, target, profile=KERAS) == 0.0
    assert ma.accuracy(scores, target, profile=KERAS, top_k=1) == 1.0
    topk = ma.Evaluator(num_classes=3, profile=KERAS)
    argmax = ma.Evaluator(num_classes=3, profile=KERAS, argmax_scores=True)
    for ev in (topk, argmax):
        ev.update(scores, target)
    assert topk.compute("accuracy", top_k=1) == 1.0
    assert argmax.compute("accuracy") == 0.0
    with pytest.raises(ma.UnavailableError, match="argmax_scores=True for this reading"):
        topk.compute("accuracy")
    with pytest.raises(ma.UnavailableError, match="with profile='keras' for this reading"):
        argmax.compute("accuracy", top_k=1)
    # A negative zero that decides nothing: the maximum is positive.
    quiet = ma.Evaluator(num_classes=3, profile=KERAS)
    quiet.update(np.array([[-0.0, 2.0, -1.0]], dtype=np.float32), target)
    assert quiet.compute("accuracy") == 0.0 and quiet.compute("accuracy", top_k=1) == 0.0


def test_negative_zero_and_the_threshold() -> None:
    """A decision ``score > threshold`` is the same for -0 and Keras' argmax's -tiny at every
    threshold the core accepts ([0, 1]), so binary / multilabel decisions and element-wise
    accuracy are served by the default keras state even where a -0 sits at the threshold."""
    scores = np.array([[1.0, -0.0, 0.5], [0.0, 2.0, -0.0]], dtype=np.float32)
    target = np.array([0, 1])
    onehot = np.eye(3, dtype=np.int64)[target]
    for threshold in (0.0, 0.5):
        kw = dict(threshold=threshold, profile=KERAS)
        multiclass = ma.Evaluator(num_classes=3, losses=[], **kw)
        multiclass.update(scores, target)
        labelwise = ma.Evaluator(task="multilabel", num_labels=3, **kw)
        labelwise.update(scores, onehot)
        assert labelwise.state_dict()["cast_negative_zero_rows"] == 2
        assert labelwise.state_dict()["cast_argmax_rows"] == 0
        expected = ma.accuracy(scores, onehot, multilabel="elementwise", **kw)
        assert labelwise.compute("accuracy", multilabel="elementwise") == expected
        assert multiclass.compute("elementwise_binary_accuracy") == expected
        assert multiclass.compute("accuracy") == 1.0  # -0 is no row's maximum here
    # A threshold below 0 (refused by the core today) would separate them: counted.
    flushed = np.array([[1.0, -0.0]], dtype=np.float32)
    ranked = _inputs.cast_scores(flushed, FLUSH, argmax=True)
    assert _score_cast._top1_changes(flushed, ranked, -1e-39, False) == 1
    assert _score_cast._top1_changes(flushed, ranked, 0.0, False) == 0


def test_subnormal_scores_refuse_another_cast() -> None:
    scores = np.array([[0.0, 1e-40, -1.0]], dtype=np.float32)  # Keras: 1e-40 == 0, argmax 0
    target = np.array([1])
    plain = ma.Evaluator(num_classes=3)
    plain.update(scores, target)
    assert plain.compute("accuracy") == 1.0 == ma.accuracy(scores, target)
    with pytest.raises(ma.UnavailableError, match="1 of the rows it counted"):
        plain.compute("accuracy", profile=KERAS)
    keras = ma.Evaluator(num_classes=3, profile=KERAS)
    keras.update(scores, target)
    assert keras.compute("accuracy") == 0.0 == ma.accuracy(scores, target, profile=KERAS)
    # Ignored rows are not counted, so they cannot change a reading.
    ignored = ma.Evaluator(num_classes=3, ignore_index=1)
    ignored.update(scores, target)
    assert ignored.state_dict()["cast_changed_rows"] == 0
    assert ignored.compute("accuracy", profile=KERAS) == ma.accuracy(
        scores, target, profile=KERAS, ignore_index=1, num_classes=3)


def test_argmax_scores_needs_a_cast_with_an_argmax_rule() -> None:
    with pytest.raises(ValueError, match="argmax_scores: profile 'sklearn' reads the scores"):
        ma.Evaluator(num_classes=3, profile="sklearn", argmax_scores=True)
    with pytest.raises(ValueError, match="profile: unknown name 'no-such-profile'"):
        ma.Evaluator(num_classes=3, profile="no-such-profile")


def test_keras_categorical_accuracy_is_refused_by_the_multilabel_state() -> None:
    scores = np.array([[0.5, 0.5, 0.0], [0.2, 0.4, 0.4]])
    onehot = np.array([[0, 1, 0], [0, 0, 1]])
    assert ma.accuracy(scores, onehot, profile=KERAS) == 0.0  # CategoricalAccuracy
    ev = ma.Evaluator(task="multilabel", num_labels=3, profile=KERAS)
    ev.update(scores, onehot)
    with pytest.raises(ma.UnavailableError, match="CategoricalAccuracy") as e:
        ev.compute("accuracy")
    assert "Evaluator(num_classes=3, profile='keras')" in str(e.value)
    # The remedy the error names gives Keras' value.
    remedy = ma.Evaluator(num_classes=3, profile=KERAS)
    remedy.update(scores, onehot.argmax(axis=1))
    assert remedy.compute("accuracy") == 0.0
    assert ev.compute("accuracy", multilabel="elementwise") == ma.accuracy(
        scores, onehot, profile=KERAS, multilabel="elementwise")


def test_keras_rank1_binary_cross_entropy() -> None:
    """Keras reads (N,) scores as ONE sample: mean(l) * mean(w). An unweighted state gives it;
    a weighted one, or one mixing (N,) and (N, 1) scores, is refused."""
    p, y = np.array([0.9, 0.2, 0.6, 0.3], dtype=np.float32), np.array([1, 0, 0, 1])
    for reduction in (None, "sum"):
        ev = ma.Evaluator(task="binary", profile=KERAS)
        ev.update(p[:2], y[:2])
        ev.update(p[2:], y[2:])
        assert ev.compute("binary_cross_entropy", reduction=reduction) == ma.binary_cross_entropy(
            p, y, profile=KERAS, reduction=reduction)
    weighted = ma.Evaluator(task="binary", profile=KERAS)
    weighted.update(p, y, sample_weight=np.array([1.0, 2.0, 0.5, 1.0]))
    with pytest.raises(ma.UnavailableError, match="ONE sample"):
        weighted.compute("binary_cross_entropy")
    # Another profile reads per sample: the weighted state serves it.
    w = np.array([1.0, 2.0, 0.5, 1.0])
    assert weighted.compute("binary_cross_entropy", profile="torch.nn",
                            loss="torch_probabilities") == ma.binary_cross_entropy(
        p, y, sample_weight=w, loss="torch_probabilities")
    mixed = ma.Evaluator(task="binary", profile=KERAS)
    mixed.update(p[:2], y[:2])
    mixed.update(p[2:, None], y[2:, None])
    with pytest.raises(ma.UnavailableError, match="mixes 2 rows of \\(N,\\) scores"):
        mixed.compute("binary_cross_entropy")


# ---- merges and state dicts ------------------------------------------------------------------


def _all_readings(ev: ma.Evaluator, c: int) -> list[Any]:
    out = []
    for profile in PROFILES:
        for metric, kw in multiclass_calls(c):
            out.append(outcome(lambda: ev.compute(metric, profile=profile, **kw)))
    return out


@pytest.mark.parametrize("view", VIEWS)
def test_merged_and_summed_states_refuse_and_serve_as_one(view: tuple[Any, bool]) -> None:
    """Three workers' states, merged, summed as state dicts and as buffers: every reading
    under every profile (value or refusal) is that of one Evaluator fed the rows in other
    batches, bit for bit (the counts are sums over rows)."""
    for seed in (3, 6, 8):  # float32 signed zeros, float64 logits, float32 special values
        data = multiclass_data(seed)
        rows = np.arange(len(data["target"]))
        parts = [evaluator(dict(data, batches=[part]), *view)
                 for part in np.array_split(rows, 3)]
        _same_as_one(evaluator(data, *view), parts, data, view)


def _same_as_one(whole: ma.Evaluator, parts: list[ma.Evaluator], data: dict[str, Any],
                 view: tuple[Any, bool]) -> None:
    expected = _all_readings(whole, data["num_classes"])
    assert any(refused(o) for o in expected) and any(o[0] == "value" for o in expected)
    merged = evaluator(dict(data, batches=[]), *view)
    for part in parts:
        merged.merge(part)
    summed = ma.Evaluator.from_state_dict(ma.sum_state_dicts([p.state_dict() for p in parts]),
                                          profile=view[0])
    buffered = evaluator(dict(data, batches=[]), *view).load_state_buffer(
        sum(p.state_buffer() for p in parts))
    for ev in (merged, summed, buffered):
        assert ev == whole
        assert _all_readings(ev, data["num_classes"]) == expected


def test_states_of_different_casts_do_not_combine() -> None:
    keras, plain = ma.Evaluator(num_classes=3, profile=KERAS), ma.Evaluator(num_classes=3)
    with pytest.raises(ValueError, match="merge: the evaluators hold different scores"):
        plain.merge(keras)
    with pytest.raises(ValueError, match="different options"):
        ma.sum_state_dicts([plain.state_dict(), keras.state_dict()])
    d = keras.state_dict()
    assert d["options"]["score_cast"] == FLUSH and d["options"]["format"] == "metricaudit-state/3"
    # A state dict without the cast's entries (an older format, or a tampered one) is refused.
    old = dict(d, options=dict(d["options"], format="metricaudit-state/2"))
    with pytest.raises(ValueError, match="metricaudit-state/2"):
        ma.Evaluator.from_state_dict(old)
    missing = {k: v for k, v in d.items() if k != "cast_argmax_rows"}
    with pytest.raises(ValueError, match="missing entry 'cast_argmax_rows'"):
        ma.Evaluator.from_state_dict(missing)
    negative = dict(d, cast_changed_rows=np.array(-1))
    with pytest.raises(ValueError, match="'cast_changed_rows': expected a count"):
        ma.Evaluator.from_state_dict(negative)
    no_cast = dict(d, options={k: v for k, v in d["options"].items() if k != "score_cast"})
    with pytest.raises(ValueError, match="options lack 'score_cast'"):
        ma.Evaluator.from_state_dict(no_cast)
    # Rebuilt from a state dict, the state keeps its cast whatever profile reads it.
    rebuilt = ma.Evaluator.from_state_dict(d)
    assert rebuilt == keras and rebuilt.state_dict()["options"] == d["options"]


# ---- Keras' own outputs ----------------------------------------------------------------------


GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden" / "random-keras-3.15.1.json"


def _streamed(name: str, p: Any, t: Any, batches: list[np.ndarray], **kw: Any) -> Any:
    """The Evaluator's reading of what ma.<name>(p, t, **kw) computes, fed in ``batches``."""
    p, t = np.asarray(p), np.asarray(t)
    w = kw.pop("sample_weight", None)
    ctor = {k: kw.pop(k) for k in CONSTRUCTOR if k in kw}
    ctor = {k: v for k, v in ctor.items() if v is not None}
    profile = kw.pop("profile", None)
    if name == "binary_cross_entropy":
        task = "multilabel" if p.ndim == 2 else "binary"
    elif name == "cross_entropy":
        task = "multiclass"
    else:
        task = ctor.pop("task", None) or infer_task(p, t)
        if task == "multilabel" and categorical_accuracy(name, kw.get("multilabel"), profile,
                                                         t.shape[1]):
            # Keras' CategoricalAccuracy: the remedy the multilabel Evaluator's error names.
            t, task = t.argmax(axis=1), "multiclass"
    if task == "multiclass":
        c = ctor.pop("num_classes", p.shape[1] if p.ndim == 2 else None)
        k = kw.get("top_k")
        ev = ma.Evaluator(c, top_k=None if k is None or k > c else [k], profile=profile,
                          topk_sets=True, smoothing_columns=True, **ctor)
    else:
        ctor.pop("task", None)
        ev = ma.Evaluator(task=task, num_labels=p.shape[1] if p.ndim == 2 else None,
                          profile=profile, **ctor)
    for rows in batches:
        ev.update(p[rows], t[rows], None if w is None else np.asarray(w)[rows])
    return ev.compute(name, **kw)


def test_keras_golden_sets_stream_like_the_functional_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every call of random-keras-3.15.1.json that test_golden.py maps to the functional API
    (which it checks against Keras' outputs) is computed again by an Evaluator of the keras
    profile fed the set in random batches: the same bits, or a score-cast refusal."""
    if not GOLDEN.exists():
        pytest.skip(f"golden file {GOLDEN} is not present")
    import test_golden  # noqa: PLC0415  (the golden handlers, with their mapping of each call)

    data = json.loads(GOLDEN.read_text())
    tally: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    rng = np.random.default_rng(15)
    originals = {name: getattr(ma, name) for name in
                 ("accuracy", "cross_entropy", "binary_cross_entropy")}

    def shadow(name: str) -> Callable[..., Any]:
        def call(p: Any, t: Any, **kw: Any) -> Any:
            value = originals[name](p, t, **kw)
            batches = _batches(rng, len(t)) if len(t) > 1 else [np.arange(len(t))]
            got = outcome(lambda: _streamed(name, p, t, batches, **dict(kw)))
            want = outcome(lambda: value)
            if got == want:
                tally["bit-identical"] += 1
            elif refused(got) or (got[0] == "error" and "ONE sample" in got[2]):
                tally["refused"] += 1
            else:
                problems.append(f"{name} {kw}: Evaluator {got[:3]} != functional {want[:3]}")
            return value
        return call

    for name in originals:
        monkeypatch.setattr(ma, name, shadow(name))
    sets: dict[str, Any] = {}
    for key, index, ref in data["cases"]:
        if isinstance(ref, dict):
            continue
        spec = sets.setdefault(key, test_golden.random_inputs.build(key))
        call = data["calls"][index]
        try:
            test_golden.keras_case("keras", test_golden.Inputs(spec, call.get("dtype", "float64")),
                                   call)
        except (test_golden.NotMapped, ValueError):
            pass  # counted by test_golden.py; the shadow compared what was computed
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:25])
    assert tally["bit-identical"] > 1000, tally


def test_the_chunked_tiny_check_sees_every_cell() -> None:
    """has_tiny_magnitude (cast_scores' first check, read in cache-sized chunks) agrees
    with the whole-array rule for a zero, -0, a subnormal or a NaN planted anywhere,
    chunk boundaries included."""
    from metricaudit._inputs import _TINY_CHUNK, has_tiny_magnitude

    rng = np.random.default_rng(7)
    n = 3 * _TINY_CHUNK + 2  # 196610: rows of 5 scores
    base = rng.uniform(0.5, 2.0, n).astype(np.float32) * rng.choice([-1, 1], n).astype(np.float32)
    assert not has_tiny_magnitude(base.reshape(-1, 5))
    tiny = np.finfo(np.float32).tiny
    for value in (0.0, -0.0, tiny / 2, -tiny / 4, np.nan):
        for at in (0, _TINY_CHUNK - 1, _TINY_CHUNK, 2 * _TINY_CHUNK + 1, n - 1):
            a = base.copy()
            a[at] = value
            whole = bool(np.isnan(a).any() or (np.abs(a) < tiny).any())
            assert whole and has_tiny_magnitude(a.reshape(-1, 5)), (value, at)
    a = base.copy()
    a[5] = tiny  # the smallest normal is not tiny
    assert not has_tiny_magnitude(a)


# ---- the rows the pass lists ------------------------------------------------------------


def _planted(rng: np.random.Generator, n: int, cols: int, dtype: Any, rows: list[int]) -> np.ndarray:
    """Scores never tiny by chance, with a zero, -0 or a subnormal (either sign) in ``rows``."""
    s = (rng.uniform(0.5, 2.0, (n, cols)) * rng.choice([-1, 1], (n, cols))).astype(dtype)
    finfo = np.finfo(dtype)
    values = [0.0, -0.0, finfo.smallest_subnormal, -finfo.smallest_subnormal, finfo.tiny / 2,
              -finfo.tiny / 3]
    for k, i in enumerate(rows):
        s[i, (7 * k) % cols] = values[k % len(values)]
    s[min(3, n - 1), 0] = finfo.tiny  # the smallest normal is not tiny
    return s


def _numpy_rows(s: np.ndarray, counted: np.ndarray | None) -> np.ndarray:
    cells = np.abs(s) < np.finfo(s.dtype).tiny
    rows = cells.any(axis=1) if cells.ndim == 2 else cells
    return np.flatnonzero(rows if counted is None else rows & counted)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cols", [10, 40])
def test_the_pass_lists_the_rows_holding_a_zero_or_a_subnormal(dtype: Any, cols: int) -> None:
    """A core state built with tiny_rows=True returns from update the rows the numpy rule
    finds in float32 scores (the scan fold_batch no longer runs), ignore_index rows left out,
    for every thread count; float64 scores and other states return None, and the flag
    survives copy and state dicts. (The C++ pass lists float64 rows too: tiny_scores_test.)"""
    rng = np.random.default_rng(cols)
    chunk = max(64, (1 << 18) // (cols * np.dtype(dtype).itemsize))  # the pass's thread chunk
    n = 2 * chunk + 9
    planted = sorted({i for b in range(0, n + 1, chunk) for i in (b - 9, b - 1, b, b + 8)
                      if 0 <= i < n} | {n - 1})
    s = _planted(rng, n, cols, dtype, planted)
    target = rng.integers(0, cols, n)
    weights = rng.random(n)
    for ignore_index in (None, 2):
        counted = None if ignore_index is None else target != ignore_index
        want = _numpy_rows(s, counted)
        if dtype == np.float64:  # not scanned: every row changes under a float32 cast
            assert _core.MulticlassState(cols, tiny_rows=True).update(s, target) is None
            break
        assert 0 < len(want) <= len(planted)
        for threads in (1, 2, 3):
            for w in (None, weights):
                state = _core.MulticlassState(cols, ignore_index=ignore_index, threads=threads,
                                              tiny_rows=True)
                got = state.update(s, target, w)
                assert got.dtype == np.int64 and np.array_equal(got, want), (threads, ignore_index)
    if dtype == np.float64:
        return
    plain = _core.MulticlassState(cols)
    assert plain.update(s, target) is None and not plain.tiny_rows
    state = _core.MulticlassState(cols, tiny_rows=True)
    state.update(s, target)
    assert state.copy().tiny_rows
    again = _core.MulticlassState.from_state_dict(state.state_dict(), tiny_rows=True)
    assert np.array_equal(again.update(s, target), _numpy_rows(s, None))

    binary = _core.LabelwiseState(1, tiny_rows=True)
    column = np.ascontiguousarray(s[:, 0])
    assert np.array_equal(binary.update(column, (target % 2)), _numpy_rows(column, None))
    multilabel = _core.LabelwiseState(cols, threads=2, tiny_rows=True)
    labels = (rng.random((n, cols)) < 0.5).astype(np.int32)
    assert np.array_equal(multilabel.update(s, labels), _numpy_rows(s, None))
    assert _core.LabelwiseState(cols).update(s, labels) is None


def _whole_array_counts(s: np.ndarray, counted: np.ndarray | None, threshold: float,
                        multiclass: bool) -> dict[str, int]:
    """The three cast counts from the whole batch (the rule of _score_cast's docstring,
    applied to every row rather than to the listed ones)."""
    flushed = cast_scores(s, FLUSH)
    ranked = cast_scores(flushed, FLUSH, argmax=True)
    keep = np.ones(len(s), dtype=bool) if counted is None else counted
    rows = (lambda cells: cells.any(axis=1) if cells.ndim == 2 else cells)
    changed = rows(flushed.view(np.uint32) != s.view(np.uint32)) & keep
    negative = rows(np.signbit(flushed) & (flushed == 0)) & keep
    t = np.float32(threshold)
    moved = rows((flushed > t) != (ranked > t))
    if multiclass:
        moved |= np.argmax(flushed, axis=1) != np.argmax(ranked, axis=1)
    return {
        _score_cast.CHANGED: int(changed.sum()),
        _score_cast.NEGZERO: int(negative.sum()),
        _score_cast.ARGMAX: int((moved & negative).sum()),
    }


@pytest.mark.parametrize("argmax", [False, True])
def test_a_flushed_view_holds_the_cast_batch(argmax: bool) -> None:
    """Under profile='keras' the batch is folded as given into a fresh state and merged when
    the listed rows are unchanged by the view, or folded again from a cast copy: either way
    the state is the one of the cast batch, bit for bit, and the counts are those of the
    whole batch. Batches: no tiny cell, only +0, a -0, subnormals, both; with ignore_index."""
    rng = np.random.default_rng(5)
    n, C = 700, 10
    base = _planted(rng, n, C, np.float32, [])
    base[3, 0] = 1.0
    cases = {"clean": [], "+0": [5, 6, 401], "-0": [1, 17], "subnormals": [2, 3, 699],
             "all": list(range(0, n, 37))}
    for ignore_index in (None, 4):
        ev = ma.Evaluator(C, profile=KERAS, argmax_scores=argmax, ignore_index=ignore_index)
        ref = _core.MulticlassState(C, **ev._args)
        total = dict.fromkeys(_score_cast.COUNTS, 0)
        for name, rows in cases.items():
            s = base.copy()
            values = {"+0": [0.0], "-0": [-0.0], "subnormals": [1e-40, -3e-39]}.get(
                name, [0.0, -0.0, 1e-40, -1e-40])
            for k, i in enumerate(rows):
                # The row's maximum: the planted value beside a +0 (ranked against it only
                # once the view flushes the subnormal, or ranks -0 below +0).
                s[i] = -np.abs(s[i])
                s[i, (3 * k) % C] = values[k % len(values)]
                s[i, (3 * k + 1) % C] = 0.0
            target = rng.integers(0, C, n)
            ev.update(s, target)
            ref.update(cast_scores(cast_scores(s, FLUSH), FLUSH, argmax=argmax), target)
            counted = None if ignore_index is None else target != ignore_index
            for key, value in _whole_array_counts(s, counted, 0.5, True).items():
                total[key] += value
            assert ev._state == ref, (name, ignore_index)
            assert {k: ev._counts.values[k] for k in total} == total, (name, ignore_index)
        assert total[_score_cast.CHANGED] > 0 and total[_score_cast.NEGZERO] > 0
