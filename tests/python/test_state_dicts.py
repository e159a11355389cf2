"""State dicts: every entry is read back, sums of state dicts are merges, and every reading
(value or refusal) survives both bit for bit (issue 12: a dropped entry turned a refusal into
a number)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import metricaudit as ma
from _support import labelwise_readings, multiclass_readings


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
        parts, readings = _multiclass_parts(), multiclass_readings
    else:
        rng = np.random.default_rng(4)
        parts = [ma.Evaluator(task="multilabel", num_labels=3) for _ in range(3)]
        for i, ev in enumerate(parts):
            scores = rng.random((20, 3)) if i == 1 else rng.normal(size=(20, 3))
            ev.update(scores, (rng.random((20, 3)) < 0.5).astype(np.int64),
                      sample_weight=rng.random(20) if i != 2 else None)
        readings = labelwise_readings
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


def test_state_buffers_sum_like_merge() -> None:
    """One int64 buffer per state (what one collective moves): summed, it is the merge."""
    parts = _multiclass_parts()
    buffers = [p.state_buffer() for p in parts]
    assert all(b.dtype == np.int64 and b.ndim == 1 and len(b) == len(buffers[0]) for b in buffers)
    merged = ma.Evaluator.from_state_dict(parts[0].state_dict()).merge(parts[1]).merge(parts[2])
    rebuilt = ma.Evaluator.from_state_dict(parts[0].state_dict()).load_state_buffer(sum(buffers))
    assert rebuilt == merged
    assert multiclass_readings(rebuilt) == multiclass_readings(merged)
    with pytest.raises(ValueError, match=f"expected a 1-D int64 buffer of {len(buffers[0])} values"):
        rebuilt.load_state_buffer(buffers[0][:-1])


def test_valid_mask_leaves_rows_out() -> None:
    rng = np.random.default_rng(3)
    scores, target = rng.normal(size=(50, 4)), rng.integers(0, 4, 50)
    weight = rng.random(50)
    keep = rng.random(50) < 0.7
    masked = ma.Evaluator(num_classes=4)
    masked.update(scores, target, sample_weight=weight, valid=keep)
    masked.update(scores[:3], target[:3], valid=np.zeros(3, dtype=bool))  # nothing counts
    plain = ma.Evaluator(num_classes=4)
    plain.update(scores[keep], target[keep], sample_weight=weight[keep])
    assert masked == plain and masked.samples == keep.sum()
    with pytest.raises(ValueError, match=r"valid: expected a boolean mask of shape \(50,\)"):
        masked.update(scores, target, valid=keep.astype(np.int64))
    with pytest.raises(ValueError, match=r"valid: expected a boolean mask of shape \(50,\)"):
        masked.update(scores, target, valid=keep[:10])
    binary = ma.Evaluator(task="binary")
    binary.update(scores[:, 0], target % 2, valid=keep)
    assert binary.samples == keep.sum()
