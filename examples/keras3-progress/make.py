#!/usr/bin/env python3
"""Regenerate examples/keras3-progress: Keras 3 (JAX backend, CPU), softmax output,
loss="categorical_crossentropy", metrics=["accuracy"], one-hot targets, fit(verbose=1)
drawn on a (pseudo-)terminal, plus a CSVLogger file. Nothing is wrong with this run;
it shows what a Keras log means: training loss/accuracy are running means over the
epoch's steps (weights change between steps), validation is one evaluation at epoch
end, and the loss is computed on probabilities clipped to [1e-7, 1 - 1e-7].

Versions used for the committed files (run.json records them as imported):
  python 3.11.7, keras 3.15.1, jax/jaxlib 0.10.2 (CPU), numpy 2.4.6, scikit-learn 1.9.1
Run:  /work/venvs/ex-keras/bin/python examples/keras3-progress/make.py
(how to make that venv: examples/README.md; the script sets KERAS_BACKEND=jax itself).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import keras_run  # noqa: E402


class ProgressConfig(keras_run.Config):
    name = "keras3-progress"
    here = HERE
    loss = "categorical_crossentropy"
    acc_reading = "micro"
    loss_reading = "keras_cce_probs"

    def expected(self, resolved):
        findings = [
            {"metric": m, "split": "train",
             "convention": "Keras running mean over the epoch's steps (sample-weighted; weights change "
                           "between steps): not an evaluation of the end-of-epoch model",
             "reading": "running mean over train_epoch<E>.npz rows",
             "severity": "info"}
            for m in ("loss", "accuracy")
        ]
        clean = [
            {"metric": "val_accuracy", "convention": "categorical accuracy = micro (Keras resolved "
             "'accuracy' to " + resolved.get("accuracy", {}).get("class", "?") + ")", "reading": "micro"},
            {"metric": "val_loss", "convention": "Keras categorical_crossentropy on probabilities "
             "(renormalised, clipped to [1e-7, 1-1e-7])", "reading": "keras_cce_probs"},
        ]
        return findings, clean


if __name__ == "__main__":
    keras_run.run(ProgressConfig(), __file__)
