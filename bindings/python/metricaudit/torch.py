"""torch.distributed for metricaudit: one exact state across ranks (``import metricaudit.torch``).

Each rank folds its shard into an :class:`~metricaudit.Evaluator`; :func:`all_reduce` sums
the states with one ``dist.all_reduce(SUM)`` on one int64 buffer, after checking that every
rank holds the same options. Counts are integers and sums are ExactSum limbs, so the result
is bit-identical to one process over the whole set, whatever the number of ranks.

``DistributedSampler`` (``drop_last=False``) repeats samples to give every rank as many;
pass ``valid=padding_mask(sampler)[...]`` to ``update`` so they count once::

    import metricaudit, metricaudit.torch as mt
    ev = metricaudit.Evaluator(num_classes=C)
    mask, seen = mt.padding_mask(loader.sampler), 0
    for x, y in loader:
        ev.update(model(x), y, valid=mask[seen : seen + len(y)])
        seen += len(y)
    mt.all_reduce(ev)  # every rank now holds the whole set's state

Works with the ``gloo`` (CPU tensors) and ``nccl`` (the buffer goes to
``torch.cuda.current_device()``; set it per rank first) backends. Importing ``metricaudit``
never imports torch; this module does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from ._evaluator import Evaluator

__all__ = ["all_reduce", "padding_mask"]


def all_reduce(evaluator: Evaluator, group: Any = None) -> Evaluator:
    """Replaces ``evaluator``'s state, on every rank of ``group``, by the sum of all ranks'
    states (exact). Raises ``ValueError`` on every rank, naming the option, when the ranks'
    options differ. Returns ``evaluator``."""
    _check_same_options(evaluator, group)
    buffer = torch.from_numpy(evaluator.state_buffer())
    if dist.get_backend(group) == dist.Backend.NCCL:
        buffer = buffer.to(torch.device("cuda", torch.cuda.current_device()))
    dist.all_reduce(buffer, op=dist.ReduceOp.SUM, group=group)
    return evaluator.load_state_buffer(buffer.cpu().numpy())


def padding_mask(sampler: Any) -> np.ndarray:
    """For this rank's shard of a ``torch.utils.data.DistributedSampler``, in the order it
    yields indices: True for the samples it owns, False for the ones it repeats so that every
    rank gets ``sampler.num_samples`` (shard r holds positions r, r + W, r + 2W, ... of the
    padded list, whose positions from ``len(dataset)`` on are repeats;
    torch/utils/data/distributed.py). All True when nothing is padded (``drop_last=True``)."""
    positions = sampler.rank + sampler.num_replicas * np.arange(sampler.num_samples)
    return positions < len(sampler.dataset)


def _check_same_options(evaluator: Evaluator, group: Any) -> None:
    mine = {"task": evaluator.task, **evaluator._options()}  # the score cast included
    everyone: list[Any] = [None] * dist.get_world_size(group)
    dist.all_gather_object(everyone, mine, group=group)
    reference = everyone[0]
    for rank, theirs in enumerate(everyone):
        for key in list(reference) + [k for k in theirs if k not in reference]:
            if reference.get(key) != theirs.get(key):
                raise ValueError(
                    f"all_reduce: the ranks' evaluators differ in option '{key}': "
                    f"{reference.get(key)!r} on rank 0, {theirs.get(key)!r} on rank {rank}"
                )
