"""What each rank of the torch.distributed tests runs (test_torch.py spawns them): real
``gloo`` processes, shards from DistributedSampler (padded) and uneven splits, the state
after ``metricaudit.torch.all_reduce`` compared with one process over the whole set."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import numpy as np
import torch.distributed as dist
from torch.utils.data import DistributedSampler

import metricaudit as ma
import metricaudit.torch as mt
from _support import labelwise_readings, multiclass_readings

N, C = 1001, 7  # 1001 = 2 * 500 + 1 = 3 * 333 + 2: both world sizes pad
OPTIONS: dict[str, Any] = dict(num_classes=C, top_k=[2, 3], ignore_index=6,
                               confusion_matrix=True, topk_sets=True, smoothing_columns=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A model's logits (right about 4 times in 5), rounded so that targets tie across the
    top-k boundary, with a masked (-inf) logit, ignored targets and sample weights."""
    rng = np.random.default_rng(2024)
    target = rng.integers(0, C, N)
    scores = rng.normal(size=(N, C)) + 2.5 * np.eye(C)[target]
    scores = np.round(scores, 1).astype(np.float32)
    scores[5, 3] = -np.inf
    weight = rng.random(N)
    return scores, target, weight


def whole() -> ma.Evaluator:
    """One process over the whole set (unweighted: the sampler scenario's reference)."""
    scores, target, _ = dataset()
    ev = ma.Evaluator(**OPTIONS)
    ev.update(scores, target)
    return ev


def _sampler_shard(rank: int, world: int) -> tuple[ma.Evaluator, ma.Evaluator]:
    """This rank's DistributedSampler shard, in batches: with the padding mask, and without."""
    scores, target, _ = dataset()
    sampler = DistributedSampler(range(N), num_replicas=world, rank=rank, shuffle=True, seed=7)
    order = np.fromiter(iter(sampler), dtype=np.int64)
    mask = mt.padding_mask(sampler)
    masked, naive = ma.Evaluator(**OPTIONS), ma.Evaluator(**OPTIONS)
    for batch in np.array_split(np.arange(len(order)), 4):
        rows = order[batch]
        masked.update(scores[rows], target[rows], valid=mask[batch])
        naive.update(scores[rows], target[rows])
    return masked, naive


def _uneven_shard(rank: int, world: int, ev: ma.Evaluator | None = None) -> ma.Evaluator:
    """Rank `rank`'s rows of an uneven split (rank r: [N r^2 / W^2, N (r+1)^2 / W^2)), in 3
    batches; rank 1's batches are unweighted. Into `ev` when given."""
    scores, target, weight = dataset()
    rows = np.arange(N * rank**2 // world**2, N * (rank + 1) ** 2 // world**2)
    ev = ma.Evaluator(**OPTIONS) if ev is None else ev
    for part in np.array_split(rows, 3):
        ev.update(scores[part], target[part], sample_weight=None if rank == 1 else weight[part])
    return ev


def run(rank: int, world: int, port: int, out_dir: str) -> None:
    """One rank: every check raises AssertionError (torch.multiprocessing.spawn re-raises it in
    the test); the figures of docs/distributed.md go to out_dir/rank<r>.json."""
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world)
    try:
        reference = whole()
        expected = multiclass_readings(reference)

        masked, naive = _sampler_shard(rank, world)
        mt.all_reduce(masked)
        mt.all_reduce(naive)
        assert masked == reference, "the padded shards with the mask differ from one process"
        assert masked.state_dict().keys() == reference.state_dict().keys()
        for key, value in reference.state_dict().items():
            if key not in ("options", "batches", "states"):
                assert np.array_equal(masked.state_dict()[key], value), key
        assert multiclass_readings(masked) == expected
        padding = -N % world
        assert naive.samples + naive._state.ignored == N + padding
        assert (naive == reference) == (padding == 0)

        uneven = _uneven_shard(rank, world)
        mt.all_reduce(uneven)
        one_process = ma.Evaluator(**OPTIONS)  # the same batches, one after the other
        for r in range(world):
            _uneven_shard(r, world, one_process)
        assert uneven == one_process, "uneven shards (rank 1 unweighted) differ from one process"
        assert multiclass_readings(uneven) == multiclass_readings(one_process)

        # Binary: the labelwise state travels the same way.
        scores, target, _ = dataset()
        binary_scores = scores[:, 0].astype(np.float64)
        binary_target = (target % 2).astype(np.int64)
        one = ma.Evaluator(task="binary")
        one.update(binary_scores, binary_target)
        part = ma.Evaluator(task="binary")
        rows = np.array_split(np.arange(N), world)[rank]
        part.update(binary_scores[rows], binary_target[rows])
        mt.all_reduce(part)
        assert part == one and labelwise_readings(part) == labelwise_readings(one)

        # Different options on one rank: every rank refuses, naming the option.
        odd = ma.Evaluator(**dict(OPTIONS, top_k=[2, 4] if rank == world - 1 else [2, 3]))
        try:
            mt.all_reduce(odd)
        except ValueError as e:
            assert "option 'top_k'" in str(e) and f"on rank {world - 1}" in str(e), str(e)
        else:
            raise AssertionError("all_reduce accepted different options")

        if rank == 0:
            figures: dict[str, Any] = {"world": world, "samples": N, "padding": padding}
            readings: dict[str, dict[str, Any]] = {
                "accuracy": {}, "macro_recall": dict(average="macro"), "cross_entropy": {}}
            for name, ev in [("single", reference), ("naive", naive), ("masked", masked)]:
                figures[f"counted_{name}"] = ev.samples + ev._state.ignored
                for reading, kw in readings.items():
                    metric = "recall" if reading == "macro_recall" else reading
                    figures[f"{reading}_{name}"] = ev.compute(metric, **kw)
            with open(os.path.join(out_dir, f"world{world}.json"), "w") as f:
                json.dump(figures, f, indent=1)
    finally:
        dist.destroy_process_group()
