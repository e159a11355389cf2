"""Live differential tests against the installed scikit-learn.

Randomised (seeded numpy generators) over 1..50 classes, absent classes, classes
only predicted, exact ties, sample weights, binary and multilabel input. Every
value must agree within 1e-12 relative (float32 log_loss: see test_log_loss_float32).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import metricaudit as ma
from _support import check

sklearn = pytest.importorskip("sklearn")
from sklearn import metrics as skm  # noqa: E402
from sklearn.exceptions import UndefinedMetricWarning  # noqa: E402

# Each sklearn call costs milliseconds (its input validation); the counts below keep the
# whole module near 30 s on two cores while comparing thousands of values.
SEEDS = range(8)
CASES_PER_SEED = 30


@pytest.fixture(autouse=True)
def _quiet() -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


@dataclass
class Case:
    C: int
    target: np.ndarray
    scores: np.ndarray  # (N, C) float64
    labels: np.ndarray  # predictions as labels
    weight: np.ndarray | None
    ties: bool

    def __str__(self) -> str:
        w = None if self.weight is None else self.weight.tolist()
        return f"C={self.C} target={self.target.tolist()} labels={self.labels.tolist()} weight={w}"

    def with_scores(self) -> str:
        return f"{self} scores={self.scores.tolist()}"


def make_case(rng: np.random.Generator, weighted: bool | None = None, min_c: int = 1) -> Case:
    C = int(rng.integers(min_c, 51)) if rng.random() < 0.7 else int(rng.integers(min_c, 6))
    N = int(rng.integers(1, 120))
    # Targets from a subset of the classes (absent classes); predictions may use
    # classes no target has (classes only predicted).
    used = rng.choice(C, size=int(rng.integers(1, C + 1)), replace=False)
    target = rng.choice(used, size=N)
    ties = bool(rng.random() < 0.4)
    if ties:
        scores = rng.integers(0, 3, size=(N, C)).astype(np.float64)  # many exact ties
    else:
        scores = rng.normal(size=(N, C))
    # Make some rows right on purpose so that hits are not all chance.
    right = rng.random(N) < rng.random()
    scores[right, target[right]] += 2.0
    labels = np.argmax(scores, axis=1)
    if rng.random() < 0.3:
        swap = rng.random(N) < 0.3
        labels[swap] = rng.integers(0, C, size=int(swap.sum()))
    if weighted is None:
        weighted = bool(rng.random() < 0.4)
    weight = None
    if weighted:
        weight = rng.random(N) * 3.0
        weight[rng.random(N) < 0.1] = 0.0
    return Case(C, target.astype(np.int64), scores, labels.astype(np.int64), weight, ties)


def cases(seed: int, n: int = CASES_PER_SEED, **kw: object) -> list[Case]:
    rng = np.random.default_rng(1000 + seed)
    return [make_case(rng, **kw) for _ in range(n)]  # type: ignore[arg-type]


# ---- accuracy ------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_accuracy_score(seed: int) -> None:
    for c in cases(seed):
        ref = skm.accuracy_score(c.target, c.labels, sample_weight=c.weight)
        ours = ma.accuracy(c.labels, c.target, num_classes=c.C, sample_weight=c.weight)
        check("sklearn accuracy_score (labels)", ours, ref, str(c))
        # From scores: argmax is the first maximal index, as numpy's.
        ref = skm.accuracy_score(c.target, np.argmax(c.scores, axis=1), sample_weight=c.weight)
        ours = ma.accuracy(c.scores, c.target, profile="sklearn", sample_weight=c.weight)
        check("sklearn accuracy_score (scores, argmax)", ours, ref, str(c))


@pytest.mark.parametrize("seed", SEEDS)
def test_balanced_accuracy_score(seed: int) -> None:
    for c in cases(seed):
        for adjusted in (False, True):
            ref = skm.balanced_accuracy_score(
                c.target, c.labels, sample_weight=c.weight, adjusted=adjusted
            )
            ours = ma.balanced_accuracy(
                c.labels, c.target, num_classes=c.C, sample_weight=c.weight, adjusted=adjusted
            )
            check("sklearn balanced_accuracy_score", ours, ref, f"adjusted={adjusted} {c}")


# ---- precision / recall / F1 -----------------------------------------------------

AVERAGES = ("micro", "macro", "weighted", None)
ZERO_DIVISIONS = (0.0, 1.0, np.nan)


@pytest.mark.parametrize("seed", SEEDS)
def test_precision_recall_fscore_support(seed: int) -> None:
    """Every average; zero_division and labels= (union or range(C)) drawn per case."""
    pick = np.random.default_rng(9000 + seed)
    for c in cases(seed, n=2 * CASES_PER_SEED):
        union = np.union1d(c.target, c.labels)
        explicit = bool(pick.random() < 0.5)
        zd = ZERO_DIVISIONS[int(pick.integers(0, 3))]
        labels = np.arange(c.C) if explicit else None
        for average in AVERAGES:
            p, r, f, _ = skm.precision_recall_fscore_support(
                c.target, c.labels, labels=labels, average=average,
                zero_division=zd, sample_weight=c.weight,
            )
            kw = dict(
                num_classes=c.C,
                average="none" if average is None else average,
                absent="zero" if explicit else "exclude_unseen",
                zero_division=zd,
                sample_weight=c.weight,
            )
            what = f"labels={'range(C)' if explicit else 'union'} average={average} zd={zd} {c}"
            for name, fn, ref in (
                ("precision", ma.precision, p),
                ("recall", ma.recall, r),
                ("f1", ma.f1, f),
            ):
                ours = fn(c.labels, c.target, **kw)
                if average is None and not explicit:
                    ours = np.asarray(ours)[union]  # sklearn reports the union's labels
                check(f"sklearn precision_recall_fscore_support {name}", ours, ref, what)


# ---- top-k -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_top_k_accuracy_score_ties(seed: int) -> None:
    """sklearn ranks with argsort(kind='mergesort')[:, ::-1]: ties go to the highest index."""
    differs = 0
    for c in cases(seed, weighted=False, min_c=3):
        for k in sorted({1, 2, c.C - 1} & set(range(1, c.C + 1))):
            ref = skm.top_k_accuracy_score(c.target, c.scores, k=k, labels=np.arange(c.C))
            ours = ma.accuracy(
                c.scores, c.target, top_k=k, ties="high_index_first", average="micro"
            )
            check("sklearn top_k_accuracy_score (ties)", ours, ref, f"k={k} {c.with_scores()}")
            # An explicit top_k calls the profile's top-k rule, at k = 1 too; without one,
            # profile="sklearn" means accuracy_score on argmax labels (lowest tied index).
            check(
                "sklearn top_k_accuracy_score (profile='sklearn')",
                ma.accuracy(c.scores, c.target, top_k=k, profile="sklearn"),
                ref,
                f"k={k} {c.with_scores()}",
            )
            low = ma.accuracy(c.scores, c.target, top_k=k, ties="index_order", average="micro")
            differs += low != ref
    if seed == 0:
        assert differs > 0, "tie cases never separated the tie rules: the test lost its teeth"


@pytest.mark.parametrize("seed", SEEDS)
def test_top_k_accuracy_score_weighted(seed: int) -> None:
    """Weighted top-k under every tie rule: on tie-heavy scores too (the state keeps
    weighted hits per tie rule and k)."""
    rng = np.random.default_rng(2000 + seed)
    for _ in range(CASES_PER_SEED // 2):
        c = make_case(rng, weighted=True, min_c=3)
        continuous = rng.normal(size=c.scores.shape)
        for scores, tag in ((continuous, "no ties"), (c.scores, "ties")):
            for k in sorted({1, 2, c.C - 1} & set(range(1, c.C + 1))):
                if c.weight is not None and c.weight.sum() == 0:
                    continue  # np.average refuses zero total weight
                ref = skm.top_k_accuracy_score(
                    c.target, scores, k=k, labels=np.arange(c.C), sample_weight=c.weight
                )
                ours = ma.accuracy(
                    scores, c.target, top_k=k, ties="high_index_first", average="micro",
                    sample_weight=c.weight,
                )
                check(f"sklearn top_k_accuracy_score (weighted, {tag})", ours, ref, f"k={k} {c}")


# ---- confusion matrix -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_matrix(seed: int) -> None:
    for c in cases(seed):
        ref = skm.confusion_matrix(c.target, c.labels, labels=np.arange(c.C))
        ours = ma.confusion_matrix(c.labels, c.target, num_classes=c.C)
        check("sklearn confusion_matrix", ours, ref, str(c), rel=0.0)
        assert ours.dtype == np.int64


# ---- log loss ---------------------------------------------------------------------------


def probabilities(rng: np.random.Generator, c: Case, dtype: type) -> np.ndarray:
    z = c.scores * rng.uniform(0.5, 12.0)  # sharp rows drive probabilities to 0 and 1
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    if rng.random() < 0.3:  # exact zeros and ones: the clipping decides the value
        hard = rng.random(len(p)) < 0.3
        p[hard] = 0.0
        p[hard, c.target[hard]] = 1.0
    if rng.random() < 0.2:  # zero probability on the target: the clip bound is the answer
        bad = rng.random(len(p)) < 0.2
        p[bad, c.target[bad]] = 0.0
    return p.astype(dtype)


def test_log_loss_is_sklearn_1_5_family() -> None:
    """sklearn >= 1.5 clips to [eps, 1 - eps] of the dtype and does not renormalise:
    unnormalised rows give sklearn_probabilities' value, not the legacy family's."""
    p = np.array([[0.2, 0.2], [0.1, 0.3]])  # rows sum to 0.4
    y = np.array([0, 1])
    ref = skm.log_loss(y, p, labels=[0, 1])
    assert ma.cross_entropy(p, y, loss="sklearn_probabilities") == pytest.approx(ref, rel=1e-14)
    assert ma.cross_entropy(p, y, profile="sklearn") == pytest.approx(ref, rel=1e-14)
    legacy = ma.cross_entropy(p, y, loss="sklearn_legacy_probabilities")
    assert abs(legacy - ref) > 0.1


@pytest.mark.parametrize("seed", SEEDS)
def test_log_loss(seed: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    for _ in range(CASES_PER_SEED):
        c = make_case(rng, min_c=2)
        p = probabilities(rng, c, np.float64)
        if c.weight is not None and c.weight.sum() == 0:
            c.weight[0] = 1.0
        ref = skm.log_loss(c.target, p, labels=np.arange(c.C), sample_weight=c.weight)
        ours = ma.cross_entropy(p, c.target, profile="sklearn", sample_weight=c.weight)
        check("sklearn log_loss (float64)", ours, ref, str(c))


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_log_loss_float32(seed: int) -> None:
    """float32 input: sklearn clips at float32's eps (as we do) but also takes the logs and
    the mean in float32, so the two agree to float32 rounding (1e-5 relative), not 1e-12."""
    rng = np.random.default_rng(4000 + seed)
    for _ in range(CASES_PER_SEED):
        c = make_case(rng, min_c=2)
        p = probabilities(rng, c, np.float32)
        if c.weight is not None and c.weight.sum() == 0:
            c.weight[0] = 1.0
        ref = skm.log_loss(c.target, p, labels=np.arange(c.C), sample_weight=c.weight)
        ours = ma.cross_entropy(p, c.target, profile="sklearn", sample_weight=c.weight)
        check("sklearn log_loss (float32, rel 1e-5)", ours, ref, str(c), rel=1e-5)
        # Computed in float64 from the float32 values with float32's eps, sklearn's rule
        # agrees to 1e-12: the difference above is only sklearn's float32 arithmetic.
        eps = float(np.finfo(np.float32).eps)
        q = np.clip(p.astype(np.float64), eps, float(np.float32(1) - np.float32(eps)))
        losses = -np.log(q[np.arange(len(q)), c.target])
        exact = np.average(losses, weights=c.weight)
        check("sklearn log_loss rule in float64 (float32 input)", ours, exact, str(c))


# ---- binary and multilabel -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_and_multilabel_accuracy(seed: int) -> None:
    rng = np.random.default_rng(5000 + seed)
    for _ in range(CASES_PER_SEED // 2):
        N = int(rng.integers(1, 150))
        L = 1 if rng.random() < 0.3 else int(rng.integers(2, 12))
        y = (rng.random((N, L)) < rng.random()).astype(np.int64)
        p = rng.random((N, L))
        p[rng.random((N, L)) < 0.1] = 0.5  # exactly at the threshold: not positive
        w = rng.random(N) * 2 if rng.random() < 0.5 else None
        decided = (p > 0.5).astype(np.int64)
        what = f"N={N} L={L} y={y.tolist()} p={p.tolist()} w={None if w is None else w.tolist()}"
        if L == 1:
            ref = skm.accuracy_score(y[:, 0], decided[:, 0], sample_weight=w)
            ours = ma.accuracy(p[:, 0], y[:, 0], profile="sklearn", sample_weight=w)
            check("sklearn accuracy_score (binary)", ours, ref, what)
            continue
        ref = skm.accuracy_score(y, decided, sample_weight=w)  # subset accuracy
        ours = ma.accuracy(p, y, profile="sklearn", sample_weight=w)
        check("sklearn accuracy_score (multilabel subset)", ours, ref, what)
        zd = ZERO_DIVISIONS[int(rng.integers(0, 3))]
        for average in ("micro", "macro", "weighted", None):
            pr, rc, f, _ = skm.precision_recall_fscore_support(
                y, decided, average=average, zero_division=zd
            )
            kw = dict(
                average="none" if average is None else average, zero_division=zd,
                reading="raw", absent="zero",
            )
            for name, fn, ref in (
                ("precision", ma.precision, pr),
                ("recall", ma.recall, rc),
                ("f1", ma.f1, f),
            ):
                ours = fn(p, y, **kw)
                check(
                    f"sklearn precision_recall_fscore_support {name} (multilabel)",
                    ours, ref, f"average={average} zd={zd} {what}",
                )


# ---- the profile's defaults on binary input (precision_score & co., log_loss) ---------------


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_default_average(seed: int) -> None:
    """precision_score, recall_score, f1_score default to average='binary' (pos_label=1);
    profile="sklearn" does the same on labels and on thresholded scores, and refuses where
    sklearn refuses (more than two labels, or two without 1)."""
    rng = np.random.default_rng(6000 + seed)
    refused = 0
    for _ in range(CASES_PER_SEED):
        n = int(rng.integers(1, 60))
        high = int(rng.choice([1, 2, 2, 2, 3]))  # labels in [0, high]: sometimes not binary
        y = rng.integers(0, high + 1, n)
        pred = rng.integers(0, high + 1, n) if rng.random() < 0.7 else y.copy()
        zd = ZERO_DIVISIONS[int(rng.integers(0, 3))]
        w = rng.random(n) * 2 if rng.random() < 0.4 else None
        what = f"y={y.tolist()} pred={pred.tolist()} zd={zd} w={None if w is None else w.tolist()}"
        for name, fn, ref_fn in (
            ("precision", ma.precision, skm.precision_score),
            ("recall", ma.recall, skm.recall_score),
            ("f1", ma.f1, skm.f1_score),
        ):
            try:
                ref = ref_fn(y, pred, zero_division=zd, sample_weight=w)
            except ValueError:
                refused += 1
                with pytest.raises(ValueError, match="average='binary'"):
                    fn(pred, y, profile="sklearn", zero_division=zd, sample_weight=w)
                continue
            ours = fn(pred, y, profile="sklearn", zero_division=zd, sample_weight=w)
            check(f"sklearn {name}_score (default average='binary')", ours, ref, what)
        # Binary scores thresholded at 0.5, read per label by the labelwise state.
        p = rng.random(n)
        yb = rng.integers(0, 2, n)
        ref = skm.precision_score(yb, (p > 0.5).astype(int), zero_division=zd)
        ours = ma.precision(p, yb, profile="sklearn", zero_division=zd)
        check("sklearn precision_score (binary scores > 0.5)", ours, ref, f"p={p.tolist()}")
    if seed == 0:
        assert refused > 0, "no case had more than two labels: the refusal went untested"


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_log_loss(seed: int) -> None:
    """binary_cross_entropy(profile="sklearn") is log_loss of (N,) probabilities of class 1:
    clipped to the dtype's eps, exact zeros and ones included."""
    rng = np.random.default_rng(7000 + seed)
    for _ in range(CASES_PER_SEED):
        n = int(rng.integers(2, 80))
        y = rng.integers(0, 2, n)
        y[:2] = [0, 1]  # log_loss needs both labels (or labels=)
        p = rng.random(n)
        hard = rng.random(n) < 0.2
        p[hard] = rng.integers(0, 2, int(hard.sum()))  # exact 0 and 1: the clip decides
        w = rng.random(n) * 3 + 0.01 if rng.random() < 0.4 else None
        what = f"y={y.tolist()} p={p.tolist()} w={None if w is None else w.tolist()}"
        ref = skm.log_loss(y, p, sample_weight=w)
        check("sklearn log_loss (binary, float64)",
              ma.binary_cross_entropy(p, y, profile="sklearn", sample_weight=w), ref, what)
        p32 = p.astype(np.float32)
        ref32 = skm.log_loss(y, p32, sample_weight=w)
        check("sklearn log_loss (binary, float32, rel 1e-5)",
              ma.binary_cross_entropy(p32, y, profile="sklearn", sample_weight=w), ref32, what,
              rel=1e-5)
