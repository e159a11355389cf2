"""State dicts: every entry is read back, sums of state dicts are merges, and every reading
(value or refusal) survives both bit for bit (issue 12: a dropped entry turned a refusal into
a number)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import metricaudit as ma


def _reading(f: Callable[[], Any]) -> str:
    try:
        v = f()
    except ma.UnavailableError as e:
        return f"refused: {e}"
    return repr(np.asarray(v, dtype=np.float64).tolist())


def _multiclass_readings(ev: ma.Evaluator) -> list[str]:
    calls: list[dict[str, Any]] = []
    for metric in ("accuracy", "precision", "recall", "f1", "balanced_accuracy"):
        for average in ("micro", "macro", "weighted", "none"):
            for top_k in (1, 2, 3):
                for ties in ("index_order", "torch_topk", "optimistic", "high_index_first"):
                    calls.append(dict(metric=metric, average=average, top_k=top_k, ties=ties))
    calls.append(dict(metric="elementwise_binary_accuracy"))
    calls.append(dict(metric="precision", average="macro", top_k=2, topk_predicted="whole_set"))
    for loss in ("logits", "keras_probabilities", "sklearn_probabilities"):
        calls.append(dict(metric="cross_entropy", loss=loss))
        calls.append(dict(metric="cross_entropy", loss=loss, label_smoothing=0.1,
                          class_weights=np.arange(1.0, 6.0)))
    for sample_weighted in (True, False):
        calls.append(dict(metric="accuracy", average="macro", sample_weighted=sample_weighted))
    out = [_reading(lambda c=c: ev.compute(c.pop("metric"), **c)) for c in calls]
    for kind in ("accuracy", "loss"):
        out += [f"{r.id} {r.value!r}" for r in ev.explain(kind)]
    return out


def _labelwise_readings(ev: ma.Evaluator) -> list[str]:
    out = []
    for metric in ("accuracy", "subset_accuracy", "binary_cross_entropy"):
        for reading in ("raw", "sigmoid", "torchmetrics_auto"):
            out.append(_reading(lambda m=metric, r=reading: ev.compute(m, reading=r)))
    return out


def _tied_batch() -> tuple[np.ndarray, np.ndarray]:
    """Row 0's target (class 1) ties with classes 0 and 2 across the k = 2 boundary."""
    scores = np.array([[1.0, 1.0, 1.0, 0.0], [2.0, 1.0, 0.0, 0.0]])
    return scores, np.array([1, 0])


def test_topk_boundary_ties_refusal_survives_state_dicts() -> None:
    scores, target = _tied_batch()
    ev = ma.Evaluator(num_classes=4, top_k=2)
    ev.update(scores, target)
    kw = dict(average="macro", top_k=2, ties="index_order")
    with pytest.raises(ma.UnavailableError, match="tie at the boundary"):
        ev.compute("recall", **kw)
    rebuilt = ma.Evaluator.from_state_dict(ev.state_dict())
    assert rebuilt == ev
    with pytest.raises(ma.UnavailableError, match="tie at the boundary"):
        rebuilt.compute("recall", **kw)
    summed = ma.Evaluator.from_state_dict(ma.sum_state_dicts([ev.state_dict()] * 3))
    with pytest.raises(ma.UnavailableError, match="tie at the boundary"):
        summed.compute("recall", **kw)


def _multiclass_parts() -> list[ma.Evaluator]:
    """Three evaluators: weighted logits with ties and a masked logit, unweighted
    probabilities, labels only; every option that adds entries is on."""
    rng = np.random.default_rng(12)
    options = dict(num_classes=5, top_k=[2, 3], ignore_index=4, confusion_matrix=True,
                   topk_sets=True, smoothing_columns=True)
    parts = [ma.Evaluator(**options) for _ in range(3)]
    z = np.round(rng.normal(size=(60, 5)), 0)
    z[3, 2] = -np.inf
    y = rng.integers(0, 5, 60)
    parts[0].update(z, y, sample_weight=rng.random(60))
    p = rng.random((40, 5))
    parts[1].update(p / p.sum(axis=1, keepdims=True), rng.integers(0, 4, 40))
    parts[2].update(np.array([0, 2, 2, 1]), np.array([0, 1, 2, 3]))
    return parts


def _perturbed(d: dict[str, Any], key: str) -> tuple[dict[str, Any], ma.Evaluator]:
    """The evaluator of d with the first element of entry `key` one higher, or one lower where
    that is out of range (a flag counts states: 0 or 1 here)."""
    for step in (1, -1):
        out = {k: (v if k == "options" else np.array(v, copy=True)) for k, v in d.items()}
        out[key].reshape(-1)[0] += step
        try:
            return out, ma.Evaluator.from_state_dict(out)
        except ValueError as e:
            if "a flag counts states" not in str(e):
                raise
    raise AssertionError(f"no perturbation of '{key}' is accepted")


@pytest.mark.parametrize("kind", ["multiclass", "multilabel"])
def test_every_entry_is_read_back_and_sums_like_merge(kind: str) -> None:
    if kind == "multiclass":
        parts, readings = _multiclass_parts(), _multiclass_readings
    else:
        rng = np.random.default_rng(4)
        parts = [ma.Evaluator(task="multilabel", num_labels=3) for _ in range(3)]
        for i, ev in enumerate(parts):
            scores = rng.random((20, 3)) if i == 1 else rng.normal(size=(20, 3))
            ev.update(scores, (rng.random((20, 3)) < 0.5).astype(np.int64),
                      sample_weight=rng.random(20) if i != 2 else None)
        readings = _labelwise_readings
    base = parts[0].state_dict()
    others = [p.state_dict() for p in parts[1:]]
    keys = [k for k in base if k not in ("options", "states")]
    assert len(keys) >= (25 if kind == "multiclass" else 12)
    for key in keys:
        d, ev = _perturbed(base, key)
        # Every entry comes back as it went in: none is dropped or rebuilt.
        back = ev.state_dict()
        assert back.keys() == d.keys()
        for k in keys:
            # An unweighted state's weighted sums are weight 1 per sample, from its counts.
            if k.startswith("w_") and not ev._state.weighted and kind == "multiclass":
                continue
            assert np.array_equal(back[k], d[k]), (key, k)
        if key != "batches":  # bookkeeping: a split changes it, no reading does
            assert ev != parts[0], f"== does not see a change of '{key}'"
        assert readings(ma.Evaluator.from_state_dict(back)) == readings(ev), key
        # Summing state dicts is merging, bit for bit, every reading included.
        summed = ma.Evaluator.from_state_dict(ma.sum_state_dicts([d, *others]))
        merged = ma.Evaluator.from_state_dict(d).merge(parts[1]).merge(parts[2])
        assert summed == merged, key
        assert readings(summed) == readings(merged), key


def test_state_dicts_of_other_formats_are_refused() -> None:
    ev = ma.Evaluator(num_classes=3)
    ev.update(np.array([[0.1, 0.7, 0.2]]), np.array([1]))
    d = ev.state_dict()
    old = dict(d, options=dict(d["options"], format="metricaudit-state/1"))
    with pytest.raises(ValueError, match="metricaudit-state/1"):
        ma.Evaluator.from_state_dict(old)
    unknown = dict(d, extra=np.zeros(1, dtype=np.int64))
    with pytest.raises(ValueError, match="unknown entry 'extra'"):
        ma.Evaluator.from_state_dict(unknown)
    missing = {k: v for k, v in d.items() if k != "topk_boundary_ties"}
    with pytest.raises(ValueError, match="missing entry 'topk_boundary_ties'"):
        ma.Evaluator.from_state_dict(missing)
