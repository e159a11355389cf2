"""Lightning callback that saves what the validation (and, on request, training) steps
computed, for the audit.

The contract: ``validation_step`` returns what the logged metrics were computed on,

- a dict ``{"logits": ..., "target": ...}`` (``"probs"`` or ``"preds"`` instead of
  ``"logits"``; optionally ``"sample_weight"``), or
- a tuple ``(scores, target)``, where ``scores`` are what ``SavePredictions(scores=...)``
  says (``"logits"`` by default).

::

    class Model(L.LightningModule):
        def validation_step(self, batch, batch_idx):
            x, y = batch
            logits = self(x)
            self.val_acc(logits, y)
            self.log("val_acc", self.val_acc)
            return {"logits": logits, "target": y}

    trainer = L.Trainer(callbacks=[SavePredictions(trainer_log_dir)], ...)

Across each validation epoch the callback concatenates the returned batches (in
order, sanity checking left out) and writes ``<run_dir>/predictions/val_epoch<E>.npz``.
With ``train_epochs=True`` it does the same for ``training_step``, whose returned
dict then carries ``"loss"`` and the same keys, into ``train_epoch<E>.npz``: what
``on_epoch=True`` training metrics were computed on. ``train_steps=True`` writes
``train_step<S>.npz`` for every training batch, ``train_steps="logged"`` only for the
batches whose ``on_step=True`` values Lightning logs (every ``log_every_n_steps``);
``S`` is the optimizer steps taken before the batch, the ``step`` Lightning's loggers
record (one optimizer, no gradient accumulation).

One process: under a multi-process strategy each rank holds part of the data, and
the callback refuses rather than save a part. Uses ``lightning.pytorch`` when
installed, else ``pytorch_lightning``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

import numpy as np

from ._frameworks import require
from .capture import PathLike, PredictionWriter, to_numpy

try:
    pl = require("lightning.pytorch", "metricaudit.lightning", "pip install lightning")
except ImportError:
    pl = require(
        "pytorch_lightning", "metricaudit.lightning", "pip install lightning (or pytorch-lightning)"
    )

#: The keys validation_step's dict may hold (one of the score keys, and target).
SCORE_KEYS = ("logits", "probs", "preds")


def batch_arrays(outputs: Any, scores: str, hook: str) -> Dict[str, np.ndarray]:
    """The arrays of one step's return value, under the contract above."""
    if isinstance(outputs, dict):
        present = [k for k in SCORE_KEYS if k in outputs]
        if "target" not in outputs or len(present) != 1:
            raise ValueError(
                f"metricaudit.lightning.SavePredictions: {hook} returned a dict with keys "
                f"{sorted(outputs)}; expected 'target' and exactly one of 'logits', 'probs', 'preds'"
            )
        keys = ["target", present[0]] + (["sample_weight"] if "sample_weight" in outputs else [])
        return {k: to_numpy(outputs[k]) for k in keys}
    if isinstance(outputs, (tuple, list)) and len(outputs) == 2:
        return {scores: to_numpy(outputs[0]), "target": to_numpy(outputs[1])}
    raise ValueError(
        f"metricaudit.lightning.SavePredictions: {hook} returned {type(outputs).__name__}; "
        "expected {'logits': ..., 'target': ...} or (scores, target)"
    )


def concatenate(batches: List[Dict[str, np.ndarray]]) -> Dict[str, np.ndarray]:
    keys = batches[0].keys()
    for b in batches:
        if b.keys() != keys:
            raise ValueError(
                "metricaudit.lightning.SavePredictions: the steps of one epoch returned "
                f"different keys ({sorted(keys)} and {sorted(b.keys())})"
            )
    return {k: np.concatenate([b[k] for b in batches]) for k in keys}


class SavePredictions(pl.Callback):  # type: ignore[misc, name-defined]
    """See the module's documentation for the contract.

    ``run_dir``: the dumps go to ``<run_dir>/predictions`` (for a CSVLogger run, the
    folder that holds ``lightning_logs/`` or the logger's ``log_dir``: the audit finds
    the logs below a run directory). ``scores``: what the first element of a returned
    tuple holds. ``writer_options`` go to :class:`metricaudit.capture.PredictionWriter`.
    """

    def __init__(
        self,
        run_dir: PathLike,
        *,
        scores: str = "logits",
        train_epochs: bool = False,
        train_steps: Union[bool, str] = False,
        **writer_options: Any,
    ) -> None:
        super().__init__()
        if scores not in SCORE_KEYS:
            raise ValueError(f"scores must be one of {SCORE_KEYS}, got {scores!r}")
        if train_steps not in (False, True, "logged"):
            raise ValueError(f"train_steps must be False, True or 'logged', got {train_steps!r}")
        self.scores = scores
        self.train_epochs = train_epochs
        self.train_steps = train_steps
        self.writer = PredictionWriter(run_dir, **writer_options)
        self._val: List[Dict[str, np.ndarray]] = []
        self._train: List[Dict[str, np.ndarray]] = []
        self._step: Optional[int] = None

    def _record(self, trainer: Any, hook: str) -> Dict[str, Any]:
        return {
            "framework": f"lightning {pl.__version__}",
            "returned_by": hook,
            "tuple_scores_are": self.scores,
        }

    @staticmethod
    def _one_process(trainer: Any) -> None:
        if getattr(trainer, "world_size", 1) > 1:
            raise RuntimeError(
                "metricaudit.lightning.SavePredictions saves one process's evaluation; "
                f"this run has {trainer.world_size} processes, each holding part of the data"
            )

    # -- validation ---------------------------------------------------------------------------

    def on_validation_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        self._val = []

    def on_validation_batch_end(
        self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        if trainer.sanity_checking or dataloader_idx != 0:
            return
        self._one_process(trainer)
        self._val.append(batch_arrays(outputs, self.scores, "validation_step"))

    def on_validation_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        if trainer.sanity_checking or not self._val:
            self._val = []
            return
        arrays = concatenate(self._val)
        self._val = []
        self.writer.write(
            "val",
            epoch=trainer.current_epoch,
            metadata=self._record(trainer, "validation_step"),
            **arrays,
        )

    # -- training -----------------------------------------------------------------------------

    def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        self._train = []

    def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
        self._step = trainer.global_step  # optimizer steps taken before this batch

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        if not (self.train_epochs or self.train_steps):
            return
        self._one_process(trainer)
        arrays = batch_arrays(outputs, self.scores, "training_step")
        if self.train_epochs:
            self._train.append(arrays)
        step = self._step if self._step is not None else trainer.global_step
        logged = (step + 1) % max(1, trainer.log_every_n_steps) == 0
        if self.train_steps is True or (self.train_steps == "logged" and logged):
            self.writer.write("train", step=step, metadata=self._record(trainer, "training_step"), **arrays)

    def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        if not self.train_epochs or not self._train:
            return
        arrays = concatenate(self._train)
        self._train = []
        self.writer.write(
            "train",
            epoch=trainer.current_epoch,
            metadata=self._record(trainer, "training_step"),
            **arrays,
        )
