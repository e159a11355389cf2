#!/usr/bin/env python3
"""Regenerate examples/softmax-twice: a Softmax layer in front of CrossEntropyLoss.

The model (a digits MLP) ends in nn.Softmax(dim=1), as a Keras model would, and its
output goes straight into torch.nn.CrossEntropyLoss, which applies log-softmax again.
The loss can then never go below ln(1 + (C-1)/e) = 1.4612 for C = 10, however good
the model gets; accuracy is unaffected (softmax keeps the argmax). A plain PyTorch
loop logs to two places:
  metrics.jsonl  one JSON object per line: train_loss every LOG_EVERY steps,
                 train_loss_epoch / val_loss / val_acc once per epoch
  tensorboard/   torch.utils.tensorboard.SummaryWriter event file: train/loss at the
                 global step, val/loss and val/acc at the epoch, train/loss_epoch too

Versions used for the committed files (run.json records them as imported):
  python 3.11.2, torch 1.13.0a0 (Debian python3-torch, CPU), tensorboard 2.16.2,
  protobuf 4.25.3, scikit-learn 1.3.2, numpy 1.24.2
Run:  /work/venvs/ex-torch/bin/python examples/softmax-twice/make.py
"""
import glob
import json
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 0
NUM_CLASSES = 10
BATCH_SIZE = 64
EPOCHS = 10
LR = 1e-2
LOG_EVERY = 10
PRED_DIR = os.path.join(HERE, "predictions")
TB_DIR = os.path.join(HERE, "tensorboard")
JSONL = os.path.join(HERE, "metrics.jsonl")


