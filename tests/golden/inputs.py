"""Deterministic input sets shared by every golden generator.

Pure Python (random.Random with fixed seeds), so every virtual environment, whatever
its numpy, builds bit-identical inputs. Every float is a dyadic rational (k / 2^m)
small enough to be exact in float32, so a library computing in float32 or float64
sees exactly the same values, and repr() of each value is short.
"""
import math
import random

NEG_INF = float("-inf")


def _dy(x, step=1 / 64):
    """Round to a multiple of step (a power of two): exact in float32."""
    return round(x / step) * step


def _argmax_first(row):
    best = 0
    for i, v in enumerate(row):
        if v > row[best]:
            best = i
    return best


def _dyadic_probs(rng, c, denom=256, zeros=0):
    """A row of c probabilities k/denom summing to exactly 1 (zeros: how many exact zeros)."""
    live = list(range(c))
    rng.shuffle(live)
    dead = set(live[:zeros]) if zeros < c else set(live[: c - 1])
    w = [0 if i in dead else rng.randint(1, 20) for i in range(c)]
    s = sum(w)
    ks = [math.floor(denom * wi / s) for wi in w]
    rem = denom - sum(ks)
    alive = [i for i in range(c) if i not in dead]
    ks[alive[rng.randrange(len(alive))]] += rem
    return [k / denom for k in ks]


def _weights(rng, n, lo=1, hi=12, step=4):
    return [rng.randint(lo, hi) / step for _ in range(n)]


def _mc(name, preds, target, c, rng, tags, note="", **extra):
    d = {
        "kind": "multiclass",
        "num_classes": c,
        "n": len(target),
        "preds": preds,
        "target": target,
        "pred_labels": [_argmax_first(r) for r in preds],
        "sample_weight": _weights(rng, len(target)),
        "class_weight": _weights(rng, c, 1, 16, 8),
        "tags": tags,
    }
    if note:
        d["note"] = note
    d.update(extra)
    return name, d


