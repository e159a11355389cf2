"""Shared Lightning training + checking for the Lightning examples (seed-torchmetrics-macro,
clean). Each example's make.py holds a Config and calls run(cfg).

A digits MLP is trained with Lightning; train_acc / val_acc / train_loss / val_loss are
logged through self.log into Lightning's CSVLogger (metrics.csv), and the tqdm bar is
recorded from a pseudo-terminal (progress.txt). The predictions are saved the documented
way: the steps return {"logits": ..., "target": ...} and
metricaudit.lightning.SavePredictions writes the dumps. Every logged number is then checked
against the saved predictions (run() fails if the expected convention does not
reproduce it), and run.json is written.
"""
import csv
import glob
import os
import shutil
import sys

import common

SEED = 0


class Config:
    name = None                 # example directory name
    here = None                 # absolute path of the example directory
    num_classes = 10
    val_classes = None          # None: the whole validation split
    lr = 3e-3
    batch_size = 64
    max_epochs = 6
    log_every_n_steps = 5
    acc_reading = "micro"       # the accuracy reading the logged accuracies must equal
    metric_description = ""
    data_description = ""

    adam_eps = 1e-8             # torch's default
    shuffle_once = False        # False: DataLoader(shuffle=True); True: Keras' order (keras_run.py)

    def make_metric(self, num_classes):
        raise NotImplementedError

    def select_val(self, X_va, y_va):
        """The validation rows to keep (default: the classes in val_classes, or all)."""
        import numpy as np
        if self.val_classes is None:
            return X_va, y_va
        keep = np.isin(y_va, self.val_classes)
        return X_va[keep], y_va[keep]

    def init_weights(self, net):
        """Hook to re-initialise the model (default: torch's own initialisation)."""

    def expected(self):
        """(expected_findings, expected_clean) for run.json."""
        raise NotImplementedError

    @property
    def pred_dir(self):
        return os.path.join(self.here, "predictions")

    @property
    def log_dir(self):
        return os.path.join(self.here, "lightning_logs", "version_0")


def train(cfg):
    import numpy as np
    import torch
    import lightning as L
    from lightning.pytorch.loggers import CSVLogger
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    from metricaudit.lightning import SavePredictions

    common.patch_lightning_for_torch113_py311(L)
    torch.set_num_threads(1)
    L.seed_everything(SEED, workers=True)

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    X_va, y_va = cfg.select_val(X_va, y_va)
    if cfg.shuffle_once:
        # As keras_run.py: shuffle once, then every epoch sees the same batch order.
        perm = np.random.default_rng(SEED).permutation(len(X_tr))
        X_tr, y_tr = X_tr[perm], y_tr[perm]

    train_ds = TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr).long())
    val_ds = TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va).long())
    g = torch.Generator().manual_seed(SEED)
    train_dl = DataLoader(train_ds, batch_size=cfg.batch_size, shuffle=not cfg.shuffle_once,
                          generator=g)
    val_dl = DataLoader(val_ds, batch_size=cfg.batch_size, shuffle=False)

    class DigitsClassifier(L.LightningModule):
        def __init__(self, num_classes=cfg.num_classes, lr=cfg.lr):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, num_classes))
            cfg.init_weights(self.net)
            self.loss_fn = nn.CrossEntropyLoss()
            self.train_acc = cfg.make_metric(num_classes)
            self.val_acc = cfg.make_metric(num_classes)

        def forward(self, x):
            return self.net(x)

        # Each step returns what its logged metrics were computed on: the contract of
        # metricaudit.lightning.SavePredictions, which writes the dumps.
        def training_step(self, batch, batch_idx):
            x, t = batch
            logits = self(x)
            loss = self.loss_fn(logits, t)
            self.train_acc(logits, t)
            self.log("train_loss", loss, on_step=True, on_epoch=True, prog_bar=True)
            self.log("train_acc", self.train_acc, on_step=True, on_epoch=True, prog_bar=True)
            return {"loss": loss, "logits": logits.detach(), "target": t}

        def validation_step(self, batch, batch_idx):
            x, t = batch
            logits = self(x)
            loss = self.loss_fn(logits, t)
            self.val_acc(logits, t)
            self.log("val_loss", loss, prog_bar=True)
            self.log("val_acc", self.val_acc, prog_bar=True)
            return {"logits": logits, "target": t}

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=self.hparams.lr, eps=cfg.adam_eps)

    trainer = L.Trainer(
        max_epochs=cfg.max_epochs,
        accelerator="cpu",
        devices=1,
        logger=CSVLogger(save_dir=cfg.here, name="lightning_logs", version=0),
        enable_checkpointing=False,
        log_every_n_steps=cfg.log_every_n_steps,
        deterministic=True,
        # val_epoch<E>, train_epoch<E> (the epoch's training outputs, in batch order) and
        # train_step<S> for the steps whose on_step values Lightning logs.
        callbacks=[SavePredictions(cfg.here, train_epochs=True, train_steps="logged")],
    )
    trainer.fit(DigitsClassifier(), train_dl, val_dl)


