"""The Python API: seed case, explain, inputs (zero copy, conversions, refusals), errors,
Evaluator and its summable state dicts, threads."""

from __future__ import annotations

import importlib.util
import pathlib
import threading
import tracemalloc

import numpy as np
import pytest

import metricaudit as ma
from metricaudit import _core

SEED_PREDS = np.array([[1, 0, 0, 0], [1, 0, 0, 0]], dtype=np.float32)
SEED_TARGET = np.array([0, 0])


# ---- the seed case -----------------------------------------------------------------


def test_seed_case() -> None:
    kw = dict(num_classes=4)
    assert ma.accuracy(SEED_PREDS, SEED_TARGET, profile="torchmetrics-0.11", **kw) == 0.25
    assert ma.accuracy(SEED_PREDS, SEED_TARGET, profile="torchmetrics-1", **kw) == 1.0
    assert ma.accuracy(SEED_PREDS, SEED_TARGET, profile="sklearn", average="macro", **kw) == 1.0


def test_explain_reads_scores_as_given_and_the_keras_profile_casts_them() -> None:
    """explain()'s docstring: its rows read the scores as given; Keras' flush of subnormals
    (docs/conventions.md) belongs to the profile's functions."""
    subnormal_wins = np.array([[0.0, 1e-40]], dtype=np.float32)
    assert ma.explain(subnormal_wins, np.array([1]), num_classes=2).by_id("accuracy.micro").value == 1.0
    assert ma.accuracy(subnormal_wins, np.array([1]), profile="keras") == 0.0


def test_explain_seed_case() -> None:
    table = ma.explain(SEED_PREDS, SEED_TARGET, num_classes=4)
    assert isinstance(table, list) and all(isinstance(r, ma.ExplainRow) for r in table)
    rows = {r.id: r for r in table}
    assert rows["accuracy.macro.absent_zero"].value == 0.25
    assert "torchmetrics 0.10-0.11" in rows["accuracy.macro.absent_zero"].libraries
    assert rows["accuracy.macro.exclude_unseen"].value == 1.0
    assert "torchmetrics >= 1.0" in rows["accuracy.macro.exclude_unseen"].libraries
    assert "sklearn" in rows["accuracy.macro.exclude_unseen"].libraries
    assert rows["accuracy.micro"].value == 1.0
    text = str(table)
    for needle in ("accuracy.macro.absent_zero", "0.25", "torchmetrics", "sklearn", "Keras"):
        assert needle in text
    loss = ma.explain(SEED_PREDS, SEED_TARGET, num_classes=4, metric="loss")
    assert loss.by_id("loss.softmax_twice").value == pytest.approx(ma.softmax_twice_floor(4))


def test_profiles_and_conventions() -> None:
    names = [p["name"] for p in ma.profiles()]
    assert {"torchmetrics-0.11", "torchmetrics-1", "sklearn", "keras", "torch.nn"} <= set(names)
    assert ma.convention("accuracy", profile="torchmetrics-0.11").id == "accuracy.macro.absent_zero"
    # An explicit keyword beats the profile.
    assert ma.accuracy(SEED_PREDS, SEED_TARGET, num_classes=4, profile="torchmetrics-0.11",
                       average="micro") == 1.0
    with pytest.raises(ValueError, match="profile: unknown name 'nope'"):
        ma.accuracy(SEED_PREDS, SEED_TARGET, profile="nope")
    with pytest.raises(ValueError, match="average: expected one of"):
        ma.accuracy(SEED_PREDS, SEED_TARGET, average="samples")


def test_vocabulary_and_profiles_come_from_the_core() -> None:
    """The Python package holds no copy of a name table or of a profile's defaults."""
    vocab = _core.vocabulary()
    assert vocab["average"] == ["micro", "macro", "weighted", "none", "binary"]
    assert vocab["reading"] == ["raw", "sigmoid", "torchmetrics_auto"]
    assert "multilabel" in vocab and "binary_loss_family" in vocab
    # Every profile, "default" last, with its binary / multilabel defaults.
    rows = {p["name"]: p for p in ma.profiles()}
    assert list(rows)[-1] == "default"
    assert rows["torchmetrics-0.9"]["reading"] == "torchmetrics_auto"
    assert rows["sklearn"]["multilabel"] == "subset"
    assert rows["keras"]["binary_loss"] == "keras_probabilities"
    # A bad name is refused by the core's parser, with every choice listed.
    with pytest.raises(ValueError, match="multilabel: expected one of 'labelwise', 'subset'"):
        ma.accuracy(np.array([[0.9, 0.1]]), np.array([[1, 0]]), multilabel="rows")
    with pytest.raises(ValueError, match="metric: expected one of 'accuracy', 'subset_accuracy'"):
        ma.Evaluator(task="binary").compute("auc")
    # The labelwise defaults follow the profile rows: torchmetrics reads logits with a
    # sigmoid (0.3 -> 0.574 > 0.5 once a score leaves [0, 1]), the default as given.
    p, y = np.array([0.3, 2.0]), np.array([1, 1])
    assert ma.accuracy(p, y, profile="torchmetrics-0.9") == 1.0
    assert ma.accuracy(p, y) == 0.5


