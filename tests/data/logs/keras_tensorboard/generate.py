"""Writes a real Keras 3 + TensorFlow TensorBoard log for the readers' tests: a two-epoch
run of a tiny softmax classifier on random data with keras.callbacks.TensorBoard, and
the validation predictions of each epoch in the audit's dump format.

    python3 -m venv VENV && VENV/bin/pip install tensorflow-cpu tensorboard  # Keras 3 comes along
    KERAS_BACKEND=tensorflow VENV/bin/python tests/data/logs/keras_tensorboard/generate.py \
        tests/data/logs/keras_tensorboard/run

What lands in run/:
  logs/train/events.out.tfevents.*       epoch_loss, epoch_accuracy, epoch_learning_rate at
                                         step = epoch (keras/src/callbacks/tensorboard.py,
                                         _log_epoch_metrics), the model graph
  logs/validation/events.out.tfevents.*  epoch_loss, epoch_accuracy at step = epoch ("val_"
                                         removed) and evaluation_loss_vs_iterations,
                                         evaluation_accuracy_vs_iterations at step = the
                                         optimizer's iterations (on_test_end)
  predictions/val_epoch<E>.npz           probs (the softmax output) and target of the
                                         validation data after epoch E (from 0)
The versions used are written to versions.txt beside run/.
"""
import os
import shutil
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

out = os.path.abspath(sys.argv[1])
shutil.rmtree(out, ignore_errors=True)
os.makedirs(os.path.join(out, "predictions"))
keras.utils.set_random_seed(0)

C, N_TRAIN, N_VAL, D = 4, 64, 40, 8
rng = np.random.default_rng(0)
x_train = rng.normal(size=(N_TRAIN, D)).astype("float32")
y_train = (x_train[:, 0] > 0).astype("int64") + 2 * (x_train[:, 1] > 0).astype("int64")
x_val = rng.normal(size=(N_VAL, D)).astype("float32")
y_val = (x_val[:, 0] > 0).astype("int64") + 2 * (x_val[:, 1] > 0).astype("int64")

model = keras.Sequential([keras.Input((D,)), keras.layers.Dense(C, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])


class SaveValidation(keras.callbacks.Callback):
    """What the model outputs on the validation data after each epoch (probabilities)."""

    def on_epoch_end(self, epoch, logs=None):
        probs = self.model.predict(x_val, batch_size=N_VAL, verbose=0)
        np.savez(os.path.join(out, "predictions", f"val_epoch{epoch}.npz"),
                 probs=probs.astype(np.float32), target=y_val)


model.fit(x_train, y_train, epochs=2, batch_size=16, validation_data=(x_val, y_val),
          callbacks=[keras.callbacks.TensorBoard(log_dir=os.path.join(out, "logs")),
                     SaveValidation()],
          verbose=0)

with open(os.path.join(os.path.dirname(out), "versions.txt"), "w") as f:
    f.write(f"keras {keras.__version__}\ntensorflow {tf.__version__}\nnumpy {np.__version__}\n")
