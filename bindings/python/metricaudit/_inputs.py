"""Turning what callers pass (numpy arrays, torch tensors, lists) into arrays the core reads in place.

Rules, applied once per argument:

* C-contiguous, aligned, native-order numpy arrays of a supported dtype are passed
  to C++ as they are: no copy (``int32``/``int64`` labels, ``float32``/``float64``
  scores and weights).
* Objects exporting DLPack on the CPU (torch tensors, jax/cupy host arrays) are
  wrapped with :func:`numpy.from_dlpack`, which shares their memory; anything
  else goes through :func:`numpy.asarray` (``__array__``, the buffer protocol, lists).
  torch is never imported.
* Other layouts and dtypes are converted once when the conversion keeps the
  meaning: a strided or Fortran-ordered array is made contiguous, small or
  unsigned integer types are widened to int64, float16 to float32, integer sample
  weights to float64, boolean targets to 0/1 labels.
* Conversions that would change the meaning are refused with a ``ValueError``:
  floating-point targets, boolean scores, complex or object arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_NATIVE_INT = (np.dtype(np.int32), np.dtype(np.int64))
_NATIVE_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))
_DLPACK_CPU = 1  # DLDeviceType kDLCPU
_DLPACK_CUDA_HOST = 3  # kDLCUDAHost: pinned host memory, readable by the CPU


def as_numpy(x: Any, name: str) -> np.ndarray:
    """``x`` as a numpy array sharing its memory where the producer allows it."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "__dlpack__") and hasattr(x, "__dlpack_device__"):
        device = x.__dlpack_device__()
        if int(device[0]) not in (_DLPACK_CPU, _DLPACK_CUDA_HOST):
            raise ValueError(
                f"{name}: expected an array in CPU memory, got one on DLPack device {tuple(device)}; "
                "move it to the CPU first (e.g. tensor.cpu())"
            )
        if getattr(x, "requires_grad", False):
            x = x.detach()  # shares memory; DLPack refuses tensors that require grad
        try:
            return np.from_dlpack(x)
        except (TypeError, BufferError, RuntimeError, ValueError):
            pass  # e.g. a dtype DLPack-to-numpy does not know: try __array__ below
    try:
        return np.asarray(x)
    except Exception as e:  # noqa: BLE001 - report any conversion failure as a ValueError
        raise ValueError(f"{name}: cannot read {type(x).__name__} as an array ({e})") from e


def _finish(a: np.ndarray, name: str) -> np.ndarray:
    if a.ndim == 0 or a.ndim > 2:
        raise ValueError(f"{name}: expected a 1-D or 2-D array, got shape {a.shape}")
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    if not (a.flags.c_contiguous and a.flags.aligned):
        a = np.ascontiguousarray(a)
        if not a.flags.aligned:
            a = a.copy()
    return a


def _integers(a: np.ndarray, name: str) -> np.ndarray:
    if a.dtype in _NATIVE_INT:
        return a
    if a.dtype.kind == "b":
        return a.astype(np.int64)
    if a.dtype == np.uint64 and a.size and int(a.max()) > np.iinfo(np.int64).max:
        raise ValueError(f"{name}: label {int(a.max())} does not fit in int64")
    return a.astype(np.int64)


def labels(x: Any, name: str = "target") -> np.ndarray:
    """Class labels (or 0/1 targets): int32/int64 in place, other integer types widened."""
    a = as_numpy(x, name)
    kind = a.dtype.kind
    if kind == "f":
        raise ValueError(
            f"{name}: expected integer class labels, got {a.dtype}; floating-point targets are "
            "refused because converting them could change their meaning (cast them explicitly, "
            "e.g. target.astype(np.int64), if they hold whole numbers)"
        )
    if kind not in "iub":
        raise ValueError(f"{name}: expected integer class labels, got dtype {a.dtype}")
    return _finish(_integers(a, name), name)


def predictions(x: Any, name: str = "preds") -> np.ndarray:
    """Scores (float32/float64; float16 widened) or predicted labels (integers)."""
    a = as_numpy(x, name)
    kind = a.dtype.kind
    if kind == "f":
        if a.dtype == np.float16:
            a = a.astype(np.float32)
        elif a.dtype not in _NATIVE_FLOAT and a.dtype.newbyteorder("=") not in _NATIVE_FLOAT:
            raise ValueError(
                f"{name}: expected float32 or float64 scores, got {a.dtype} (narrowing it would "
                "change the values); cast it explicitly"
            )
        return _finish(a, name)
    if kind in "iu":
        return _finish(_integers(a, name), name)
    if kind == "b":
        raise ValueError(
            f"{name}: expected scores (float) or predicted labels (int), got bool; a boolean "
            "array is ambiguous (decisions of which class?) - cast it to the labels or scores "
            "it stands for"
        )
    raise ValueError(f"{name}: expected scores (float) or predicted labels (int), got {a.dtype}")


