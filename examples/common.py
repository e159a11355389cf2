"""Helpers shared by the example generators (examples/<name>/make.py).

Nothing here trains or logs anything (the dumps are written by metricaudit's own
capture helpers: metricaudit.capture, .keras, .lightning): it runs a generator inside a
pseudo-terminal so the libraries draw their progress bars as they would on a
terminal, and computes reference readings with plain numpy so each run.json can
state, next to every logged number, what each convention gives for it.
"""
from __future__ import annotations

import errno
import fcntl
import importlib
import json
import os
import platform
import pty
import struct
import subprocess
import sys
import termios

import numpy as np


# ----------------------------------------------------------------- reference readings

def _logsumexp(z):
    z = np.asarray(z, dtype=np.float64)
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def accuracy_readings(scores, target, num_classes):
    """Every reading of multiclass top-1 accuracy named in CONVENTIONS.md."""
    target = np.asarray(target, dtype=np.int64)
    pred = np.asarray(scores).argmax(axis=1)
    C = num_classes
    tp = np.bincount(target[pred == target], minlength=C)[:C].astype(np.float64)
    support = np.bincount(target, minlength=C)[:C].astype(np.float64)
    predicted = np.bincount(pred, minlength=C)[:C].astype(np.float64)
    fp = predicted - tp
    fn = support - tp
    recall = np.divide(tp, support, out=np.zeros(C), where=support > 0)
    seen = (tp + fp + fn) > 0
    present = support > 0
    return {
        "micro": float(tp.sum() / support.sum()),
        "macro_absent_zero": float(recall.mean()),                 # torchmetrics 0.10.0-0.11.4
        "macro_absent_excluded": float(recall[seen].mean()),       # torchmetrics >=1.0 (top_k=1)
        "balanced_present_only": float(recall[present].mean()),    # sklearn balanced_accuracy_score
        "weighted": float((support * recall).sum() / support.sum()),
        "classes_in_target": int(present.sum()),
        "classes_seen_tp_fp_fn": int(seen.sum()),
    }


def loss_readings(scores, target, *, scores_are="logits"):
    """Cross-entropy readings of one evaluation (unweighted means over samples)."""
    target = np.asarray(target, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    n = np.arange(len(target))
    out = {}
    if scores_are == "logits":
        out["ce_logits"] = float(np.mean(_logsumexp(s) - s[n, target]))
        p = softmax(s)
    else:
        p = s
    # probabilities handed to a logits loss (softmax applied twice)
    out["ce_probs_as_logits"] = float(np.mean(_logsumexp(p) - p[n, target]))
    # Keras categorical_crossentropy(from_logits=False): renormalise, clip [1e-7, 1-1e-7]
    q = p / p.sum(axis=1, keepdims=True)
    q = np.clip(q, 1e-7, 1 - 1e-7)
    out["keras_cce_probs"] = float(np.mean(-np.log(q[n, target])))
    # Keras binary_crossentropy on one-hot targets: clip, element-wise mean over C outputs
    y = np.zeros_like(p)
    y[n, target] = 1.0
    pc = np.clip(p, 1e-7, 1 - 1e-7)
    bce = -(y * np.log(pc) + (1 - y) * np.log(1 - pc))
    out["keras_bce_onehot"] = float(np.mean(bce.mean(axis=1)))
    # Keras binary_accuracy on one-hot targets: element-wise (p > 0.5) == y
    out["keras_binary_accuracy_onehot"] = float(np.mean(((p > 0.5).astype(np.float64) == y)))
    return out


# ----------------------------------------------------------------------- versions

def versions(*modules):
    out = {"python": platform.python_version()}
    for name in modules:
        try:
            mod = importlib.import_module(name)
            out[name] = getattr(mod, "__version__", "unknown")
        except Exception as exc:  # noqa: BLE001 - recorded, not hidden
            out[name] = f"not importable: {exc.__class__.__name__}"
    return out


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write("\n")


# ------------------------------------------------------------------ pseudo-terminal

def run_in_pty(argv, transcript_path, *, cols=200, rows=40, env=None):
    """Run argv with stdin/stdout/stderr on a pseudo-terminal of the given size and
    save every byte the terminal received (carriage returns, ANSI cursor moves,
    the tty's \\n -> \\r\\n translation) to transcript_path. Returns the exit code."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            close_fds=True, start_new_session=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError as exc:
            if exc.errno == errno.EIO:  # child side closed
                break
            raise
        if not data:
            break
        chunks.append(data)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    os.close(master)
    rc = proc.wait()
    with open(transcript_path, "wb") as f:
        f.write(b"".join(chunks))
    return rc


def patch_lightning_for_torch113_py311(L):
    """torch 1.13 + Python 3.11: importing torch.distributed._shard raises
    "ValueError: mutable default ... TensorProperties" (a dataclass default that 3.11
    rejects; fixed in torch 2.0). Lightning 2.2 imports it from LightningModule.__init__
    only to register ShardedTensor state-dict hooks, which these examples never use,
    so skip that registration. Training, logging and metrics are unaffected."""
    L.LightningModule._register_sharded_tensor_state_dict_hooks_if_available = lambda self: None
