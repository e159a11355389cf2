#!/usr/bin/env python3
"""Check the pair examples/keras-to-lightning/{keras,lightning} tells the seed user's
story, and write pair.json: what `metricaudit compare keras lightning` must say, computed
here from the dumps with numpy and scipy alone (the C++ test compares the two).

For each pair of logged metrics (validation and training accuracy and loss) at the last
epoch: both logged values, both runs' values under the common convention (micro accuracy;
each model's own cross-entropy: Keras' clipped one on its probabilities, the logits one for
torch), the difference B - A, the two-sided p-value of McNemar's exact test
(scipy.stats.binomtest on the discordant pairs) or of the paired t test
(scipy.stats.ttest_rel on per-sample losses), and the verdict the rules of docs/compare.md
give: real when p < 0.05, else noise when each logged value already is its run's common
reading, else convention.

The story, asserted: the logged validation accuracies differ by more than a point (macro
against micro), under micro accuracy McNemar finds no difference.

Run (after both make.py): /work/venvs/ex-torch/bin/python examples/keras-to-lightning/check_pair.py
"""
import csv
import os
import sys

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

ALPHA = 0.05
EPOCH_TOL = 2e-5  # Keras logs float32 accumulators


def keras_rows():
    with open(os.path.join(HERE, "keras", "training.log"), newline="") as f:
        return {int(r["epoch"]): r for r in csv.DictReader(f)}


def lightning_rows():
    out = {}
    path = os.path.join(HERE, "lightning", "lightning_logs", "version_0", "metrics.csv")
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            row = out.setdefault(int(r["epoch"]), {})
            row.update({k: v for k, v in r.items() if v})
    return out


def dump(run, split, epoch):
    d = np.load(os.path.join(HERE, run, "predictions", f"{split}_epoch{epoch}.npz"))
    scores = d["probs"] if "probs" in d else d["logits"]
    target = d["target"]
    if target.ndim == 2:  # Keras' one-hot targets, as metricaudit.keras.SavePredictions saves them
        target = target.argmax(axis=1)
    return target.astype(np.int64), scores.astype(np.float64), "probs" in d


def per_sample_loss(scores, target, probs):
    n = np.arange(len(target))
    if probs:  # Keras categorical_crossentropy: renormalise, then float32, clip [1e-7, 1 - 1e-7]
        q = (scores / scores.sum(axis=1, keepdims=True)).astype(np.float32).astype(np.float64)
        lo, hi = float(np.float32(1e-7)), float(np.float32(1) - np.float32(1e-7))
        return -np.log(np.clip(q[n, target], lo, hi))
    m = scores.max(axis=1, keepdims=True)
    return (m[:, 0] + np.log(np.exp(scores - m).sum(axis=1))) - scores[n, target]


def main():
    ker, lig = keras_rows(), lightning_rows()
    epoch = max(set(ker) & set(lig))
    pairs = [("accuracy", "val", "val_accuracy", "val_acc"),
             ("loss", "val", "val_loss", "val_loss"),
             ("accuracy", "train", "accuracy", "train_acc_epoch"),
             ("loss", "train", "loss", "train_loss_epoch")]
    expected = []
    for kind, split, name_a, name_b in pairs:
        ta, sa, pa = dump("keras", split, epoch)
        tb, sb, pb = dump("lightning", split, epoch)
        assert np.array_equal(ta, tb), "the runs must evaluate the same samples, in order"
        logged_a, logged_b = float(ker[epoch][name_a]), float(lig[epoch][name_b])
        if kind == "accuracy":
            xa = (sa.argmax(axis=1) == ta).astype(np.float64)
            xb = (sb.argmax(axis=1) == tb).astype(np.float64)
            a_only, b_only = int(np.sum((xa == 1) & (xb == 0))), int(np.sum((xa == 0) & (xb == 1)))
            p = 1.0 if a_only + b_only == 0 else \
                stats.binomtest(min(a_only, b_only), a_only + b_only, 0.5).pvalue
            test = "mcnemar-exact"
        else:
            xa, xb = per_sample_loss(sa, ta, pa), per_sample_loss(sb, tb, pb)
            p = float(stats.ttest_rel(xb, xa).pvalue)
            test = "paired-t"
        common_a, common_b = float(xa.mean()), float(xb.mean())
        same = abs(logged_a - common_a) < EPOCH_TOL and abs(logged_b - common_b) < EPOCH_TOL
        verdict = "real" if p < ALPHA else ("noise" if same else "convention")
        expected.append({
            "kind": kind, "split": split, "epoch": epoch, "a": name_a, "b": name_b,
            "logged_a": logged_a, "logged_b": logged_b, "common_a": common_a, "common_b": common_b,
            "difference": common_b - common_a, "test": test, "p_value": float(p),
            "verdict": verdict,
        })

    val_acc = expected[0]
    macro = common.accuracy_readings(*reversed(dump("lightning", "val", epoch)[:2]), 10)
    assert abs(val_acc["logged_b"] - macro["macro_absent_zero"]) < 1e-6, (val_acc, macro)
    assert val_acc["logged_a"] - val_acc["logged_b"] > 0.01, val_acc
    assert val_acc["verdict"] == "convention", val_acc

    common.write_json(os.path.join(HERE, "pair.json"), {
        "example": "keras-to-lightning",
        "generator": "examples/keras-to-lightning/check_pair.py",
        "libraries": common.versions("numpy", "scipy"),
        "runs": {"a": "keras", "b": "lightning"},
        "command": "metricaudit compare examples/keras-to-lightning/keras "
                   "examples/keras-to-lightning/lightning",
        "alpha": ALPHA,
        "expected_comparisons": expected,
    })
    for e in expected:
        print(f"{e['kind']:>8} [{e['split']}] epoch {e['epoch']}: logged {e['logged_a']:.4f} vs "
              f"{e['logged_b']:.4f}, common {e['common_a']:.4f} vs {e['common_b']:.4f}, "
              f"{e['test']} p = {e['p_value']:.4g}: {e['verdict']}")


if __name__ == "__main__":
    main()
