#!/usr/bin/env python3
"""Regenerate examples/seed-torchmetrics-macro: the seed user's case, for real.

A Lightning module logs torchmetrics 0.11.4 `MulticlassAccuracy(num_classes=12)`
(average="macro" by default; classes absent from the evaluated data counted as 0)
as `train_acc` / `val_acc`, on sklearn's bundled digits (10 classes) with a label
space of 12 and a validation set that holds only digits 0-7 (8 of the 12 classes).
Loss: CrossEntropyLoss on logits (correct, so the losses are clean).

Versions used for the committed files (run.json records them as imported):
  python 3.11.2, torch 1.13.0a0 (Debian python3-torch, CPU), lightning 2.2.5,
  torchmetrics 0.11.4, scikit-learn 1.3.2, numpy 1.24.2, tqdm 4.66.4
Run:  /work/venvs/ex-torch/bin/python examples/seed-torchmetrics-macro/make.py
(how to make that venv: examples/README.md). The script reruns itself inside a
pseudo-terminal so Lightning's tqdm bar is drawn as on a terminal (progress.txt).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import lightning_run  # noqa: E402


class SeedConfig(lightning_run.Config):
    name = "seed-torchmetrics-macro"
    here = HERE
    num_classes = 12
    val_classes = list(range(8))        # digits 8 and 9 never appear in validation
    lr = 3e-3
    max_epochs = 6
    log_every_n_steps = 5
    acc_reading = "macro_absent_zero"
    metric_description = ("torchmetrics.classification.MulticlassAccuracy(num_classes=12) "
                          "(defaults: average='macro', top_k=1)")
    data_description = ("sklearn.datasets.load_digits, X/16, stratified 75/25 split (random_state=0); "
                        "validation keeps digits 0-7 only; label space 12 (digits 10, 11 never occur)")

    def make_metric(self, num_classes):
        from torchmetrics.classification import MulticlassAccuracy
        # The seed user's metric: macro by default; in 0.10-0.11 absent classes count as 0.
        return MulticlassAccuracy(num_classes=num_classes)

    def expected(self):
        findings = [
            {"metric": m, "split": sp,
             "convention": "accuracy macro over all 12 classes, classes absent from the evaluated data "
                           "counted as 0 (torchmetrics 0.10.0-0.11.4 MulticlassAccuracy default)",
             "reading": "macro_absent_zero", "num_classes": self.num_classes,
             "likely_meant": "micro (Accuracy(task='multiclass'), Keras accuracy)",
             "fix": "MulticlassAccuracy(num_classes=12, average='micro') or "
                    "Accuracy(task='multiclass', num_classes=12)"}
            for m, sp in (("val_acc", "val"), ("train_acc_step", "train"), ("train_acc_epoch", "train"))
        ]
        clean = [{"metric": m, "convention": "CrossEntropyLoss on logits, mean over samples",
                  "reading": "ce_logits"}
                 for m in ("val_loss", "train_loss_step", "train_loss_epoch")]
        return findings, clean


if __name__ == "__main__":
    lightning_run.run(SeedConfig(), __file__)
