"""Saving predictions during training, in the layout ``metricaudit audit`` reads.

A dump is one evaluation: ``<run_dir>/predictions/<split>_epoch<E>.npz`` (E counted
from 0, as Keras' and Lightning's CSV loggers count) or ``<split>_step<S>.npz``, holding
``target`` and exactly one of ``logits``, ``probs``, ``preds``, optionally
``sample_weight`` (the format: ``audit/include/metricaudit/audit/dumps.hpp``,
``docs/audit.md``). Beside each dump, ``<split>_epoch<E>.json`` records what wrote it
and how (the model's output activation, the loss configuration, ...); the audit does
not need it, people do.

:class:`PredictionWriter` writes them for any training loop; the framework callbacks
(:mod:`metricaudit.keras`, :mod:`metricaudit.lightning`, :mod:`metricaudit.huggingface`)
call it. This module imports no framework: tensors of torch or JAX are converted
through their own ``numpy()`` / ``__array__``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

import numpy as np

from . import _core

PathLike = Union[str, "os.PathLike[str]"]

#: The arrays a dump may hold, in the order they are written.
ROLES = ("target", "logits", "probs", "preds", "sample_weight")


def to_numpy(x: Any) -> np.ndarray:
    """A numpy array of ``x``: numpy arrays as they are, torch tensors detached and moved
    to the CPU (bfloat16 widened to float32, which numpy lacks), JAX arrays and lists
    through ``numpy.asarray``. Floating types numpy cannot save portably (bfloat16 from
    ml_dtypes) become float32."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, without importing torch
        t = x.detach().cpu()
        if str(t.dtype) == "torch.bfloat16":
            t = t.float()
        x = t.numpy()
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        a = a.astype(np.float32)
    return a


class PredictionWriter:
    """Writes prediction dumps under ``<run_dir>/predictions`` (``subdir``).

    ``write()`` is atomic: the archive is written to a hidden temporary file in the same
    folder, read back by the audit's own dump reader (the same checks and messages as
    ``metricaudit audit``), and only then renamed into place, so a crash mid-write
    leaves no half dump, and a dump the audit would refuse is never written.
    ``metadata`` (JSON-serialisable) goes into every dump's ``.json`` record.
    ``compress`` uses ``np.savez_compressed`` (smaller files, slower writes).
    """

    def __init__(
        self,
        run_dir: PathLike,
        *,
        subdir: str = "predictions",
        compress: bool = True,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.directory = self.run_dir / subdir
        self.compress = compress
        self.metadata: Dict[str, Any] = dict(metadata or {})

    def path(self, split: str, *, epoch: Optional[int] = None, step: Optional[int] = None) -> Path:
        """Where ``write(split, epoch=..., step=...)`` puts the dump."""
        return self.directory / (_stem(split, epoch, step) + ".npz")

    def write(
        self,
        split: str,
        *,
        epoch: Optional[int] = None,
        step: Optional[int] = None,
        target: Any,
        logits: Any = None,
        probs: Any = None,
        preds: Any = None,
        sample_weight: Any = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Path:
        """Writes one evaluation and returns the dump's path.

        ``split`` is ``"train"``, ``"val"`` or ``"test"``; exactly one of ``epoch``
        (0-based) and ``step``. ``target``: (N,) labels, or (N, C) one-hot / multilabel
        0/1 targets. Exactly one of ``logits`` (N, C) or (N,) for one binary output,
        ``probs`` (same shapes) or ``preds`` (N,) labels. ``sample_weight``: (N,).
        Raises :class:`metricaudit.InputError` / ``ValueError`` with the dump reader's
        message when the arrays are not a dump the audit reads.
        """
        stem = _stem(split, epoch, step)
        final = self.directory / (stem + ".npz")
        given = {"target": target, "logits": logits, "probs": probs, "preds": preds}
        given["sample_weight"] = sample_weight
        arrays = {role: to_numpy(v) for role, v in given.items() if v is not None}
        self.directory.mkdir(parents=True, exist_ok=True)

        tmp = self._temporary(stem, ".npz")
        try:
            with open(tmp, "wb") as f:
                (np.savez_compressed if self.compress else np.savez)(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            summary = _checked(tmp, final, split, epoch, step)
            record = {
                "dump": final.name,
                "written_by": f"metricaudit {_core.__version__}",
                "split": split,
                "epoch": epoch,
                "step": step,
                "arrays": {k: {"dtype": str(v.dtype), "shape": list(v.shape)} for k, v in arrays.items()},
                "read_by_the_audit_as": {k: v for k, v in summary.items() if k != "warnings"},
                **self.metadata,
                **dict(metadata or {}),
            }
            # The record first: a dump on disk always has its record beside it.
            self._write_text(stem + ".json", json.dumps(record, indent=2, default=str) + "\n")
            os.replace(tmp, final)
        except BaseException:
            _remove(tmp)
            raise
        _listed_by_the_audit(final)
        return final

    def _temporary(self, stem: str, suffix: str) -> Path:
        # Hidden and not named like a dump: the audit passes over a leftover one.
        fd, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix + ".tmp", dir=self.directory)
        os.close(fd)
        return Path(name)

    def _write_text(self, name: str, text: str) -> None:
        tmp = self._temporary(name, "")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.directory / name)
        except BaseException:
            _remove(tmp)
            raise


def _stem(split: str, epoch: Optional[int], step: Optional[int]) -> str:
    if (epoch is None) == (step is None):
        raise ValueError("PredictionWriter.write: give exactly one of epoch= and step=")
    number = epoch if step is None else step
    kind = "epoch" if step is None else "step"
    if isinstance(number, bool) or not isinstance(number, (int, np.integer)) or number < 0:
        raise ValueError(f"PredictionWriter.write: {kind} must be an integer >= 0, got {number!r}")
    return f"{split}_{kind}{int(number)}"


def _checked(tmp: Path, final: Path, split: str, epoch: Optional[int], step: Optional[int]) -> Dict[str, Any]:
    """The audit's reading of the temporary archive; its errors name the final path."""
    try:
        return dict(_core.check_dump(str(tmp), split, epoch, step))
    except ValueError as e:
        message = str(e).replace(str(tmp), str(final))
        raise type(e)(message) from None


def _listed_by_the_audit(path: Path) -> None:
    """The audit finds dumps by name (list_dumps): one it would pass over, or one that
    clashes with another dump's name, is removed again and refused."""
    try:
        found = {Path(p) for p, *_ in _core.list_dumps(str(path.parent))}
    except ValueError:
        _remove(path)
        _remove(path.with_suffix(".json"))
        raise
    if path not in found:
        _remove(path)
        _remove(path.with_suffix(".json"))
        raise ValueError(
            f"{path}: the audit does not read this name as a dump; dumps are named "
            "<split>_epoch<E>.npz or <split>_step<S>.npz (split: train, val or test; "
            "see docs/audit.md)"
        )


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
