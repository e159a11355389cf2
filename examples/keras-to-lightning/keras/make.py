#!/usr/bin/env python3
"""Regenerate examples/keras-to-lightning/keras: the Keras 3 side of the seed user's port
(recipe: ../recipe.py). Softmax output, loss="categorical_crossentropy", metrics=["accuracy"]
(categorical accuracy: micro), Adam(learning_rate=3e-3) (Keras' epsilon is 1e-7), Glorot
uniform weights and zero biases (Keras' defaults; saved to initial_weights.npz for the
Lightning side), a CSVLogger and the progress bar.

Versions used for the committed files (run.json records them as imported):
  python 3.11.7, keras 3.15.1, jax/jaxlib 0.10.2 (CPU), numpy 2.4.6, scikit-learn 1.9.1
Run:  /work/venvs/ex-keras/bin/python examples/keras-to-lightning/keras/make.py
(how to make that venv: examples/README.md). Then the Lightning side, then
examples/keras-to-lightning/check_pair.py.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import keras_run  # noqa: E402
import recipe  # noqa: E402


class PortKerasConfig(keras_run.Config):
    name = "keras-to-lightning/keras"
    here = HERE
    loss = "categorical_crossentropy"
    lr = recipe.LR
    epochs = recipe.EPOCHS
    batch_size = recipe.BATCH_SIZE
    acc_reading = "micro"
    loss_reading = "keras_cce_probs"

    def select_val(self, X_va, y_va):
        return recipe.select_val(X_va, y_va)

    def on_model_built(self, model):
        recipe.save_initial_weights(model, os.path.join(HERE, recipe.INITIAL_WEIGHTS))

    def expected(self, resolved):
        findings = [
            {"metric": m, "split": "train",
             "convention": "Keras running mean over the epoch's steps (weights change between steps)",
             "reading": "running mean over train_epoch<E>.npz rows", "severity": "info"}
            for m in ("loss", "accuracy")
        ]
        clean = [
            {"metric": "val_accuracy", "convention": "categorical accuracy = micro", "reading": "micro"},
            {"metric": "val_loss", "convention": "Keras categorical_crossentropy on probabilities "
             "(renormalised, clipped to [1e-7, 1-1e-7])", "reading": "keras_cce_probs"},
        ]
        return findings, clean


if __name__ == "__main__":
    keras_run.run(PortKerasConfig(), __file__)