def read_metrics_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def finish(cfg):
    """After training: check that the step dumps are those metrics.csv refers to, check
    every logged accuracy against the dumps, and write run.json."""
    import numpy as np

    rows = read_metrics_csv(os.path.join(cfg.log_dir, "metrics.csv"))
    checks = []

    def load(path):
        d = np.load(path)
        return d["logits"], d["target"]

    # --- per-step training values: one batch each
    logged_steps = {int(r["step"]) for r in rows if r.get("train_acc_step")}
    dumped_steps = {int(f[len("train_step"):-len(".npz")])
                    for f in os.listdir(cfg.pred_dir) if f.startswith("train_step") and f.endswith(".npz")}
    assert logged_steps == dumped_steps, (sorted(logged_steps), sorted(dumped_steps))
    for r in rows:
        if r.get("train_acc_step"):
            s = int(r["step"])
            logits, target = load(os.path.join(cfg.pred_dir, f"train_step{s}.npz"))
            acc = common.accuracy_readings(logits, target, cfg.num_classes)
            loss = common.loss_readings(logits, target)
            logged_acc, logged_loss = float(r["train_acc_step"]), float(r["train_loss_step"])
            assert abs(acc[cfg.acc_reading] - logged_acc) < 1e-6, (s, acc, logged_acc)
            assert abs(loss["ce_logits"] - logged_loss) < 1e-5, (s, loss, logged_loss)
            checks.append({"metric": "train_acc_step", "step": s, "epoch": int(r["epoch"]),
                           "logged": logged_acc, "dump": f"predictions/train_step{s}.npz",
                           "readings": acc})
            checks.append({"metric": "train_loss_step", "step": s, "epoch": int(r["epoch"]),
                           "logged": logged_loss, "dump": f"predictions/train_step{s}.npz",
                           "readings": loss})

    # --- per-epoch values
    for r in rows:
        e = int(r["epoch"])
        for split, acc_key, loss_key in (("val", "val_acc", "val_loss"),
                                         ("train", "train_acc_epoch", "train_loss_epoch")):
            if not r.get(acc_key):
                continue
            logits, target = load(os.path.join(cfg.pred_dir, f"{split}_epoch{e}.npz"))
            acc = common.accuracy_readings(logits, target, cfg.num_classes)
            loss = common.loss_readings(logits, target)
            logged_acc, logged_loss = float(r[acc_key]), float(r[loss_key])
            assert abs(acc[cfg.acc_reading] - logged_acc) < 1e-6, (split, e, acc, logged_acc)
            assert abs(loss["ce_logits"] - logged_loss) < 1e-5, (split, e, loss, logged_loss)
            checks.append({"metric": acc_key, "epoch": e, "step": int(r["step"]),
                           "logged": logged_acc, "dump": f"predictions/{split}_epoch{e}.npz",
                           "readings": acc})
            checks.append({"metric": loss_key, "epoch": e, "step": int(r["step"]),
                           "logged": logged_loss, "dump": f"predictions/{split}_epoch{e}.npz",
                           "readings": loss})

    findings, clean = cfg.expected()

    _, val_target = load(os.path.join(cfg.pred_dir, "val_epoch0.npz"))
    _, train_target = load(os.path.join(cfg.pred_dir, "train_epoch0.npz"))
    run = {
        "example": cfg.name,
        "generator": f"examples/{cfg.name}/make.py",
        "libraries": common.versions("torch", "lightning", "torchmetrics", "sklearn", "numpy", "tqdm"),
        "data": cfg.data_description,
        "model": f"Linear(64,32)-ReLU-Linear(32,{cfg.num_classes}), Adam lr={cfg.lr}",
        "model_outputs": "logits",
        "loss": "torch.nn.CrossEntropyLoss() on logits",
        "metric_objects": {
            "train_acc": cfg.metric_description + ", self.log(on_step=True, on_epoch=True, prog_bar=True)",
            "val_acc": cfg.metric_description + ", self.log(prog_bar=True) (validation default: on_epoch)",
            "train_loss": "loss tensor, self.log(on_step=True, on_epoch=True, prog_bar=True); "
                          "epoch value = batch-size-weighted mean",
            "val_loss": "loss tensor, self.log(prog_bar=True); epoch value = batch-size-weighted mean",
        },
        "num_classes": cfg.num_classes,
        "classes_in_val": sorted(int(c) for c in np.unique(val_target)),
        "classes_in_train": sorted(int(c) for c in np.unique(train_target)),
        "eval_size": {"val": int(len(val_target)), "train_epoch": int(len(train_target))},
        "batch_size": cfg.batch_size,
        "epochs": cfg.max_epochs,
        "log_every_n_steps": cfg.log_every_n_steps,
        "logs": {
            "lightning_logs/version_0/metrics.csv": "Lightning CSVLogger",
            "lightning_logs/version_0/hparams.yaml": "Lightning CSVLogger (hyperparameters)",
            "progress.txt": "every byte the terminal received (pseudo-terminal, 200 columns x 40 rows): Lightning's "
                            "tqdm bars with \\r redraws and ANSI cursor moves, stderr interleaved, "
                            "tty newline translation \\n -> \\r\\n",
        },
        "dumps": {
            "written_by": "metricaudit.lightning.SavePredictions(run_dir, train_epochs=True, "
                          "train_steps='logged'); each dump's .json beside it records how",
            "val_epoch<E>.npz": "the whole validation set at the end of epoch E (what val_acc/val_loss "
                                "of epoch E were computed on)",
            "train_epoch<E>.npz": "the logits the training steps of epoch E produced, concatenated in batch "
                                  "order (weights change between batches); train_acc_epoch / train_loss_epoch "
                                  "are computed over exactly these",
            "train_step<S>.npz": "the single training batch behind the metrics.csv row with step=S "
                                 "(train_acc_step / train_loss_step); S = optimizer steps taken before that batch",
        },
        "expected_findings": findings,
        "expected_clean": clean,
        "checks": checks,
    }
    common.write_json(os.path.join(cfg.here, "run.json"), run)
    print(f"wrote run.json with {len(checks)} checked values")



def run(cfg, script_path):
    if os.environ.get("MA_EXAMPLE_CHILD") == "1":
        train(cfg)
        return
    for p in (cfg.pred_dir, os.path.join(cfg.here, "lightning_logs")):
        shutil.rmtree(p, ignore_errors=True)
    env = dict(os.environ, MA_EXAMPLE_CHILD="1", PYTHONHASHSEED="0")
    rc = common.run_in_pty([sys.executable, os.path.abspath(script_path)],
                           os.path.join(cfg.here, "progress.txt"), env=env)
    if rc != 0:
        sys.exit(f"training failed with exit code {rc}")
    for ckpt in glob.glob(os.path.join(cfg.here, "**", "*.ckpt"), recursive=True):
        os.remove(ckpt)
    finish(cfg)
