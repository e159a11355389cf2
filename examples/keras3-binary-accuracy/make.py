#!/usr/bin/env python3
"""Regenerate examples/keras3-binary-accuracy: what Keras 2 users saw, made with Keras 3.

Softmax output over 10 classes, one-hot targets, loss="binary_crossentropy", and the
metric Keras 2.x / tf.keras (v1 path) silently substituted for "accuracy" under a
binary cross-entropy loss: binary accuracy, element-wise over the 10 outputs.
Keras 3 no longer substitutes it (see examples/keras3-binary-crossentropy), so this
run asks for it explicitly as keras.metrics.BinaryAccuracy(name="accuracy"), which
logs it under the same name Keras 2 used. An all-zero prediction already scores
(C-1)/C = 0.9 here, so "accuracy" starts near 0.9 while the model is still guessing.

Versions used for the committed files (run.json records them as imported):
  python 3.11.7, keras 3.15.1, jax/jaxlib 0.10.2 (CPU), numpy 2.4.6, scikit-learn 1.9.1
Run:  /work/venvs/ex-keras/bin/python examples/keras3-binary-accuracy/make.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import keras_run  # noqa: E402


class BinaryAccuracyConfig(keras_run.Config):
    name = "keras3-binary-accuracy"
    here = HERE
    loss = "binary_crossentropy"
    acc_reading = "keras_binary_accuracy_onehot"
    loss_reading = "keras_bce_onehot"
    metric_description = ('metrics=[keras.metrics.BinaryAccuracy(name="accuracy")] (explicit: what '
                          'Keras 2.x resolved metrics=["accuracy"] to under binary_crossentropy)')

    def metrics(self):
        import keras
        return [keras.metrics.BinaryAccuracy(name="accuracy")]

    def expected(self, resolved):
        findings = [
            {"metric": m, "split": sp,
             "convention": "Keras binary accuracy on one-hot multi-class targets: element-wise "
                           "(p > 0.5) == y over all 10 outputs; floor (C-1)/C = 0.9 for an all-zero prediction",
             "reading": "keras_binary_accuracy_onehot",
             "likely_meant": "categorical accuracy (reading micro)",
             "fix": 'compile(loss="categorical_crossentropy", metrics=["accuracy"]) or '
                    'metrics=["categorical_accuracy"]'}
            for m, sp in (("accuracy", "train"), ("val_accuracy", "val"))
        ]
        findings += [
            {"metric": m, "split": sp,
             "convention": "Keras binary_crossentropy on one-hot multi-class targets (element-wise, "
                           "clipped to [1e-7, 1-1e-7], mean over outputs then samples)",
             "reading": "keras_bce_onehot",
             "likely_meant": "categorical_crossentropy (reading keras_cce_probs)",
             "fix": 'compile(loss="categorical_crossentropy", ...)'}
            for m, sp in (("loss", "train"), ("val_loss", "val"))
        ]
        findings += [
            {"metric": m, "split": "train",
             "convention": "Keras running mean over the epoch's steps (weights change between steps)",
             "reading": "running mean over train_epoch<E>.npz rows", "severity": "info"}
            for m in ("loss", "accuracy")
        ]
        return findings, []


if __name__ == "__main__":
    keras_run.run(BinaryAccuracyConfig(), __file__)
