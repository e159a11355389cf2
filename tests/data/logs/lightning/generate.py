"""Writes real Lightning runs for the readers' tests: a two-epoch run of a tiny classifier
on random data, logged with Lightning's TensorBoardLogger or MLFlowLogger, and the
validation logits of each epoch in the audit's dump format.

    /usr/bin/python3 -m venv --system-site-packages VENV     # Debian's python3-torch
    VENV/bin/pip install -r examples/requirements-torch.txt  # lightning 2.2.5, tensorboard
    VENV/bin/pip install mlflow-skinny                       # for the mlflow run only
    VENV/bin/python tests/data/logs/lightning/generate.py tensorboard tests/data/logs/lightning/tensorboard
    MLFLOW_ALLOW_FILE_STORE=true \
    VENV/bin/python tests/data/logs/lightning/generate.py mlflow tests/data/logs/lightning/mlflow

What lands in the run folder:
  tensorboard: lightning_logs/version_0/events.out.tfevents.*  train_loss_step (every step),
      train_loss_epoch, val_loss, val_acc (each epoch) and the "epoch" scalar Lightning adds
      to every logging call (logger_connector.py, log_metrics); hp_metric (-1, the
      TensorBoardLogger's default_hp_metric) and the hparams plugin's summaries;
      lightning_logs/version_0/hparams.yaml
  mlflow: mlruns/<experiment>/<run>/metrics/{train_loss_step, train_loss_epoch, val_loss,
      val_acc, epoch} ("timestamp value step" lines), params/lr, meta.yaml
  predictions/val_epoch<E>.npz   logits and target of the validation data in epoch E
The versions used are written to versions_<logger>.txt beside the run folder.
"""
import os
import shutil
import sys

import lightning
import lightning.pytorch as pl
import numpy as np
import torch
from lightning.pytorch.loggers import MLFlowLogger, TensorBoardLogger

# torch 1.13 + Python 3.11: importing torch.distributed._shard raises (a dataclass with a
# mutable default), and Lightning imports it only to register ShardedTensor state-dict
# hooks, unused here (as examples/common.py, patch_lightning_for_torch113_py311).
pl.LightningModule._register_sharded_tensor_state_dict_hooks_if_available = lambda self: None
torch.set_num_threads(1)

kind, out = sys.argv[1], os.path.abspath(sys.argv[2])
shutil.rmtree(out, ignore_errors=True)
os.makedirs(os.path.join(out, "predictions"))
pl.seed_everything(0, workers=True)

C, N_TRAIN, N_VAL, D = 4, 64, 40, 8
rng = np.random.default_rng(0)


def data(n):
    x = rng.normal(size=(n, D)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + 2 * (x[:, 1] > 0).astype("int64")
    return torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))


class Model(pl.LightningModule):
    def __init__(self, lr=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Linear(D, C)
        self.outputs = []

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        # Batch means, averaged by Lightning over the epoch weighted by batch size: the
        # loss and the micro accuracy of the whole validation set.
        self.log("val_loss", torch.nn.functional.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(-1) == y).float().mean())
        self.outputs.append((logits.detach(), y))

    def on_validation_epoch_end(self):
        if self.trainer.sanity_checking:
            self.outputs.clear()
            return
        logits = torch.cat([o[0] for o in self.outputs]).numpy()
        target = torch.cat([o[1] for o in self.outputs]).numpy()
        np.savez(os.path.join(out, "predictions", f"val_epoch{self.current_epoch}.npz"),
                 logits=logits.astype(np.float32), target=target)
        self.outputs.clear()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


if kind == "tensorboard":
    logger = TensorBoardLogger(out, name="lightning_logs")
else:
    # MLflow 3 keeps the file store behind this switch (file_store.py, FileStore.__init__).
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    logger = MLFlowLogger(experiment_name="fixture", run_name="lightning-two-epochs",
                          tracking_uri="file://" + os.path.join(out, "mlruns"))
trainer = pl.Trainer(max_epochs=2, logger=logger,
                     log_every_n_steps=1, num_sanity_val_steps=0, enable_checkpointing=False,
                     enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
                     deterministic=True)
trainer.fit(Model(),
            torch.utils.data.DataLoader(data(N_TRAIN), batch_size=16, shuffle=True),
            torch.utils.data.DataLoader(data(N_VAL), batch_size=8))

with open(os.path.join(os.path.dirname(out), f"versions_{kind}.txt"), "w") as f:
    f.write(f"lightning {lightning.__version__}\ntorch {torch.__version__}\n"
            f"numpy {np.__version__}\n")
    if kind == "mlflow":
        import mlflow
        f.write(f"mlflow {mlflow.__version__}\n")
