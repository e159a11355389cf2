"""The sixteen disagreements of issue 15, one test each, on the issue's own repro.

Reference values were printed by the libraries themselves (Keras 3.15.1 on jax 0.10.2,
torchmetrics 1.5.2 and torch 1.13 on CPU; scikit-learn is called live). The randomized
comparisons that cover each class of inputs are in test_golden.py (random-*.json) and
test_sklearn.py; docs/conventions.md states the rules.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import re

import numpy as np
import pytest

import metricaudit as ma

P = np.array([[0.5, 0.5, 0.0], [0.2, 0.4, 0.4]], dtype=np.float32)


# ---- Keras 3 ---------------------------------------------------------------------------


def test_01_keras_accuracy_on_a_2d_target_is_categorical() -> None:
    """compile(metrics=["accuracy"]) with one-hot targets is CategoricalAccuracy
    (keras/src/trainers/compile_utils.py): Model.evaluate printed accuracy 0.0."""
    onehot = np.array([[0, 1, 0], [0, 0, 1]])
    assert ma.accuracy(P, onehot, profile="keras") == 0.0
    # The element-wise reading is still there when asked for.
    assert ma.accuracy(P, onehot, profile="keras", multilabel="elementwise") == pytest.approx(4 / 6)


def test_02_keras_top_k_at_one_counts_ties_as_hits() -> None:
    """SparseTopKCategoricalAccuracy(k=1) uses in_top_k: 1.0 on these ties."""
    assert ma.accuracy(P, np.array([1, 2]), top_k=1, profile="keras") == 1.0
    # Without top_k, accuracy is the argmax (first maximal index) of every library.
    assert ma.accuracy(P, np.array([1, 2]), profile="keras") == 0.0
    # sklearn's top_k_accuracy_score(k=1) ranks ties highest index first.
    assert ma.accuracy(P, np.array([1, 2]), top_k=1, profile="sklearn") == 1.0


def test_03_keras_zero_total_weight_gives_zero() -> None:
    """Keras reduces with divide_no_nan: all-zero weights, or every sample ignored, give 0.0."""
    zero = np.zeros(2)
    assert ma.accuracy(P, np.array([1, 2]), sample_weight=zero, profile="keras") == 0.0
    assert ma.accuracy(P, np.array([1, 2]), top_k=2, sample_weight=zero, profile="keras") == 0.0
    assert ma.accuracy(np.array([0.9, 0.2]), np.array([1, 0]), sample_weight=zero,
                       profile="keras") == 0.0
    # SparseCategoricalCrossentropy(from_logits=True, ignore_class=1) on [1, 1]: 0.0.
    assert ma.cross_entropy(P, np.array([1, 1]), loss="logits", ignore_index=1,
                            profile="keras") == 0.0
    # torch's mean over no sample stays NaN.
    assert math.isnan(ma.cross_entropy(P, np.array([1, 1]), ignore_index=1, profile="torch.nn"))


def test_04_keras_computes_in_float32_whatever_the_input_dtype() -> None:
    """BinaryCrossentropy()([0., 1.], [1., 0.]) in float64: 16.03023910522461 (float32 clips)."""
    value = ma.binary_cross_entropy(np.array([1.0, 0.0]), np.array([0, 1]), profile="keras")
    assert value == pytest.approx(16.03023910522461, rel=1e-6)


def test_05_keras_renormalises_rows_above_one() -> None:
    """CategoricalCrossentropy() on [[2, 1], [.5, 3]]: 0.2798078656196594."""
    value = ma.cross_entropy(np.array([[2.0, 1.0], [0.5, 3.0]]), np.array([0, 1]), profile="keras")
    assert value == pytest.approx(0.2798078656196594, rel=1e-6)
    # Negative scores are no probabilities: refused, not guessed.
    with pytest.raises(ma.UnavailableError):
        ma.cross_entropy(np.array([[2.0, -1.0]]), np.array([0]), profile="keras")


def test_06_keras_values_are_modelled_or_refused() -> None:
    """1-D BinaryCrossentropy with sample weights: mean(l) * mean(w) = 0.48408687114715576;
    from_logits=True with a -inf logit: NaN."""
    value = ma.binary_cross_entropy(np.array([0.9, 0.2, 0.6]), np.array([1, 0, 0]),
                                    sample_weight=np.array([1.0, 2.0, 0.5]), profile="keras")
    assert value == pytest.approx(0.48408687114715576, rel=1e-6)
    z = np.array([[1.0, -np.inf], [0.0, 1.0]], dtype=np.float32)
    assert math.isnan(ma.cross_entropy(z, np.array([0, 1]), loss="logits", profile="keras"))
    # torch with class-index targets: finite.
    assert math.isfinite(ma.cross_entropy(z, np.array([0, 1]), profile="torch.nn"))


def test_07_keras_flushes_subnormals_as_jax_on_cpu() -> None:
    """XLA on CPU flushes subnormal float32 to zero: argmax([0, 1e-40]) is 0 and
    1e-40 > 0 is false (Keras printed 0.0 for both)."""
    sub = np.float32(1e-40)
    assert ma.accuracy(np.array([[0, sub]], dtype=np.float32), np.array([1]), profile="keras") == 0.0
    assert ma.accuracy(np.array([sub], dtype=np.float32), np.array([1]), threshold=0.0,
                       profile="keras") == 0.0
    # Without the profile the IEEE values are kept.
    assert ma.accuracy(np.array([[0, sub]], dtype=np.float32), np.array([1])) == 1.0


# ---- torchmetrics 1.x, torch.nn, scikit-learn --------------------------------------------


def test_08_torchmetrics_average_over_no_class_is_zero() -> None:
    """Every sample ignored, zero_division=1: macro and weighted 0.0, micro 1.0 (1.5.2)."""
    y = np.array([-1, -1])
    kw = dict(num_classes=3, ignore_index=-1, zero_division=1, profile="torchmetrics-1")
    for f in (ma.precision, ma.recall, ma.f1):
        assert f(P, y, average="macro", **kw) == 0.0
        assert f(P, y, average="weighted", **kw) == 0.0
        assert f(P, y, average="micro", **kw) == 1.0


def test_09_torchmetrics_sigmoid_rule_sees_ignored_samples() -> None:
    """The sigmoid is decided on the whole tensor, ignored samples included: 0.5."""
    p, y = np.array([0.7, 0.2, 5.0]), np.array([1, 0, -1])
    assert ma.accuracy(p, y, ignore_index=-1, profile="torchmetrics-1") == 0.5


def test_10_torchmetrics_every_binary_sample_ignored() -> None:
    """BinaryAccuracy / Precision / Recall / F1Score with every sample ignored: 0.0."""
    p, y = np.array([0.7, 0.2]), np.array([-1, -1])
    for f in (ma.accuracy, ma.precision, ma.recall, ma.f1):
        assert f(p, y, task="binary", ignore_index=-1, profile="torchmetrics-1") == 0.0


def test_11_torch_full_label_smoothing_with_an_infinite_term_is_nan() -> None:
    """CrossEntropyLoss(label_smoothing=1.0): (1 - 1) * inf = NaN; 0.5 gives inf."""
    z = np.array([[-np.inf, 1.0, 0.0], [0.5, 0.2, 0.1]], dtype=np.float32)
    y = np.array([0, 1])
    assert math.isnan(ma.cross_entropy(z, y, label_smoothing=1.0, profile="torch.nn"))
    assert ma.cross_entropy(z, y, label_smoothing=0.5, profile="torch.nn") == math.inf


def test_12_float32_sigmoid_is_torchs_scalar_path() -> None:
    """metricaudit's sigmoid is torch's scalar path, 1 / (1 + expf(-x)) in float32 with the C
    library's expf (aten UnaryOpsKernel.cpp): each decision at a threshold equal to that
    value is strict. docs/conventions.md states the 1-ulp tolerance against torch's
    vectorised path (Sleef expf), which test_golden.py checks on a torchmetrics case."""
    expf = ctypes.CDLL(ctypes.util.find_library("m")).expf
    expf.restype, expf.argtypes = ctypes.c_float, [ctypes.c_float]
    rng = np.random.default_rng(12)
    for x in rng.uniform(-4, 4, 200).astype(np.float32):
        s = np.float32(1) / (np.float32(1) + np.float32(expf(float(-x))))
        below = float(np.nextafter(s, np.float32(-1)))
        p, y = np.array([x], dtype=np.float32), np.array([1])
        assert ma.accuracy(p, y, reading="sigmoid", threshold=float(s)) == 0.0, x
        assert ma.accuracy(p, y, reading="sigmoid", threshold=below) == 1.0, x


def test_13_each_profile_reads_binary_scores_as_its_library_does() -> None:
    """sklearn's log_loss reads probabilities: 0.1642520334..., not the logits reading."""
    skm = pytest.importorskip("sklearn.metrics")
    p, y = np.array([0.9, 0.2]), np.array([1, 0])
    assert ma.binary_cross_entropy(p, y, profile="sklearn") == pytest.approx(
        skm.log_loss(y, p), rel=1e-12
    )
    with pytest.raises(ma.UnavailableError, match="multilabel"):
        ma.binary_cross_entropy(np.array([[0.9, 0.1]]), np.array([[1, 0]]), profile="sklearn")


