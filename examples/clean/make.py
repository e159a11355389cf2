#!/usr/bin/env python3
"""Regenerate examples/clean: a run the audit must find nothing in.

Lightning logs torchmetrics 0.11.4 `Accuracy(task="multiclass", num_classes=10)`
(micro: the fraction of samples right) as `train_acc` / `val_acc`, and
CrossEntropyLoss on logits as `train_loss` / `val_loss`, on sklearn's bundled digits
with every class in both splits.

Versions used for the committed files (run.json records them as imported):
  python 3.11.2, torch 1.13.0a0 (Debian python3-torch, CPU), lightning 2.2.5,
  torchmetrics 0.11.4, scikit-learn 1.3.2, numpy 1.24.2, tqdm 4.66.4
Run:  /work/venvs/ex-torch/bin/python examples/clean/make.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import lightning_run  # noqa: E402


class CleanConfig(lightning_run.Config):
    name = "clean"
    here = HERE
    num_classes = 10
    val_classes = None
    lr = 3e-3
    max_epochs = 5
    log_every_n_steps = 10
    acc_reading = "micro"
    metric_description = "torchmetrics.Accuracy(task='multiclass', num_classes=10) (average='micro')"
    data_description = "sklearn.datasets.load_digits, X/16, stratified 75/25 split (random_state=0)"

    def make_metric(self, num_classes):
        from torchmetrics import Accuracy
        return Accuracy(task="multiclass", num_classes=num_classes)

    def expected(self):
        clean = [{"metric": m, "convention": "accuracy micro (fraction of samples right)",
                  "reading": "micro"}
                 for m in ("val_acc", "train_acc_step", "train_acc_epoch")]
        clean += [{"metric": m, "convention": "CrossEntropyLoss on logits, mean over samples",
                   "reading": "ce_logits"}
                  for m in ("val_loss", "train_loss_step", "train_loss_epoch")]
        return [], clean


if __name__ == "__main__":
    lightning_run.run(CleanConfig(), __file__)
