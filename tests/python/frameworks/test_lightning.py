"""metricaudit.lightning.SavePredictions on a real Lightning run (Debian's torch 1.13,
torchmetrics 0.11.4): two epochs, CSVLogger, then `metricaudit.audit(run_dir)`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import torch
import lightning.pytorch as L
import metricaudit
from metricaudit.lightning import SavePredictions

C = 6  # label space; the validation set holds classes 0-3 only


def patch_lightning_for_torch113_py311() -> None:
    """torch 1.13 on Python 3.11: importing torch.distributed._shard raises (a dataclass
    default 3.11 rejects; fixed in torch 2.0). Lightning 2.2 imports it only to register
    ShardedTensor hooks; skip that (as examples/common.py does)."""
    L.LightningModule._register_sharded_tensor_state_dict_hooks_if_available = lambda self: None


def loaders():
    from torch.utils.data import DataLoader, TensorDataset

    rng = np.random.default_rng(0)
    centers = rng.normal(scale=3.0, size=(C, 8))
    y = rng.integers(0, C, size=400)
    x = (centers[y] + rng.normal(size=(400, 8))).astype(np.float32)
    xv, yv = x[300:], y[300:]
    keep = yv < 4
    train = TensorDataset(torch.from_numpy(x[:300]), torch.from_numpy(y[:300]))
    val = TensorDataset(torch.from_numpy(xv[keep]), torch.from_numpy(yv[keep]))
    g = torch.Generator().manual_seed(0)
    return DataLoader(train, batch_size=32, shuffle=True, generator=g), DataLoader(val, batch_size=32)


def train(run_dir: Path, make_metric, tuple_return: bool = False) -> None:
    patch_lightning_for_torch113_py311()
    torch.manual_seed(0)
    torch.set_num_threads(1)

    class Module(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, C))
            self.train_acc, self.val_acc = make_metric(), make_metric()

        def training_step(self, batch, batch_idx):
            x, y = batch
            logits = self.net(x)
            loss = torch.nn.functional.cross_entropy(logits, y)
            self.train_acc(logits, y)
            self.log("train_loss", loss, on_step=True, on_epoch=True)
            self.log("train_acc", self.train_acc, on_step=True, on_epoch=True)
            return {"loss": loss, "logits": logits, "target": y}

        def validation_step(self, batch, batch_idx):
            x, y = batch
            logits = self.net(x)
            self.val_acc(logits, y)
            self.log("val_loss", torch.nn.functional.cross_entropy(logits, y))
            self.log("val_acc", self.val_acc)
            return (logits, y) if tuple_return else {"logits": logits, "target": y}

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-2)

    from lightning.pytorch.loggers import CSVLogger

    trainer = L.Trainer(
        max_epochs=2, accelerator="cpu", devices=1, enable_checkpointing=False, enable_progress_bar=False,
        enable_model_summary=False, log_every_n_steps=3,
        logger=CSVLogger(save_dir=str(run_dir), name="lightning_logs", version=0),
        callbacks=[SavePredictions(run_dir, train_epochs=True, train_steps="logged")],
    )
    trainer.fit(Module(), *loaders())


def test_default_multiclass_accuracy_gives_the_macro_finding(tmp_path: Path) -> None:
    from torchmetrics.classification import MulticlassAccuracy

    train(tmp_path, lambda: MulticlassAccuracy(num_classes=C))
    names = sorted(p.name for p in (tmp_path / "predictions").glob("*.npz"))
    assert {"val_epoch0.npz", "val_epoch1.npz", "train_epoch0.npz", "train_epoch1.npz"} <= set(names)
    assert any(n.startswith("train_step") for n in names)
    report = metricaudit.audit(tmp_path)
    assert report.exit_status == 1
    macro = {f.metric for f in report.findings if f.rule == "MA001"}
    assert {"val_acc", "train_acc_epoch", "train_acc_step"} <= macro, str(report)
    # the losses are cross-entropy on logits: no finding
    assert not [f for f in report.findings if "loss" in f.metric], str(report)
    # every logged value has its dump: train_step<S> names the steps Lightning logged
    assert report.undecided == [], report.undecided


def test_micro_accuracy_audits_clean(tmp_path: Path) -> None:
    from torchmetrics import Accuracy

    train(tmp_path, lambda: Accuracy(task="multiclass", num_classes=C), tuple_return=True)
    record = json.loads((tmp_path / "predictions" / "val_epoch0.json").read_text())
    assert record["returned_by"] == "validation_step" and record["tuple_scores_are"] == "logits"
    report = metricaudit.audit(tmp_path)
    assert report.exit_status == 0, str(report)
    assert len(report.points) > 0
