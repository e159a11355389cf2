#!/usr/bin/env python3
"""Regenerate examples/keras3-binary-crossentropy: the classic mistake under Keras 3.

Softmax output over 10 classes, one-hot targets, compiled with
loss="binary_crossentropy", metrics=["accuracy"]. Keras 2 (and tf.keras' v1 path)
resolved "accuracy" to binary accuracy whenever the loss was binary cross-entropy,
so the logged accuracy started near 0.9 = (C-1)/C. Keras 3 decides by shape
(keras/src/trainers/compile_utils.py: get_metric -> is_binary_or_sparse_categorical):
the model output's last dimension is 10, the targets are one-hot, so "accuracy" is
CategoricalAccuracy and the logged accuracy is correct. The loss is still binary
cross-entropy, averaged over the 10 outputs of every sample: about 1/10 of
categorical cross-entropy's size and a different training signal. run.json records
what Keras resolved, read back from the compiled model.

Versions used for the committed files (run.json records them as imported):
  python 3.11.7, keras 3.15.1, jax/jaxlib 0.10.2 (CPU), numpy 2.4.6, scikit-learn 1.9.1
Run:  /work/venvs/ex-keras/bin/python examples/keras3-binary-crossentropy/make.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import keras_run  # noqa: E402


class BceConfig(keras_run.Config):
    name = "keras3-binary-crossentropy"
    here = HERE
    loss = "binary_crossentropy"
    acc_reading = "micro"                 # verified: Keras 3 resolves "accuracy" by shape
    loss_reading = "keras_bce_onehot"

    def expected(self, resolved):
        acc_class = resolved.get("accuracy", {}).get("class", "?")
        assert acc_class.endswith("CategoricalAccuracy"), resolved
        findings = [
            {"metric": m, "split": sp,
             "convention": "Keras binary_crossentropy on one-hot multi-class targets: element-wise over the "
                           "10 softmax outputs (clipped to [1e-7, 1-1e-7]), mean over outputs then samples",
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
        clean = [
            {"metric": "val_accuracy",
             "convention": f"categorical accuracy = micro: Keras 3 resolved 'accuracy' to {acc_class} "
                           "(by shape), NOT to binary accuracy as Keras 2 did under binary_crossentropy",
             "reading": "micro",
             "not": "keras_binary_accuracy_onehot"},
        ]
        return findings, clean


if __name__ == "__main__":
    keras_run.run(BceConfig(), __file__)