def weights(x: Any, name: str = "sample_weight") -> np.ndarray | None:
    """Per-sample weights: float32/float64 in place; integers widened to float64; None passes."""
    if x is None:
        return None
    a = as_numpy(x, name)
    kind = a.dtype.kind
    if kind == "f":
        if a.dtype == np.float16:
            a = a.astype(np.float32)
        elif a.dtype not in _NATIVE_FLOAT and a.dtype.newbyteorder("=") not in _NATIVE_FLOAT:
            raise ValueError(f"{name}: expected float32 or float64 weights, got {a.dtype}")
        return _finish(a, name)
    if kind in "iu":
        return _finish(a.astype(np.float64), name)
    raise ValueError(f"{name}: expected float32 or float64 weights, got {a.dtype}")


def binary_scores(x: Any, name: str = "preds") -> np.ndarray:
    """Scores of a binary / multilabel task: floats as scores, 0/1 integers as decisions."""
    a = predictions(x, name)
    if a.dtype.kind in "iu":
        if a.size and (int(a.min()) < 0 or int(a.max()) > 1):
            raise ValueError(
                f"{name}: integer predictions of a binary or multilabel task must be 0 or 1, "
                f"got values in [{int(a.min())}, {int(a.max())}]"
            )
        a = a.astype(np.float64)  # 0/1 decisions read as probabilities 0 and 1
    return a


_TINY_CHUNK = 1 << 16  # cells per step of has_tiny_magnitude: 256 KiB of float32, in L2


def has_tiny_magnitude(a: np.ndarray) -> bool:
    """Whether a float array holds a zero, a subnormal or a NaN (``|x| < tiny`` or unordered):
    the cells a flush-to-zero cast or Keras' argmax rule can touch (:func:`cast_scores`'
    first check; the Evaluator's float32 batches are scanned by the C++ pass instead, which
    lists the rows holding one). Read in cache-sized
    chunks into one small buffer, so a batch of 10^9 scores makes no N x C temporary (a
    whole-array ``np.abs`` doubled the pass's memory traffic and allocated the batch's size)."""
    flat = a.reshape(-1)
    if flat.size == 0:
        return False
    tiny = np.finfo(a.dtype).tiny
    buffer = np.empty(min(flat.size, _TINY_CHUNK), dtype=a.dtype)
    for start in range(0, flat.size, _TINY_CHUNK):
        chunk = flat[start : start + _TINY_CHUNK]
        magnitude = np.abs(chunk, out=buffer[: chunk.size])
        if not magnitude.min() >= tiny:  # a NaN makes the minimum NaN: not >= either
            return True
    return False


def cast_scores(a: np.ndarray, score_cast: str, *, argmax: bool = False) -> np.ndarray:
    """What a profile does to the scores first (its ``score_cast``). ``float32_flush_subnormals``
    (Keras 3 on jax, CPU): float64 becomes float32 (jax_enable_x64 is off) and subnormal values
    compare as zeros of their sign, as XLA on CPU computes with flush-to-zero and
    denormals-are-zero. ``argmax=True`` (a top-1 reading) adds Keras' own fix of jax's argmax
    under FTZ (keras/src/backend/jax/numpy.py argmax): a negative zero ranks below +0, read as
    -tiny. Keras' in_top_k has no such fix, so a top-k reading keeps the zeros equal. Returns
    ``a`` itself when nothing changes (float32 input; the Evaluator tells the cases apart by
    it), a copy otherwise; integer predictions pass."""
    if score_cast != "float32_flush_subnormals" or a.dtype.kind != "f":
        return a
    if a.dtype != np.float32:
        a = a.astype(np.float32)
    if not has_tiny_magnitude(a):
        return a  # the common case
    tiny = np.finfo(np.float32).tiny
    magnitude = np.abs(a)
    at = np.flatnonzero(magnitude < tiny)  # the zeros and subnormals (nan is not below)
    small = a.reshape(-1)[at]
    flush = small != 0
    negative = np.signbit(small) if argmax else np.zeros_like(flush)
    if not (flush.any() or negative.any()):
        return a
    out = a.copy()
    cells = out.reshape(-1)
    cells[at[flush]] = np.copysign(np.float32(0), small[flush])
    cells[at[negative]] = np.float32(-tiny)  # Keras' argmax: -0 below +0
    return out