def test_14_sklearn_default_average_is_binary() -> None:
    """precision_score([1, 0, 0], [1, 1, 0]) = 0.5 (average='binary', pos_label=1)."""
    skm = pytest.importorskip("sklearn.metrics")
    pred, y = np.array([1, 1, 0]), np.array([1, 0, 0])
    for f, ref in ((ma.precision, skm.precision_score), (ma.recall, skm.recall_score),
                   (ma.f1, skm.f1_score)):
        assert f(pred, y, profile="sklearn") == ref(y, pred)
    with pytest.raises(ValueError, match="average='binary'"):
        ma.precision(np.array([0, 1, 2]), np.array([0, 1, 2]), profile="sklearn")


# ---- bad arguments -------------------------------------------------------------------------


def test_15_num_classes_is_checked_before_allocating() -> None:
    labels = np.array([0, 1])
    with pytest.raises(ValueError, match=r"^num_classes: 100000000 classes need .* above the limit"):
        ma.accuracy(labels, labels, num_classes=10**8)
    stray = np.array([0, 2**32 - 1], dtype=np.int64)
    with pytest.raises(ValueError, match=r"^num_classes \(not given; inferred as 1 \+ the largest "
                                         r"label, 4294967295\)"):
        ma.accuracy(labels, stray)
    with pytest.raises(ValueError, match="^num_classes: "):
        ma.Evaluator(num_classes=2**31)
    with pytest.raises(ValueError, match="^num_labels: "):
        ma.Evaluator(task="multilabel", num_labels=10**9)


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(ignore_index=1.0), "ignore_index: expected an integer, got 1.0 (float)"),
        (dict(ignore_index=2**70), "ignore_index: expected an integer in"),
        (dict(ignore_index=True), "ignore_index: expected an integer, got True (bool)"),
        (dict(top_k=True), "top_k: expected an integer, got True (bool)"),
        (dict(top_k=2.0), "top_k: expected an integer, got 2.0 (float)"),
        (dict(top_k=0), "top_k: expected an integer in [1, "),
        (dict(num_classes=3.0), "num_classes: expected an integer, got 3.0 (float)"),
    ],
)
def test_16_integer_arguments_are_integers(kw: dict, message: str) -> None:
    scores = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    with pytest.raises(ValueError, match=re.escape(message)):
        ma.accuracy(scores, np.array([1, 0]), **kw)
    if "num_classes" not in kw:
        with pytest.raises(ValueError, match=re.escape(message)):
            ma.Evaluator(num_classes=3, **kw)
