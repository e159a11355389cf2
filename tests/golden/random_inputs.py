"""Randomized input sets of the random-*.json golden files, rebuilt from their seed.

Pure Python (random.Random), so the generator (in each library's virtual environment)
and the test (in metricaudit's) build the same bits; the files store the seed and a
digest of the set, not the arrays. Every float is dyadic and exact in float32, so a
library computing in float32 or float64 sees the same values. Each set draws the
features the agreement cases of issue 15 turned on: exact ties, absent classes,
ignored samples (all of them, sometimes), zero and all-zero sample weights, -inf
logits, probability rows with exact zeros and ones, non-negative rows above 1,
subnormal float32 scores, scores on both sides of [0, 1].
"""
import hashlib
import json
import random

NEG_INF = float("-inf")
SUBNORMAL = 2.0 ** -140  # a float32 subnormal (the smallest normal is 2^-126)


def _dy(rng, lo, hi, step):
    return round(rng.uniform(lo, hi) / step) * step


def _weights(rng, n):
    mode = rng.random()
    if mode < 0.08:
        return [0.0] * n  # every weight zero
    w = [rng.randint(0, 12) / 4 for _ in range(n)]
    return w


def _argmax_first(row):
    best = 0
    for i, v in enumerate(row):
        if v > row[best]:
            best = i
    return best


def _prob_row(rng, c, zeros):
    w = [0 if (zeros and rng.random() < 0.3) else rng.randint(1, 16) for _ in range(c)]
    if sum(w) == 0:
        w[rng.randrange(c)] = 1
    s = sum(w)
    ks = [(64 * x) // s for x in w]
    ks[max(range(c), key=lambda i: w[i])] += 64 - sum(ks)
    return [k / 64 for k in ks]


# Keras' sets ("kmc", "klw") take their shapes from a short menu: jax compiles every
# operation once per shape, which would otherwise dominate the generator's time.
KERAS_CLASSES, KERAS_ROWS, KERAS_LABELS = (3, 5), (8, 24), (1, 3)


def multiclass(seed, keras=False):
    rng = random.Random(f"{'k' if keras else ''}mc{seed}")
    c = rng.choice(KERAS_CLASSES) if keras else rng.choice([2, 3, 3, 4, 5, 6, 8])
    n = rng.choice(KERAS_ROWS) if keras else rng.randint(1, 40)
    style = rng.choice(["logits", "logits", "ties", "probs", "probs", "unnormalised", "neg_inf",
                        "subnormal"])
    used = rng.sample(range(c), rng.randint(1, c))  # absent classes
    target = [rng.choice(used) for _ in range(n)]
    rows = []
    for t in target:
        if style == "ties":
            row = [float(rng.randint(0, 2)) for _ in range(c)]
        elif style == "probs":
            row = _prob_row(rng, c, zeros=rng.random() < 0.5)
        elif style == "unnormalised":
            row = [rng.randint(0, 48) / 16 for _ in range(c)]
            if sum(row) == 0:
                row[0] = 1.0
        else:
            row = [_dy(rng, -4, 4, 1 / 16) for _ in range(c)]
            if style == "neg_inf" and rng.random() < 0.3:
                row[rng.randrange(c)] = NEG_INF
                if all(v == NEG_INF for v in row):
                    row[t] = 0.5
            if style == "subnormal":
                row = [SUBNORMAL * rng.randint(-3, 3) for _ in range(c)]
        if rng.random() < 0.5 and style not in ("probs", "subnormal"):
            row[t] = max(row) + 1.0 if max(row) != NEG_INF else 1.0  # some rows right
        rows.append(row)
    d = {
        "kind": "multiclass", "num_classes": c, "n": n, "preds": rows, "target": target,
        "pred_labels": [_argmax_first(r) for r in rows], "sample_weight": _weights(rng, n),
        "class_weight": [rng.randint(1, 16) / 8 for _ in range(c)], "tags": [style],
    }
    if rng.random() < 0.3:
        ii = rng.choice([-1, rng.randrange(c)])
        every = rng.random() < 0.15
        d["target"] = [ii if (every or rng.random() < 0.3) else t for t in target]
        d["ignore_index"] = ii
        d["tags"].append("ignore_index")
    return d


def labelwise(seed, keras=False):
    rng = random.Random(f"{'k' if keras else ''}lw{seed}")
    if keras:
        labels, n = rng.choice(KERAS_LABELS), rng.choice(KERAS_ROWS)
    else:
        labels, n = (1 if rng.random() < 0.5 else rng.randint(2, 5)), rng.randint(1, 40)
    style = rng.choice(["probs", "probs", "logits", "mixed", "subnormal"])

    def score():
        if style == "probs":
            return rng.randint(0, 16) / 16
        if style == "subnormal":
            return SUBNORMAL * rng.randint(-2, 2)
        if style == "mixed":  # mostly in [0, 1], some outside (torchmetrics' sigmoid rule)
            return rng.randint(0, 16) / 16 if rng.random() < 0.8 else _dy(rng, -3, 3, 1 / 8)
        return _dy(rng, -4, 4, 1 / 16)

    def shape(f):
        return [f() for _ in range(n)] if labels == 1 else [[f() for _ in range(labels)]
                                                            for _ in range(n)]

    d = {"kind": "binary" if labels == 1 else "multilabel", "n": n, "preds": shape(score),
         "target": shape(lambda: rng.randrange(2)), "sample_weight": _weights(rng, n),
         "tags": [style]}
    if labels > 1:
        d["num_labels"] = labels
    elif rng.random() < 0.3:
        every = rng.random() < 0.2
        d["target"] = [-1 if (every or rng.random() < 0.3) else t for t in d["target"]]
        d["ignore_index"] = -1
        d["tags"].append("ignore_index")
    return d


# torch 1.13's float32 sigmoid rounds differently on its vectorised path (Sleef expf, all
# but the last n mod 16 elements of a contiguous tensor on AVX2) and its scalar path
# (1 / (1 + expf(-x)), which metricaudit computes): at this logit the two differ by one ulp,
# and the threshold is the vectorised value, so `sigmoid > threshold` is false there and
# true here (docs/conventions.md, "float32 sigmoid").
SIGMOID_ULP_LOGIT = 0.5036500096321106
SIGMOID_ULP_THRESHOLD = 0.6233167052268982


def sigmoid_ulp():
    preds = [SIGMOID_ULP_LOGIT] + [-2.0 + 0.125 * k for k in range(31)]
    target = [1] + [k % 2 for k in range(31)]
    return {"kind": "binary", "n": 32, "preds": preds, "target": target,
            "sample_weight": [1.0] * 32, "tags": ["logits", "sigmoid_ulp"],
            "threshold": SIGMOID_ULP_THRESHOLD}


def build(key):
    """The input set named `key`: "mc<seed>", "lw<seed>", Keras' "kmc<seed>", "klw<seed>",
    or "sigmoid_ulp"."""
    if key == "sigmoid_ulp":
        return sigmoid_ulp()
    keras = key.startswith("k")
    body = key[1:] if keras else key
    seed = int(body[2:])
    return multiclass(seed, keras) if body.startswith("mc") else labelwise(seed, keras)


def digest(spec):
    """A short digest of a set, stored beside each case to catch a changed generator."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha1(text.encode()).hexdigest()[:12]
