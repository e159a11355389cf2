#!/usr/bin/env python3
"""Writes the torchmetrics_prf audit fixture: a three-epoch validation run whose
precision, recall, F1 and balanced accuracy were logged by torchmetrics 0.11.4 under
their own names (metrics.jsonl), with the predictions they were computed on
(predictions/val_epoch<E>.npz: int64 `target`, float32 `logits`).

Epoch 0 holds every one of the 5 classes; in epochs 1 and 2 class 4 is neither a target
nor predicted (absent) and class 3 is a target but never predicted (its precision is
0/0). So torchmetrics 0.10-0.11's default average="macro" (absent classes count as 0)
departs from the macro average over the classes present from epoch 1 on.

Each metric object is a fresh torchmetrics instance per epoch, updated over two
batches, then computed, as Lightning's epoch-level logging does.

Environment (what made the committed files):
    /usr/bin/python3 -m venv --system-site-packages /work/venvs/tm011  # Debian's torch 1.13, numpy
    /work/venvs/tm011/bin/pip install torchmetrics==0.11.4
    /work/venvs/tm011/bin/python tests/data/audit/torchmetrics_prf/generate.py
"""

import json
import os

import numpy as np
import torch
import torchmetrics
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassF1Score,
    MulticlassPrecision,
    MulticlassRecall,
)

HERE = os.path.dirname(os.path.abspath(__file__))
C = 5
N = 48


def epoch_data(rng, epoch):
    """Targets and float32 logits; from epoch 1 on class 4 is absent, class 3 never predicted."""
    if epoch == 0:
        target = np.arange(N) % C
    else:
        target = np.arange(N) % 4
    rng.shuffle(target)
    logits = rng.normal(0.0, 1.0, size=(N, C))
    logits[np.arange(N), target] += 1.2  # right about two times in three
    if epoch > 0:
        logits[:, 4] = -6.0
        logits[:, 3] = -5.0
    return target.astype(np.int64), logits.astype(np.float32)


def metrics():
    # The logged name -> the torchmetrics object (its constructor arguments are the point).
    return {
        "val_acc": MulticlassAccuracy(num_classes=C, average="micro"),
        "val_MulticlassF1Score": MulticlassF1Score(num_classes=C),  # default average="macro"
        "val_precision": MulticlassPrecision(num_classes=C, average="micro"),
        "val_recall_weighted": MulticlassRecall(num_classes=C, average="weighted"),
        "val_f1_micro": MulticlassF1Score(num_classes=C, average="micro"),
        "val_balanced_accuracy": MulticlassRecall(num_classes=C),  # default average="macro"
    }


def main():
    assert torchmetrics.__version__ == "0.11.4", torchmetrics.__version__
    rng = np.random.default_rng(12)
    os.makedirs(os.path.join(HERE, "predictions"), exist_ok=True)
    lines = []
    for epoch in range(3):
        target, logits = epoch_data(rng, epoch)
        np.savez(os.path.join(HERE, "predictions", f"val_epoch{epoch}.npz"), target=target,
                 logits=logits)
        record = {"epoch": epoch, "step": 6 * (epoch + 1)}
        t = torch.from_numpy(target)
        z = torch.from_numpy(logits)
        for name, metric in metrics().items():
            for half in (slice(0, N // 2), slice(N // 2, N)):
                metric.update(z[half], t[half])
            record[name] = metric.compute().item()
        record["val_loss"] = torch.nn.functional.cross_entropy(z, t).item()
        lines.append(json.dumps(record))
    with open(os.path.join(HERE, "metrics.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(HERE, "run.json"), "w") as f:
        json.dump({
            "generator": "tests/data/audit/torchmetrics_prf/generate.py",
            "libraries": {"torch": torch.__version__, "torchmetrics": torchmetrics.__version__,
                          "numpy": np.__version__},
            "num_classes": C,
            "expected_findings": {
                "val_MulticlassF1Score": "MP001 at epochs 1, 2 (macro, absent class 4 counted as 0)",
                "val_balanced_accuracy": "MP001 at epochs 1, 2 (torchmetrics macro recall)",
                "val_precision": "MP002 (micro average, a note)",
                "val_acc, val_loss, val_recall_weighted, val_f1_micro": "clean",
            },
        }, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