# ---- readings through the functional API -------------------------------------------------


def test_per_class_and_averages() -> None:
    preds = np.array([0, 1, 1, 2])
    target = np.array([0, 1, 2, 2])
    np.testing.assert_allclose(ma.precision(preds, target, average="none"), [1.0, 0.5, 1.0])
    np.testing.assert_allclose(ma.recall(preds, target, average="none"), [1.0, 1.0, 0.5])
    assert ma.accuracy(preds, target) == 0.75
    assert ma.f1(preds, target, average="micro") == 0.75
    np.testing.assert_array_equal(
        ma.confusion_matrix(preds, target), [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    )


def test_cross_entropy_families() -> None:
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.25, 3.0]])
    target = np.array([0, 2])
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    expect = -logp[np.arange(2), target].mean()
    assert ma.cross_entropy(logits, target) == pytest.approx(expect, rel=1e-14)
    assert ma.cross_entropy(logits, target, reduction="sum") == pytest.approx(2 * expect, rel=1e-14)
    w = [0.5, 1.0, 3.0]
    tw = np.array([w[t] for t in target])
    weighted = (-logp[np.arange(2), target] * tw).sum() / tw.sum()
    assert ma.cross_entropy(logits, target, class_weights=w) == pytest.approx(weighted, rel=1e-14)
    with pytest.raises(ma.UnavailableError, match="needs probabilities"):
        ma.cross_entropy(logits, target, profile="keras")


def test_binary_and_multilabel() -> None:
    p = np.array([0.2, 0.7, 0.5, 0.9])
    y = np.array([0, 1, 1, 1])
    assert ma.accuracy(p, y) == 0.75  # 1-D float scores: binary, threshold 0.5
    assert ma.accuracy(p, y, threshold=0.4) == 1.0
    P = np.array([[0.9, 0.1], [0.8, 0.7]])
    Y = np.array([[1, 0], [1, 0]])
    assert ma.accuracy(P, Y, multilabel="subset") == 0.5
    assert ma.accuracy(P, Y, multilabel="elementwise") == 0.75
    assert ma.accuracy(P, Y, profile="sklearn") == 0.5
    np.testing.assert_allclose(ma.accuracy(P, Y, average="none"), [1.0, 0.5])
    assert ma.binary_cross_entropy(np.array([0.0]), np.array([1])) == pytest.approx(np.log(2))


# ---- inputs ------------------------------------------------------------------------------


class _Recorder:
    """Stands in for an Evaluator's core state and keeps the arrays the Python layer hands it."""

    def __init__(self, state: object) -> None:
        self.state = state
        self.seen: tuple = ()

    def update(self, *arrays):  # type: ignore[no-untyped-def]
        self.seen = arrays
        return self.state.update(*arrays)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.state, name)


def _addresses(arrays: tuple) -> tuple:
    return tuple(0 if a is None else a.__array_interface__["data"][0] for a in arrays)


def _recorded(ev: ma.Evaluator) -> _Recorder:
    ev._state = _Recorder(ev._state)
    return ev._state


def test_zero_copy_addresses() -> None:
    """The arrays the core receives are the caller's own buffers: no copy on the supported
    dtypes. (The core reads them in place: view_of in bindings/src/arrays.cpp takes the
    array's data pointer; test_zero_copy_peak_memory checks that nothing is copied there.)"""
    rng = np.random.default_rng(0)
    for sdt in (np.float32, np.float64):
        for tdt in (np.int32, np.int64):
            scores = rng.normal(size=(100, 7)).astype(sdt)
            target = rng.integers(0, 7, 100).astype(tdt)
            w = rng.random(100).astype(sdt)
            ev = ma.Evaluator(num_classes=7)
            rec = _recorded(ev)
            ev.update(scores, target, sample_weight=w)
            assert _addresses(rec.seen) == (scores.ctypes.data, target.ctypes.data, w.ctypes.data)
            ev.update(scores, target)
            assert rec.seen[2] is None
    labels = ma.Evaluator(task="multilabel", num_labels=3)
    rec = _recorded(labels)
    P = rng.random((10, 3))
    Y = (rng.random((10, 3)) < 0.5).astype(np.int32)
    labels.update(P, Y)
    assert _addresses(rec.seen[:2]) == (P.ctypes.data, Y.ctypes.data)


