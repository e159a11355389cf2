"""Dask for metricaudit: one exact state over a chunked array (``import metricaudit.dask``).

:func:`evaluate` builds one state per block of rows (a task each), sums their int64 buffers
(:meth:`~metricaudit.Evaluator.state_buffer`) in a tree, and returns an
:class:`~metricaudit.Evaluator` on the client. Counts are integers and sums are ExactSum
limbs, so the result is bit-identical to one process over the whole arrays, whatever the
chunking or the number of workers::

    import dask.array as da, metricaudit.dask as mdask
    scores = da.from_zarr("scores.zarr")          # (N, C), chunked along rows
    target = da.from_zarr("target.zarr")          # (N,)
    ev = mdask.evaluate(scores, target, num_classes=scores.shape[1])
    ev.compute("accuracy", average="macro", profile="sklearn")

The tasks run on whatever scheduler is active (a ``distributed.Client`` when one exists).
Importing ``metricaudit`` never imports dask; this module does.
"""

from __future__ import annotations

from typing import Any, Sequence

import dask
import dask.array as da
import numpy as np

from ._evaluator import Evaluator

__all__ = ["evaluate"]


def evaluate(
    scores: Any,
    target: Any,
    sample_weight: Any | None = None,
    *,
    split_every: int = 8,
    **evaluator_options: Any,
) -> Evaluator:
    """The :class:`~metricaudit.Evaluator` of the whole arrays (options as for its
    constructor), computed block by block. ``scores``: (N, C) or, for binary and multilabel
    tasks, (N,) / (N, L); ``target`` and ``sample_weight`` are rechunked to the scores' row
    blocks. ``split_every``: how many buffers each reduction task sums."""
    if split_every < 2:
        raise ValueError(f"split_every: expected an integer >= 2, got {split_every}")
    result = Evaluator(**evaluator_options)  # checks the options once, on the client
    s = da.asarray(scores)
    s = s.rechunk({1: -1}) if s.ndim == 2 else s
    rows = s.chunks[0]
    t = _rows_like(da.asarray(target), rows, "target", s.shape[0])
    w = None if sample_weight is None else _rows_like(da.asarray(sample_weight), rows, "sample_weight", s.shape[0])
    blocks = zip(
        s.to_delayed().ravel(),
        t.to_delayed().ravel(),
        [None] * len(rows) if w is None else w.to_delayed().ravel(),
    )
    buffers = [dask.delayed(_block_buffer)(b_s, b_t, b_w, evaluator_options) for b_s, b_t, b_w in blocks]
    (total,) = dask.compute(_tree_sum(buffers, split_every))
    return result.load_state_buffer(total)


def _rows_like(a: da.Array, rows: tuple[int, ...], name: str, n: int) -> da.Array:
    if a.shape[0] != n:
        raise ValueError(f"{name}: expected {n} rows (as the scores), got shape {a.shape}")
    return a.rechunk({0: rows, 1: -1} if a.ndim == 2 else {0: rows})


def _block_buffer(scores: np.ndarray, target: np.ndarray, weight: np.ndarray | None,
                  options: dict[str, Any]) -> np.ndarray:
    ev = Evaluator(**options)
    if len(target):
        ev.update(scores, target, weight)
    return ev.state_buffer()


def _sum(*buffers: np.ndarray) -> np.ndarray:
    return np.sum(buffers, axis=0, dtype=np.int64)


def _tree_sum(buffers: Sequence[Any], split_every: int) -> Any:
    level = list(buffers)
    while len(level) > 1:
        level = [dask.delayed(_sum)(*level[i : i + split_every])
                 for i in range(0, len(level), split_every)]
    return level[0]