def build_inputs():
    sets = {}

    def add(pair):
        sets[pair[0]] = pair[1]

    # A. plain random logits
    for c, n, seed in [(2, 16, 1), (3, 24, 2), (4, 24, 3), (5, 24, 4), (7, 32, 5), (10, 40, 6)]:
        rng = random.Random(1000 + seed)
        preds = [[_dy(rng.uniform(-4, 4), 1 / 16) for _ in range(c)] for _ in range(n)]
        target = [rng.randrange(c) for _ in range(n)]
        add(_mc(f"mc_logits_c{c}", preds, target, c, rng, ["logits", "random"]))

    # B. one class
    rng = random.Random(2001)
    add(_mc("mc_logits_c1", [[_dy(rng.uniform(-3, 3), 1 / 16)] for _ in range(6)], [0] * 6, 1, rng,
            ["logits", "c1"], "C = 1: every prediction is class 0"))

    # C. absent classes: targets use a subset, some classes only predicted, some never seen
    for c, n, seed in [(5, 20, 1), (7, 28, 2), (10, 30, 3)]:
        rng = random.Random(3000 + seed)
        in_target = list(range(0, c // 2 + 1))            # e.g. {0,1,2} for C=5
        only_pred = [c - 1]                                # predicted, never a target
        # classes in neither: the rest
        target, preds = [], []
        for i in range(n):
            t = rng.choice(in_target)
            r = rng.random()
            p = t if r < 0.55 else (rng.choice(only_pred) if r < 0.75 else rng.choice(in_target))
            row = [_dy(rng.uniform(-3, 0), 1 / 16) for _ in range(c)]
            row[p] = _dy(rng.uniform(0.5, 3), 1 / 16)
            target.append(t)
            preds.append(row)
        neither = [k for k in range(c) if k not in in_target and k not in only_pred]
        add(_mc(f"mc_absent_c{c}", preds, target, c, rng, ["logits", "absent_classes", "predicted_only"],
                f"targets in {in_target}; class {only_pred} only predicted; classes {neither} neither"))

    # D. every sample right, few classes present
    rng = random.Random(4001)
    t = [0, 1, 1, 0, 1, 0, 0, 1]
    p = [[2.0 if k == ti else 0.0 for k in range(4)] for ti in t]
    add(_mc("mc_perfect_two_of_c4", p, t, 4, rng, ["logits", "perfect", "absent_classes"],
            "all right; classes 2, 3 absent and never predicted"))
    t = [2] * 6
    p = [[0.0, 0.5, 3.0, -1.0] for _ in t]
    add(_mc("mc_perfect_one_of_c4", p, t, 4, rng, ["logits", "perfect", "absent_classes"],
            "all right, one class present: macro(absent=0) = 0.25"))

    # E. exact ties (top-1 and at the k boundary)
    for c, n, seed in [(3, 18, 1), (4, 24, 2), (5, 24, 3)]:
        rng = random.Random(5000 + seed)
        preds = [[float(rng.choice([0, 1, 1, 2])) for _ in range(c)] for _ in range(n)]
        preds[0] = [1.0] * c                     # all tied
        target = [rng.randrange(c) for _ in range(n)]
        target[0] = c - 1
        preds[1] = [2.0] + [1.0] * (c - 1)       # second place tied among the rest
        target[1] = c - 1
        preds[2] = [2.0] * 2 + [0.0] * (c - 2)   # top-1 tie between 0 and 1; target 1
        target[2] = 1
        add(_mc(f"mc_ties_c{c}", preds, target, c, rng, ["logits", "ties"],
                "scores in {0,1,2}: exact ties at top-1 and at the top-k boundary"))

    # F. large magnitudes and -inf
    rng = random.Random(6001)
    c = 5
    preds, target = [], []
    for i in range(16):
        row = [_dy(rng.uniform(-1, 1), 1 / 8) * 4096 for _ in range(c)]
        if i % 3 == 0:
            row[rng.randrange(c)] = NEG_INF
        target.append(rng.randrange(c))
        if row[target[-1]] == NEG_INF:
            row[target[-1]] = 1000.0
        preds.append(row)
    preds[1] = [1e6, -1e6, 0.0, 3.0e4, -3.0e4]
    preds[2] = [NEG_INF, NEG_INF, NEG_INF, NEG_INF, 7.5]
    target[2] = 4
    add(_mc("mc_large_neginf_c5", preds, target, c, rng, ["logits", "large", "neg_inf"],
            "magnitudes up to 1e6 and -inf entries, never at the target: finite loss"))
    rng = random.Random(6002)
    c = 4
    preds = [[_dy(rng.uniform(-2, 2), 1 / 8) for _ in range(c)] for _ in range(8)]
    target = [rng.randrange(c) for _ in range(8)]
    preds[3][target[3]] = NEG_INF
    add(_mc("mc_neginf_at_target_c4", preds, target, c, rng, ["logits", "neg_inf", "infinite_loss"],
            "sample 3 has -inf at its target: its loss is +inf"))
    rng = random.Random(6003)
    c = 3
    preds = [[_dy(rng.uniform(-1, 1), 1 / 4) * 64 for _ in range(c)] for _ in range(12)]
    target = [rng.randrange(c) for _ in range(12)]
    add(_mc("mc_large_c3", preds, target, c, rng, ["logits", "large"], "logits of magnitude up to 64"))

    # G. probability rows summing to exactly 1
    for c, n, seed, zeros in [(2, 16, 1, 0), (3, 20, 2, 1), (5, 24, 3, 1), (10, 30, 4, 3), (4, 12, 5, 3)]:
        rng = random.Random(7000 + seed)
        preds = [_dyadic_probs(rng, c, 256, zeros if i % 2 == 0 else 0) for i in range(n)]
        target = [rng.randrange(c) for _ in range(n)]
        tags = ["probs"] + (["zeros"] if zeros else [])
        name = f"mc_probs_c{c}" if seed != 5 else "mc_probs_onehotish_c4"
        note = "dyadic probability rows summing to exactly 1"
        if zeros:
            note += "; some exact zeros (clipping), possibly at the target"
        add(_mc(name, preds, target, c, rng, tags, note))

    # H. rows in [0,1] not summing to 1
    for c, n, seed in [(3, 16, 1), (5, 20, 2)]:
        rng = random.Random(8000 + seed)
        preds = [[rng.randint(0, 64) / 64 for _ in range(c)] for _ in range(n)]
        preds[0] = [0.0] * (c - 1) + [1.0]
        preds[1] = [1.0] * c
        target = [rng.randrange(c) for _ in range(n)]
        add(_mc(f"mc_probs_unnormalised_c{c}", preds, target, c, rng, ["probs", "unnormalised"],
                "each entry in [0,1], rows do not sum to 1"))

    # I. ignore_index
    rng = random.Random(9001)
    c = 5
    preds, target = [], []
    for i in range(20):
        t = rng.randrange(c)
        p = t if rng.random() < 0.5 else rng.randrange(c)
        row = [_dy(rng.uniform(-2, 0), 1 / 16) for _ in range(c)]
        row[p] = _dy(rng.uniform(0.5, 2), 1 / 16)
        target.append(t)
        preds.append(row)
    # make sure class 2 is a target (to be ignored) and predicted on other samples
    target[0], target[1], target[2] = 2, 2, 0
    preds[2] = [0.0, 0.0, 1.0, 0.0, 0.0]
    add(_mc("mc_ignore_in_c5", preds, target, c, rng, ["logits", "ignore_index"],
            "use ignore_index=2: class 2 is a target (ignored) and is predicted on non-ignored samples",
            ignore_index=2))
    rng = random.Random(9002)
    c = 5
    preds, target = [], []
    for i in range(20):
        t = rng.randrange(c - 1)
        p = t if rng.random() < 0.6 else rng.randrange(c - 1)
        row = [_dy(rng.uniform(-2, 0), 1 / 16) for _ in range(c)]
        row[p] = _dy(rng.uniform(0.5, 2), 1 / 16)
        target.append(t)
        preds.append(row)
    for i in (0, 5, 9):
        target[i] = 4
        preds[i][4] = 5.0
    add(_mc("mc_ignore_in_unpredicted_c5", preds, target, c, rng, ["logits", "ignore_index"],
            "use ignore_index=4: class 4 only appears as the (ignored) target and on those samples' predictions",
            ignore_index=4))
    rng = random.Random(9003)
    c = 4
    preds = [[_dy(rng.uniform(-3, 3), 1 / 16) for _ in range(c)] for _ in range(16)]
    target = [rng.randrange(c) for _ in range(16)]
    for i in (1, 4, 7, 8):
        target[i] = -100
    add(_mc("mc_ignore_out_c4", preds, target, c, rng, ["logits", "ignore_index"],
            "use ignore_index=-100 (out of range)", ignore_index=-100))
    rng = random.Random(9004)
    c = 3
    preds = [[_dy(rng.uniform(-3, 3), 1 / 16) for _ in range(c)] for _ in range(4)]
    add(_mc("mc_all_ignored_c3", preds, [-100] * 4, c, rng, ["logits", "ignore_index", "all_ignored"],
            "every target is ignore_index=-100", ignore_index=-100))

    # J. soft targets (torch probability targets)
    rng = random.Random(10001)
    c = 4
    preds = [[_dy(rng.uniform(-3, 3), 1 / 16) for _ in range(c)] for _ in range(12)]
    tprobs = [_dyadic_probs(rng, c, 64, 1 if i % 3 == 0 else 0) for i in range(12)]
    target = [_argmax_first(r) for r in tprobs]
    add(_mc("mc_soft_targets_c4", preds, target, c, rng, ["logits", "soft_targets"],
            "target_probs: probability targets (rows sum to 1); target = their first argmax",
            target_probs=tprobs))

    # K. binary
    rng = random.Random(11001)
    p = [rng.randint(0, 16) / 16 for _ in range(24)]
    p[:4] = [0.5, 0.0, 1.0, 0.5]
    t = [rng.randrange(2) for _ in range(24)]
    sets["bin_probs"] = {"kind": "binary", "n": 24, "preds": p, "target": t,
                         "sample_weight": _weights(rng, 24), "tags": ["probs", "threshold_tie"],
                         "note": "in [0,1], including exactly 0.5 (strict > threshold)"}
    rng = random.Random(11002)
    p = [_dy(rng.uniform(-4, 4), 1 / 16) for _ in range(24)]
    p[:6] = [0.3, 0.0, 2.0 ** -27, -(2.0 ** -27), 0.75, 1.5]
    t = [rng.randrange(2) for _ in range(24)]
    sets["bin_logits"] = {"kind": "binary", "n": 24, "preds": p, "target": t,
                          "sample_weight": _weights(rng, 24), "pos_weight": [2.5], "tags": ["logits", "auto_sigmoid"],
                          "note": "some entries outside [0,1]: whole tensor gets a sigmoid; 0.3 then counts as positive; "
                                  "2^-27 is positive but sigmoid rounds to 0.5 in float32"}
    rng = random.Random(11003)
    p = [rng.randint(0, 8) / 8 for _ in range(16)]
    t = [rng.randrange(2) for _ in range(16)]
    for i in (2, 5, 11):
        t[i] = -1
    sets["bin_ignore"] = {"kind": "binary", "n": 16, "preds": p, "target": t,
                          "sample_weight": _weights(rng, 16), "tags": ["probs", "ignore_index"],
                          "note": "use ignore_index=-1", "ignore_index": -1}

    # L. multilabel
    for name, l, n, seed, logits in [("ml_probs_l3", 3, 16, 1, False), ("ml_probs_l5", 5, 20, 2, False),
                                     ("ml_logits_l4", 4, 16, 3, True)]:
        rng = random.Random(12000 + seed)
        if logits:
            p = [[_dy(rng.uniform(-3, 3), 1 / 16) for _ in range(l)] for _ in range(n)]
            p[0] = [0.25, 0.75, 0.5, 0.0]
        else:
            p = [[rng.randint(0, 8) / 8 for _ in range(l)] for _ in range(n)]
        t = [[rng.randrange(2) for _ in range(l)] for _ in range(n)]
        if name == "ml_probs_l5":   # label 4 never positive in target nor prediction
            for i in range(n):
                t[i][4] = 0
                p[i][4] = min(p[i][4], 0.375)
        sets[name] = {"kind": "multilabel", "num_labels": l, "n": n, "preds": p, "target": t,
                      "sample_weight": _weights(rng, n),
                      "tags": ["logits" if logits else "probs"] + (["absent_label"] if name == "ml_probs_l5" else []),
                      "note": "label 4 never positive (target and prediction)" if name == "ml_probs_l5" else ""}
    rng = random.Random(12004)
    p = [[rng.randint(0, 8) / 8 for _ in range(3)] for _ in range(12)]
    t = [[rng.randrange(2) for _ in range(3)] for _ in range(12)]
    t[0][1] = t[3][0] = t[3][2] = t[7][2] = -1
    sets["ml_ignore_l3"] = {"kind": "multilabel", "num_labels": 3, "n": 12, "preds": p, "target": t,
                            "sample_weight": _weights(rng, 12), "tags": ["probs", "ignore_index"],
                            "note": "use ignore_index=-1", "ignore_index": -1}
    return sets


def derive(inp, name):
    """Resolve an argument reference of a case ("preds", "onehot(target)", ...) to plain lists."""
    if name == "onehot(target)":
        c = inp["num_classes"]
        return [[1.0 if k == t else 0.0 for k in range(c)] for t in inp["target"]]
    if name == "thresholded(preds)":   # multilabel/binary probabilities > 0.5
        p = inp["preds"]
        if isinstance(p[0], list):
            return [[1 if v > 0.5 else 0 for v in r] for r in p]
        return [1 if v > 0.5 else 0 for v in p]
    if name == "range(num_classes)":
        return list(range(inp["num_classes"]))
    return inp[name]