def test_zero_copy_peak_memory() -> None:
    """A 64 MiB score matrix goes through without numpy allocating anything near its size."""
    scores = np.zeros((1 << 21, 8), dtype=np.float32)  # 64 MiB
    scores[:, 3] = 1.0
    target = np.full(1 << 21, 3, dtype=np.int64)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        acc = ma.accuracy(scores, target, num_classes=8)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert acc == 1.0
    assert peak < 1 << 20, f"peak traced allocation {peak} bytes: an input was copied"


def test_conversions_keep_meaning() -> None:
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    target = np.array([1, 0, 0])
    expect = ma.accuracy(scores, target)
    # Fortran order, strided views, small and unsigned integer targets, float16, lists.
    assert ma.accuracy(np.asfortranarray(scores), target) == expect
    assert ma.accuracy(np.hstack([scores, scores])[:, :2], target) == expect
    for dt in (np.int8, np.uint8, np.int16, np.uint16, np.uint32, np.uint64, bool):
        assert ma.accuracy(scores, target.astype(dt)) == expect
    assert ma.accuracy(scores.astype(np.float16), target) == expect
    assert ma.accuracy(scores.tolist(), target.tolist()) == expect
    assert ma.accuracy(scores.astype(">f8"), target.astype(">i8")) == expect
    assert ma.accuracy(scores, target, sample_weight=np.array([1, 2, 3])) == 0.5


def test_refused_conversions() -> None:
    scores = np.array([[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(ValueError, match="target: expected integer class labels, got float64"):
        ma.accuracy(scores, np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="preds: .*got bool"):
        ma.accuracy(np.array([True, False]), np.array([1, 0]))
    with pytest.raises(ValueError, match="sample_weight: expected float32 or float64 weights"):
        ma.accuracy(scores, np.array([1, 0]), sample_weight=np.array([True, False]))
    with pytest.raises(ValueError, match="preds: expected scores .* got complex128"):
        ma.accuracy(scores.astype(complex), np.array([1, 0]))
    with pytest.raises(ValueError, match="expected a 1-D or 2-D array"):
        ma.accuracy(scores[None], np.array([1, 0]))


class _DLPackOnly:
    """An array producer that offers only DLPack (as a CPU torch tensor does)."""

    def __init__(self, a: np.ndarray) -> None:
        self._a = a

    def __dlpack__(self, **kw):  # type: ignore[no-untyped-def]
        return self._a.__dlpack__(**kw)

    def __dlpack_device__(self):  # type: ignore[no-untyped-def]
        return self._a.__dlpack_device__()


def test_dlpack_without_copy() -> None:
    scores = np.random.default_rng(1).normal(size=(50, 4)).astype(np.float32)
    target = np.arange(50, dtype=np.int64) % 4
    ev = ma.Evaluator(num_classes=4)
    rec = _recorded(ev)
    ev.update(_DLPackOnly(scores), _DLPackOnly(target))
    assert _addresses(rec.seen[:2]) == (scores.ctypes.data, target.ctypes.data)
    assert ev.compute() == ma.accuracy(scores, target)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_torch_tensors_without_copy() -> None:
    import torch

    scores = torch.randn(64, 5, requires_grad=True)
    target = torch.randint(0, 5, (64,))
    ev = ma.Evaluator(num_classes=5)
    rec = _recorded(ev)
    ev.update(scores, target)
    assert _addresses(rec.seen[:2]) == (scores.data_ptr(), target.data_ptr())
    assert ev.compute() == ma.accuracy(scores.detach().numpy(), target.numpy())


def test_torch_is_not_imported() -> None:
    import subprocess
    import sys

    code = "import sys, metricaudit; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- errors --------------------------------------------------------------------------------


def test_core_errors_keep_their_message() -> None:
    scores = np.array([[0.1, np.nan], [0.8, 0.2]])
    with pytest.raises(ValueError, match=r"preds: expected finite scores .* at index \(0, 1\)"):
        ma.accuracy(scores, np.array([1, 0]))
    with pytest.raises(ValueError, match=r"target: expected labels in \[0, 2\), got 5 at index 1"):
        ma.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 5]))
    with pytest.raises(ma.UnavailableError, match="needs scores"):
        ma.accuracy(np.array([0, 1]), np.array([0, 1]), num_classes=3, top_k=2)
    assert issubclass(ma.UnavailableError, ValueError)


