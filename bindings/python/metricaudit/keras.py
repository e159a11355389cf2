"""Keras 3 callback that saves the validation predictions of every epoch for the audit.

::

    from metricaudit.keras import SavePredictions

    model.fit(x, y, validation_data=(x_val, y_val), epochs=10,
              callbacks=[keras.callbacks.CSVLogger("run/training.log"),
                         SavePredictions("run", validation_data=(x_val, y_val))])
    # then: metricaudit audit run

At each epoch's end the callback predicts ``x_val`` and writes
``run/predictions/val_epoch<E>.npz`` (E from 0, as CSVLogger counts).

Whether the dump holds ``logits`` or ``probs`` is decided by what the model outputs:
its last activation (a ``softmax`` or ``sigmoid`` output, or a ``Softmax`` layer, means
probabilities; a linear output means logits). The loss's ``from_logits`` is never
consulted for this: that claim is what the audit checks (a softmax output compiled
with ``from_logits=True`` audits as softmax applied twice). The activation and the
loss configuration are recorded in each dump's ``.json`` record.

Importing this module imports Keras; without Keras 3 it raises ImportError.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import numpy as np

from ._frameworks import require
from .capture import PathLike, PredictionWriter

keras = require("keras", "metricaudit.keras", "pip install keras (Keras 3) and a backend, e.g. pip install 'jax[cpu]'")
if int(keras.__version__.split(".")[0]) < 3:
    raise ImportError(
        f"metricaudit.keras needs Keras 3; Keras {keras.__version__} is installed (pip install 'keras>=3')"
    )

#: Output activations whose values are probabilities. log_softmax gives
#: log-probabilities, which a logits loss reads correctly (softmax(log p) = p): logits.
PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")


def output_layer(model: Any) -> Any:
    """The layer that produces the model's (single) output."""
    outputs = getattr(model, "outputs", None)
    if outputs is not None and len(outputs) != 1:
        raise ValueError(
            f"metricaudit.keras.SavePredictions: the model has {len(outputs)} outputs; "
            "only single-output models are supported"
        )
    if outputs:
        history = getattr(outputs[0], "_keras_history", None)
        if history is not None:
            return history[0]
    return model.layers[-1]


def output_activation(model: Any) -> Optional[str]:
    """The name of the model's last activation: "softmax", "sigmoid", "linear", ...;
    None when the output layer has none that Keras can name (a custom layer)."""
    layer = output_layer(model)
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    name = keras.activations.serialize(activation)
    if isinstance(name, dict):  # a registered custom activation
        name = name.get("config", name.get("class_name"))
    return str(name) if isinstance(name, str) else getattr(activation, "__name__", None)


def loss_configuration(model: Any) -> Any:
    """What ``model.compile(loss=...)`` was given, as JSON-able data: a name, or the
    loss's class and config (``from_logits``, ``label_smoothing``, ...)."""
    loss = getattr(model, "loss", None)
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, (list, tuple)):
        return [_serialize_loss(x) for x in loss]
    if isinstance(loss, dict):
        return {k: _serialize_loss(v) for k, v in loss.items()}
    return _serialize_loss(loss)


def _serialize_loss(loss: Any) -> Any:
    if isinstance(loss, str):
        return loss
    try:
        return keras.losses.serialize(loss)
    except Exception:  # noqa: BLE001 - a plain function or an unregistered class: its name
        return getattr(loss, "__name__", type(loss).__name__)


def scores_role(activation: Optional[str], outputs: np.ndarray) -> Tuple[str, str]:
    """("probs" | "logits", why), from the output activation; for an activation Keras
    cannot name, from the values (each row in [0, 1] summing to 1: probabilities)."""
    if activation in PROBABILITY_ACTIVATIONS:
        return "probs", f"the output activation is {activation}"
    if activation is not None:
        return "logits", f"the output activation is {activation}"
    in_unit = bool(np.all((outputs >= 0) & (outputs <= 1)))
    sums_to_one = outputs.ndim == 2 and bool(np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3))
    if in_unit and sums_to_one:
        return "probs", "the output activation is unknown; every row lies in [0, 1] and sums to 1"
    return "logits", "the output activation is unknown; the outputs are not rows of probabilities"


class SavePredictions(keras.callbacks.Callback):  # type: ignore[misc, name-defined]
    """Writes ``<run_dir>/predictions/<split>_epoch<E>.npz`` at each epoch's end.

    ``validation_data``: ``(x, y)`` or ``(x, y, sample_weight)`` arrays, the same data
    given to ``fit(validation_data=...)``; ``y`` as the loss takes it (labels or one-hot).
    ``batch_size`` for ``model.predict`` (default: Keras'). ``every_n_epochs`` thins
    the dumps (the audit reports epochs without one as undecided). ``writer_options``
    go to :class:`metricaudit.capture.PredictionWriter` (``compress``, ``subdir``).
    """

    def __init__(
        self,
        run_dir: PathLike,
        validation_data: Tuple[Any, ...],
        *,
        split: str = "val",
        batch_size: Optional[int] = None,
        every_n_epochs: int = 1,
        **writer_options: Any,
    ) -> None:
        super().__init__()
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError(
                "metricaudit.keras.SavePredictions: validation_data must be (x, y) or (x, y, sample_weight)"
            )
        self.x = validation_data[0]
        self.y = validation_data[1]
        self.sample_weight = validation_data[2] if len(validation_data) == 3 else None
        self.split = split
        self.batch_size = batch_size
        self.every_n_epochs = max(1, int(every_n_epochs))
        self.writer = PredictionWriter(run_dir, **writer_options)

    def describe_model(self, outputs: np.ndarray) -> Dict[str, Any]:
        """The dump's record: how the model's outputs were read, and what it was compiled with."""
        activation = output_activation(self.model)
        role, why = scores_role(activation, outputs)
        layer = output_layer(self.model)
        return {
            "framework": f"keras {keras.__version__} (backend {keras.backend.backend()})",
            "output_layer": f"{type(layer).__name__} {getattr(layer, 'name', '')}".strip(),
            "output_activation": activation,
            "saved_as": role,
            "saved_as_because": why,
            "loss": loss_configuration(self.model),
        }

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        if epoch % self.every_n_epochs != 0:
            return
        outputs = np.asarray(self.model.predict(self.x, batch_size=self.batch_size, verbose=0))
        record = self.describe_model(outputs)
        self.writer.write(
            self.split,
            epoch=epoch,
            target=self.y,
            sample_weight=self.sample_weight,
            metadata=record,
            **{record["saved_as"]: outputs},
        )