def train():
    import numpy as np
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    from torch.utils.tensorboard import SummaryWriter

    from metricaudit.capture import PredictionWriter

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr).long()),
                          batch_size=BATCH_SIZE, shuffle=True,
                          generator=torch.Generator().manual_seed(SEED))
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va).long()),
                        batch_size=BATCH_SIZE, shuffle=False)

    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, NUM_CLASSES),
                          nn.Softmax(dim=1))          # <- the mistake
    loss_fn = nn.CrossEntropyLoss()                   # expects logits, applies log-softmax
    opt = torch.optim.Adam(model.parameters(), lr=LR)

    writer = SummaryWriter(log_dir=TB_DIR)
    # The dumps, written the documented way for a plain loop (predictions/ beside the logs).
    dumps = PredictionWriter(HERE, metadata={"model_output": "nn.Softmax(dim=1): probabilities",
                                             "loss": "torch.nn.CrossEntropyLoss() (expects logits)"})
    log = open(JSONL, "w")
    step = 0
    for epoch in range(EPOCHS):
        model.train()
        outs, loss_sum, n_seen = [], 0.0, 0
        for x, t in train_dl:
            probs = model(x)
            loss = loss_fn(probs, t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            p = probs.detach().numpy().copy()
            outs.append((p, t.numpy().copy()))
            loss_sum += loss.item() * len(t)
            n_seen += len(t)
            if step % LOG_EVERY == 0:
                log.write(json.dumps({"epoch": epoch, "step": step, "train_loss": loss.item()}) + "\n")
                writer.add_scalar("train/loss", loss.item(), step)
                dumps.write("train", step=step, target=t, probs=p)
            step += 1
        train_loss_epoch = loss_sum / n_seen
        dumps.write("train", epoch=epoch, target=np.concatenate([o[1] for o in outs]),
                    probs=np.concatenate([o[0] for o in outs]))

        model.eval()
        vouts, vloss_sum, correct, n = [], 0.0, 0, 0
        with torch.no_grad():
            for x, t in val_dl:
                probs = model(x)
                vloss_sum += loss_fn(probs, t).item() * len(t)
                correct += (probs.argmax(dim=1) == t).sum().item()
                n += len(t)
                vouts.append((probs.numpy().copy(), t.numpy().copy()))
        val_loss, val_acc = vloss_sum / n, correct / n
        dumps.write("val", epoch=epoch, target=np.concatenate([o[1] for o in vouts]),
                    probs=np.concatenate([o[0] for o in vouts]))
        rec = {"epoch": epoch, "step": step, "train_loss_epoch": train_loss_epoch,
               "val_loss": val_loss, "val_acc": val_acc}
        log.write(json.dumps(rec) + "\n")
        writer.add_scalar("train/loss_epoch", train_loss_epoch, epoch)
        writer.add_scalar("val/loss", val_loss, epoch)
        writer.add_scalar("val/acc", val_acc, epoch)
        print(f"epoch {epoch}: train_loss {train_loss_epoch:.4f}  val_loss {val_loss:.4f}  "
              f"val_acc {val_acc:.4f}", flush=True)
    log.close()
    writer.close()


def finish():
    import numpy as np

    floor = math.log(1 + (NUM_CLASSES - 1) / math.e)
    checks = []
    with open(JSONL) as f:
        recs = [json.loads(line) for line in f]
    for r in recs:
        if "train_loss" in r:
            dumps = [("train_loss", f"train_step{r['step']}.npz")]
        else:
            dumps = [("train_loss_epoch", f"train_epoch{r['epoch']}.npz"),
                     ("val_loss", f"val_epoch{r['epoch']}.npz"),
                     ("val_acc", f"val_epoch{r['epoch']}.npz")]
        for key, fname in dumps:
            d = np.load(os.path.join(PRED_DIR, fname))
            probs, target = d["probs"], d["target"]
            if key == "val_acc":
                readings = common.accuracy_readings(probs, target, NUM_CLASSES)
                assert abs(readings["micro"] - r[key]) < 1e-9, (r, readings)
            else:
                readings = common.loss_readings(probs, target, scores_are="probs")
                readings.pop("keras_binary_accuracy_onehot")
                assert abs(readings["ce_probs_as_logits"] - r[key]) < 1e-5, (r, readings)
                assert r[key] > floor
            checks.append({"metric": key, "epoch": r["epoch"], "step": r["step"], "logged": r[key],
                           "dump": f"predictions/{fname}", "readings": readings})

    tb_files = sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(TB_DIR, "*")))
    d = np.load(os.path.join(PRED_DIR, "val_epoch0.npz"))
    run = {
        "example": "softmax-twice",
        "generator": "examples/softmax-twice/make.py",
        "libraries": common.versions("torch", "tensorboard", "google.protobuf", "sklearn", "numpy"),
        "data": "sklearn.datasets.load_digits, X/16, stratified 75/25 split (random_state=0)",
        "model": "Linear(64,32)-ReLU-Linear(32,10)-Softmax(dim=1), Adam lr=0.01",
        "model_outputs": "probabilities (nn.Softmax is the model's last layer)",
        "loss": "torch.nn.CrossEntropyLoss() applied to the model's probabilities (it treats them as logits)",
        "metric_objects": {
            "train_loss": "loss.item() of one training batch (the batch of predictions/train_step<S>.npz), "
                          f"every {LOG_EVERY} steps",
            "train_loss_epoch": "sum(loss.item() * batch size) / samples over the epoch's training batches",
            "val_loss": "sum(loss.item() * batch size) / samples over the validation set, model.eval(), no_grad",
            "val_acc": "(argmax == target).sum() / samples over the validation set (micro)",
        },
        "num_classes": NUM_CLASSES,
        "eval_size": {"val": int(len(d["target"]))},
        "batch_size": BATCH_SIZE,
        "epochs": EPOCHS,
        "double_softmax_loss_floor": floor,
        "logs": {
            "metrics.jsonl": "JSON lines; step records {epoch, step, train_loss}; epoch records "
                             "{epoch, step (= optimizer steps so far), train_loss_epoch, val_loss, val_acc}",
            "tensorboard/": {"files": tb_files,
                             "writer": "torch.utils.tensorboard.SummaryWriter.add_scalar (simple_value)",
                             "tags": {"train/loss": "= train_loss, step = global step S",
                                      "train/loss_epoch": "= train_loss_epoch, step = epoch",
                                      "val/loss": "= val_loss, step = epoch",
                                      "val/acc": "= val_acc, step = epoch"}},
            "stdout.txt": "what the script printed (plain, not a terminal)",
        },
        "dumps": {
            "val_epoch<E>.npz": "probs (the model's softmax output) of the whole validation set after epoch E",
            "train_epoch<E>.npz": "probs the training steps of epoch E produced, concatenated (weights change "
                                  "between batches); train_loss_epoch is over exactly these",
            "train_step<S>.npz": "probs of the single batch behind the train_loss record with step=S "
                                 "(S = optimizer steps taken before that batch)",
        },
        "expected_findings": [
            {"metric": m, "split": sp,
             "convention": "cross-entropy of probabilities fed as logits (softmax applied twice); "
                           f"never below ln(1+(C-1)/e) = {floor:.4f} for C=10",
             "reading": "ce_probs_as_logits", "likely_meant": "ce_logits of the pre-softmax scores, "
             "i.e. -log p_y of the model's probabilities (reading keras_cce_probs ~ -mean log p_y)",
             "fix": "remove nn.Softmax from the model (CrossEntropyLoss takes logits), or use "
                    "nn.NLLLoss on torch.log(probs)"}
            for m, sp in (("train_loss", "train"), ("train_loss_epoch", "train"), ("val_loss", "val"))
        ],
        "expected_clean": [
            {"metric": "val_acc", "convention": "micro accuracy (softmax does not change the argmax)",
             "reading": "micro"}],
        "checks": checks,
    }
    common.write_json(os.path.join(HERE, "run.json"), run)
    print(f"wrote run.json with {len(checks)} checked values")


def main():
    if os.environ.get("MA_EXAMPLE_CHILD") == "1":
        train()
        return
    for p in (PRED_DIR, TB_DIR):
        shutil.rmtree(p, ignore_errors=True)
    import subprocess
    env = dict(os.environ, MA_EXAMPLE_CHILD="1", PYTHONHASHSEED="0")
    with open(os.path.join(HERE, "stdout.txt"), "wb") as out:
        rc = subprocess.call([sys.executable, os.path.abspath(__file__)], stdout=out, env=env)
    if rc != 0:
        sys.exit(f"training failed with exit code {rc}")
    finish()


if __name__ == "__main__":
    main()