# ---- Evaluator and state dicts ----------------------------------------------------------------


def _batches(seed: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(5):
        n = int(rng.integers(1, 80))
        scores = rng.normal(size=(n, 6))
        if i == 2:
            scores = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        w = rng.random(n) if i % 2 else None
        out.append((scores.astype(np.float32 if i == 3 else np.float64), rng.integers(0, 6, n), w))
    return out


def test_evaluator_streaming_equals_one_shot() -> None:
    batches = _batches(0)
    ev = ma.Evaluator(num_classes=6, top_k=3)
    for s, t, _ in batches:
        ev.update(s, t)
    all_s = np.concatenate([b[0].astype(np.float64) for b in batches])
    all_t = np.concatenate([b[1] for b in batches])
    for kw in (dict(), dict(average="macro"), dict(top_k=3), dict(average="macro", top_k=3)):
        assert ev.compute("accuracy", **kw) == pytest.approx(ma.accuracy(all_s, all_t, **kw))
    assert ev.samples == len(all_t)
    ev.reset()
    assert ev.samples == 0


@pytest.mark.parametrize("kind", ["multiclass", "multilabel"])
def test_summed_state_dicts_equal_merge(kind: str) -> None:
    """What torch.distributed.all_reduce(SUM) does to the arrays, from_state_dict undoes."""
    def build(seed: int) -> ma.Evaluator:
        if kind == "multiclass":
            ev = ma.Evaluator(num_classes=6, top_k=[2, 3], confusion_matrix=True, ignore_index=5,
                              topk_sets=True)
            for s, t, w in _batches(seed):
                ev.update(s, t, sample_weight=w if seed else None)
            if seed == 2:
                ev.update(np.array([0, 1, 2]), np.array([0, 1, 1]))  # labels-only batch
            return ev
        rng = np.random.default_rng(seed)
        ev = ma.Evaluator(task="multilabel", num_labels=4)
        for _ in range(3):
            n = int(rng.integers(1, 40))
            ev.update(rng.normal(size=(n, 4)), (rng.random((n, 4)) < 0.5).astype(np.int64),
                      sample_weight=rng.random(n) if seed else None)
        return ev

    parts = [build(s) for s in range(3)]
    dicts = [p.state_dict() for p in parts]
    for d in dicts:
        assert all(v.dtype == np.int64 for k, v in d.items() if k != "options")
    summed = {k: (dicts[0][k] if k == "options" else dicts[0][k] + dicts[1][k] + dicts[2][k])
              for k in dicts[0]}
    rebuilt = ma.Evaluator.from_state_dict(summed)
    merged = build(0).merge(build(1)).merge(build(2))
    assert rebuilt == merged
    assert ma.Evaluator.from_state_dict(ma.sum_state_dicts(dicts)) == merged
    metrics = ["accuracy", "cross_entropy", "balanced_accuracy"] if kind == "multiclass" else [
        "accuracy", "subset_accuracy", "binary_cross_entropy"]
    for m in metrics:
        try:
            expect = merged.compute(m)
        except ma.UnavailableError as e:  # e.g. a loss after a labels-only batch
            with pytest.raises(ma.UnavailableError, match=str(e)[:20]):
                rebuilt.compute(m)
            continue
        assert rebuilt.compute(m) == expect  # bit for bit
    # Any merge order gives the same bits.
    assert build(2).merge(build(0)).merge(build(1)) == merged


def test_state_dict_round_trip_and_validation() -> None:
    ev = ma.Evaluator(num_classes=3)
    ev.update(np.array([[0.1, 0.7, 0.2]]), np.array([1]))
    d = ev.state_dict()
    assert ma.Evaluator.from_state_dict(d) == ev
    bad = dict(d)
    bad["tp"] = np.zeros(4, dtype=np.int64)
    with pytest.raises(ValueError, match="entry 'tp': expected shape"):
        ma.Evaluator.from_state_dict(bad)
    other = ma.Evaluator(num_classes=4)
    with pytest.raises(ValueError, match="merge: the states were built with different options"):
        ev.merge(other)


def test_updates_from_threads() -> None:
    """The GIL is released during the pass: concurrent updates are safe and exact."""
    rng = np.random.default_rng(3)
    batches = [(rng.normal(size=(20000, 16)), rng.integers(0, 16, 20000)) for _ in range(8)]
    ev = ma.Evaluator(num_classes=16, threads=1)
    threads = [threading.Thread(target=ev.update, args=b) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    serial = ma.Evaluator(num_classes=16)
    for b in batches:
        serial.update(*b)
    assert ev == serial


def test_stubs_and_marker_are_installed() -> None:
    root = pathlib.Path(ma.__file__).parent
    assert (root / "py.typed").exists()
    assert (root / "_core.pyi").exists()


# ---- precision and F1 at top_k > 1 -----------------------------------------------------


def test_precision_at_k_counts_the_whole_top_k_set_up_to_torchmetrics_1_6_0() -> None:
    """torchmetrics 1.5.2: MulticlassPrecision(top_k=2, average="micro") is 0.5 with every
    sample right (tests/golden/FINDINGS.md, finding 3); >= 1.6.1 gives 1.0."""
    preds = np.array([[0.7, 0.2, 0.1, 0.0], [0.1, 0.6, 0.3, 0.0]], dtype=np.float32)
    target = np.array([0, 1])
    kw = dict(top_k=2, average="micro")
    assert ma.precision(preds, target, profile="torchmetrics-1", **kw) == 0.5
    assert ma.precision(preds, target, profile="torchmetrics-0.11", **kw) == 0.5
    assert ma.precision(preds, target, profile="torchmetrics-1.6", **kw) == 1.0
    assert ma.precision(preds, target, profile="torchmetrics-1", topk_predicted="top1_on_miss",
                        **kw) == 1.0
    assert ma.f1(preds, target, profile="torchmetrics-1", **kw) == pytest.approx(4 / 6)
    assert _core.convention("f1", profile="torchmetrics-1", top_k=2).topk_predicted == "whole_set"
    ev = ma.Evaluator(num_classes=4, top_k=2)
    ev.update(preds, target)
    with pytest.raises(ma.UnavailableError, match="topk_sets=true"):
        ev.compute("precision", profile="torchmetrics-1", **kw)
    ev = ma.Evaluator(num_classes=4, top_k=2, topk_sets=True)
    ev.update(preds, target)
    assert ev.compute("precision", profile="torchmetrics-1", **kw) == 0.5
    rebuilt = ma.Evaluator.from_state_dict(ev.state_dict())
    assert rebuilt.compute("precision", profile="torchmetrics-1", **kw) == 0.5


# ---- label smoothing with class weights ------------------------------------------------


def test_label_smoothing_with_class_weights_weights_each_column() -> None:
    """torch.nn.CrossEntropyLoss(weight=w, label_smoothing=e): the smoothing term of column c
    is weighted by w[c] (aten/src/ATen/native/LossNLL.cpp); the golden torch vectors check
    the library's own output, this the formula."""
    rng = np.random.default_rng(5)
    z = rng.normal(size=(50, 4))
    y = rng.integers(0, 4, size=50)
    w = np.array([0.5, 1.0, 2.0, 3.0])
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    nll = -(w[y] * logp[np.arange(50), y]).sum()
    smooth = -(logp * w).sum()
    expected = (0.9 * nll + 0.1 / 4 * smooth) / w[y].sum()
    kw = dict(class_weights=w, label_smoothing=0.1)
    assert ma.cross_entropy(z, y, **kw) == pytest.approx(expected, rel=1e-13)
    ev = ma.Evaluator(num_classes=4)
    ev.update(z, y)
    with pytest.raises(ma.UnavailableError, match="smoothing_columns=true"):
        ev.compute("cross_entropy", **kw)
    ev = ma.Evaluator(num_classes=4, smoothing_columns=True)
    ev.update(z[:20], y[:20])
    other = ma.Evaluator(num_classes=4, smoothing_columns=True)
    other.update(z[20:], y[20:])
    summed = ma.sum_state_dicts([ev.state_dict(), other.state_dict()])
    rebuilt = ma.Evaluator.from_state_dict(summed)
    assert rebuilt.compute("cross_entropy", **kw) == pytest.approx(expected, rel=1e-13)
