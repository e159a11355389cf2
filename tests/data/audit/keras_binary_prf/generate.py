#!/usr/bin/env python3
"""Writes the keras_binary_prf audit fixture: a two-epoch binary validation run of a model
that outputs logits (no sigmoid), with precision, recall and F1 logged by Keras 3's own
metric objects (training.log, as CSVLogger writes it) and the predictions they were
computed on (predictions/val_epoch<E>.npz: float32 `target` of 0/1, float32 `logits`).

Keras' Precision, Recall and F1Score threshold the scores as given: Recall() and
F1Score(threshold=0.5) on logits count a logit in (0, 0.5) as negative (MP003), while
Precision(thresholds=0.0) decides as a sigmoid would (what the model means: no finding).

Environment (what made the committed files):
    /usr/bin/python3 -m venv /work/venvs/keras3
    /work/venvs/keras3/bin/pip install keras==3.15.1 jax==0.10.2 jaxlib==0.10.2
    KERAS_BACKEND=jax /work/venvs/keras3/bin/python tests/data/audit/keras_binary_prf/generate.py
"""

import csv
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N = 40


def metrics():
    # The logged name (Keras' own: the metric's name under the "val_" prefix) -> the object.
    return {
        "val_precision": keras.metrics.Precision(thresholds=0.0),
        "val_recall": keras.metrics.Recall(),  # thresholds=0.5 on the logits
        "val_f1_score": keras.metrics.F1Score(average="micro", threshold=0.5),
    }


def main():
    assert keras.__version__ == "3.15.1", keras.__version__
    rng = np.random.default_rng(7)
    os.makedirs(os.path.join(HERE, "predictions"), exist_ok=True)
    rows = []
    for epoch in range(2):
        target = (np.arange(N) % 2).astype(np.float32)
        rng.shuffle(target)
        # Mostly right, with several positives' logits in (0, 0.5).
        logits = np.where(target == 1, rng.uniform(0.05, 2.5, N), rng.uniform(-2.5, 0.3, N))
        logits = logits.astype(np.float32)
        np.savez(os.path.join(HERE, "predictions", f"val_epoch{epoch}.npz"), target=target,
                 logits=logits)
        row = {"epoch": epoch}
        for name, metric in metrics().items():
            for half in (slice(0, N // 2), slice(N // 2, N)):
                metric.update_state(target[half, None], logits[half, None])
            row[name] = float(metric.result())
        rows.append(row)
    with open(os.path.join(HERE, "training.log"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with open(os.path.join(HERE, "run.json"), "w") as f:
        json.dump({
            "generator": "tests/data/audit/keras_binary_prf/generate.py",
            "libraries": {"keras": keras.__version__, "backend": keras.backend.backend(),
                          "numpy": np.__version__},
            "expected_findings": {
                "val_recall": "MP003 (Recall() thresholds the logits at 0.5)",
                "val_f1_score": "MP003 (F1Score(threshold=0.5) on the logits)",
                "val_precision": "clean (Precision(thresholds=0.0): the sigmoid's decision)",
            },
        }, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
