"""Hugging Face ``Trainer``: save every evaluation's predictions and labels for the audit.

A ``TrainerCallback`` does not see predictions, and ``compute_metrics`` does not see the
epoch; :class:`SavePredictions` is both: pass it as a callback, and let it wrap your
``compute_metrics`` (or stand in for it)::

    from metricaudit.huggingface import SavePredictions

    saver = SavePredictions(args.output_dir)
    trainer = Trainer(model, args, train_dataset=train, eval_dataset=val,
                      compute_metrics=saver.wrap(compute_metrics), callbacks=[saver])
    trainer.train()

Each evaluation writes ``<run_dir>/predictions/val_epoch<E>.npz`` when it ran at the end
of an epoch (``state.epoch`` a whole number; E = state.epoch - 1, counted from 0 like the
CSV loggers), else ``val_step<S>.npz`` with S = ``state.global_step``. Labels equal to
-100 (the padding and ignored positions of Hugging Face's collators and of the
Trainer's own concatenation across batches) are removed, with the scores at the same
positions: token-level (N, T) labels and (N, T, C) logits become one row per kept token.
Predictions reduced to labels by ``preprocess_logits_for_metrics`` are saved as ``preds``.

Importing this module imports transformers; without it, an ImportError says what to install.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import numpy as np

from ._frameworks import require
from .capture import PathLike, PredictionWriter

transformers = require("transformers", "metricaudit.huggingface", "pip install transformers (and torch)")

#: The label Hugging Face uses for padding and for positions the loss ignores.
IGNORE_INDEX = -100


def kept_rows(scores: np.ndarray, labels: np.ndarray) -> Dict[str, Any]:
    """Scores and labels with every -100 label (and its scores) removed."""
    mask = labels != IGNORE_INDEX
    if labels.ndim >= 2 and scores.ndim == labels.ndim + 1:  # (N, T) labels, (N, T, C) scores
        return {"scores": scores[mask], "target": labels[mask], "removed": int((~mask).sum())}
    if labels.ndim == 1 and scores.shape[:1] == labels.shape:  # (N,) labels
        return {"scores": scores[mask], "target": labels[mask], "removed": int((~mask).sum())}
    return {"scores": scores, "target": labels, "removed": 0}  # e.g. (N, L) multilabel targets


class SavePredictions(transformers.TrainerCallback):  # type: ignore[misc, name-defined]
    """A ``TrainerCallback`` (for the training state) that saves what ``compute_metrics``
    receives. ``scores``: what the model's predictions are, ``"logits"`` (the default
    for Hugging Face models) or ``"probs"``. ``writer_options`` go to
    :class:`metricaudit.capture.PredictionWriter`."""

    def __init__(self, run_dir: PathLike, *, split: str = "val", scores: str = "logits", **writer_options: Any):
        super().__init__()
        if scores not in ("logits", "probs"):
            raise ValueError(f"scores must be 'logits' or 'probs', got {scores!r}")
        self.split = split
        self.scores = scores
        self.writer = PredictionWriter(run_dir, **writer_options)
        self.state: Any = None

    # The Trainer mutates one TrainerState in place; keep a reference to read epoch/step.
    def on_init_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.state = state

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.state = state

    def wrap(self, compute_metrics: Optional[Callable[[Any], Dict[str, float]]] = None) -> Callable[[Any], Dict[str, float]]:
        """A ``compute_metrics`` that saves the evaluation, then returns
        ``compute_metrics(eval_pred)`` (an empty dict without one)."""

        def save_then_compute(eval_pred: Any) -> Dict[str, float]:
            self.save(eval_pred)
            return compute_metrics(eval_pred) if compute_metrics is not None else {}

        return save_then_compute

    def save(self, eval_pred: Any) -> None:
        """Writes one evaluation (an ``EvalPrediction``)."""
        if self.state is None:
            raise RuntimeError(
                "metricaudit.huggingface.SavePredictions: pass it in Trainer(callbacks=[...]) too, "
                "so it knows the epoch and step of each evaluation"
            )
        predictions, labels = eval_pred.predictions, eval_pred.label_ids
        if isinstance(predictions, (tuple, list)):  # extra model outputs (hidden states, ...)
            predictions = predictions[0]
        if isinstance(labels, (tuple, list)):
            labels = labels[0]
        kept = kept_rows(np.asarray(predictions), np.asarray(labels))
        scores = kept["scores"]
        role = "preds" if scores.dtype.kind in "iu" and scores.shape == kept["target"].shape else self.scores
        epoch = self.state.epoch
        at_epoch_end = epoch is not None and epoch > 0 and abs(epoch - round(epoch)) < 1e-9
        where = {"epoch": int(round(epoch)) - 1} if at_epoch_end else {"step": int(self.state.global_step)}
        self.writer.write(
            self.split,
            target=kept["target"],
            metadata={
                "framework": f"transformers {transformers.__version__}",
                "trainer_epoch": epoch,
                "trainer_global_step": self.state.global_step,
                "removed_label_padding": kept["removed"],
                "saved_as": role,
            },
            **where,
            **{role: scores},
        )
