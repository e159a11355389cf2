#!/usr/bin/env python3
"""Golden reference vectors: what the real libraries compute on the input sets of inputs.py.

Run once per library, each in the virtual environment that has it (generate.sh does this):

    python generate.py --lib torchmetrics   # writes torchmetrics-<version>.json
    python generate.py --lib torch          # torch-<version>.json (torch.nn.functional losses)
    python generate.py --lib keras          # keras-<version>.json (KERAS_BACKEND=jax)
    python generate.py --lib sklearn        # sklearn-<version>.json
    python generate.py --lib keras --random 400   # random-keras-<version>.json (any library)

The schema is described in README.md beside this file.
"""
import argparse
import json
import math
import os
import platform
import sys
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from inputs import build_inputs, derive  # noqa: E402
import random_inputs  # noqa: E402

SCHEMA = "metricaudit-golden/1"
OUT_DIR = HERE  # --out-dir moves the random files (the live tier writes them to a temporary folder)


# ---------------------------------------------------------------- JSON helpers
def enc(x):
    """Plain JSON: non-finite floats become the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(x, bool):
        return x
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, dict):
        return {k: enc(v) for k, v in x.items()}
    return x


class Recorder:
    def __init__(self, library, version, versions, inputs):
        self.library, self.version, self.versions = library, version, versions
        self.inputs = inputs
        self.cases = []
        self.used = set()

    def case(self, cid, inp, api, style, args, kwargs, fn, output_dtype="float32", dtype="float32",
             tags=(), note=None, batches=None):
        """Run fn() and record its output (or the exception it raised)."""
        assert all(c["id"] != cid for c in self.cases), cid
        rec = {"id": cid, "input": inp,
               "call": {"api": api, "style": style, "args": args, "kwargs": kwargs, "dtype": dtype}}
        if batches:
            rec["call"]["batches"] = batches
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                out = fn()
                rec["output"] = out
                rec["output_dtype"] = output_dtype
            except Exception as e:  # the library refusing an input is a finding too
                rec["output"] = None
                rec["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"
        msgs = sorted({f"{x.category.__name__}: {str(x.message).splitlines()[0][:160]}" for x in w})
        if msgs:
            rec["warnings"] = msgs
        if tags:
            rec["tags"] = list(tags)
        if note:
            rec["note"] = note
        self.cases.append(rec)
        self.used.add(inp)

    def write(self, fname):
        doc = {
            "schema": SCHEMA,
            "library": self.library,
            "version": self.version,
            "versions": self.versions,
            "platform": f"{platform.system()} {platform.machine()} python {platform.python_version()}",
            "generated_by": "tests/golden/generate.py",
            "inputs": {k: v for k, v in self.inputs.items() if k in self.used},
            "cases": self.cases,
        }
        path = os.path.join(OUT_DIR, fname)
        with open(path, "w") as f:
            json.dump(enc(doc), f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        print(f"{path}: {len(self.cases)} cases, {os.path.getsize(path)} bytes, "
              f"{sum(1 for c in self.cases if 'error' in c)} errors")


def mc_sets(inputs, *tags_any, exclude=()):
    out = []
    for k, v in inputs.items():
        if v["kind"] != "multiclass":
            continue
        if tags_any and not any(t in v["tags"] for t in tags_any):
            continue
        if any(t in v["tags"] for t in exclude):
            continue
        out.append(k)
    return out


# ---------------------------------------------------------------- torchmetrics
def run_torchmetrics(inputs):
    import torch
    import torchmetrics
    import torchmetrics.classification as tmc

    v = torchmetrics.__version__
    major = int(v.split(".")[0])
    rec = Recorder("torchmetrics", v, {"torchmetrics": v, "torch": torch.__version__,
                                       "numpy": __import__("numpy").__version__}, inputs)

    def T(x, dtype=torch.float32):
        return torch.tensor(x, dtype=dtype)

    def out(t):
        return t.tolist() if t.ndim else float(t)

    def run_cls(cls, kwargs, preds, target, batches=None):
        m = getattr(tmc, cls)(**kwargs) if cls != "Accuracy" else torchmetrics.Accuracy(**kwargs)
        if batches:
            s = 0
            for b in batches:
                m.update(preds[s:s + b], target[s:s + b])
                s += b
        else:
            m.update(preds, target)
        return out(m.compute())

    def api(cls):
        return "torchmetrics.Accuracy" if cls == "Accuracy" else f"torchmetrics.classification.{cls}"

    def mc_case(name, cls, kw, preds_field="preds", tags=(), batches=None, note=None):
        inp = inputs[name]
        c = inp["num_classes"]
        kwargs = dict(kw)
        if cls != "Accuracy":
            kwargs["num_classes"] = c
        kid = ".".join(f"{k}={kwargs[k]}" for k in sorted(kwargs) if k not in ("num_classes", "task"))
        cid = f"{cls}.{name}.{preds_field}" + (f".{kid}" if kid else "") + (".batched" if batches else "")
        p = T(inp[preds_field]) if preds_field == "preds" else T(inp[preds_field], torch.int64)
        t = T(inp["target"], torch.int64)
        rec.case(cid, name, api(cls), "class", {"preds": preds_field, "target": "target"}, kwargs,
                 lambda: run_cls(cls, kwargs, p, t, batches), tags=tags, batches=batches, note=note)

    avgs = ["micro", "macro", "weighted", "none"]
    for name in mc_sets(inputs, exclude=("ignore_index", "soft_targets")):
        c = inputs[name]["num_classes"]
        ks = [1] + ([2] if c >= 3 else []) + ([3] if c >= 5 else [])
        for avg in avgs:
            for k in ks:
                mc_case(name, "MulticlassAccuracy", {"average": avg, "top_k": k})
        mc_case(name, "MulticlassAccuracy", {})  # library default
        mc_case(name, "Accuracy", {"task": "multiclass", "num_classes": c})
        for cls in ("MulticlassPrecision", "MulticlassRecall", "MulticlassF1Score"):
            for avg in avgs:
                for k in ks[:2]:
                    mc_case(name, cls, {"average": avg, "top_k": k})
        if major >= 1:
            for cls in ("MulticlassPrecision", "MulticlassRecall"):
                mc_case(name, cls, {"average": "macro", "zero_division": 1})
    # label predictions (ints) instead of scores
    for name in ["mc_ties_c4", "mc_absent_c7", "mc_logits_c5"]:
        for avg in ("micro", "macro"):
            mc_case(name, "MulticlassAccuracy", {"average": avg}, preds_field="pred_labels")
    # batching does not change anything (state = counts)
    mc_case("mc_absent_c10", "MulticlassAccuracy", {"average": "macro"}, batches=[7, 13, 10])
    # ignore_index
    for name in mc_sets(inputs, "ignore_index"):
        inp = inputs[name]
        c, ii = inp["num_classes"], inp["ignore_index"]
        for avg in avgs:
            for k in [1, 2]:
                mc_case(name, "MulticlassAccuracy", {"average": avg, "top_k": k, "ignore_index": ii})
            for cls in ("MulticlassPrecision", "MulticlassRecall", "MulticlassF1Score"):
                mc_case(name, cls, {"average": avg, "ignore_index": ii})
        mc_case(name, "Accuracy", {"task": "multiclass", "num_classes": c, "ignore_index": ii})

    # binary
    def bin_case(name, cls, kwargs, task_kw=None):
        inp = inputs[name]
        kid = ".".join(f"{k}={kwargs[k]}" for k in sorted(kwargs))
        cid = f"{cls}.{name}" + (f".{kid}" if kid else "")
        p, t = T(inp["preds"]), T(inp["target"], torch.int64)
        rec.case(cid, name, api(cls), "class", {"preds": "preds", "target": "target"}, kwargs,
                 lambda: run_cls(cls, kwargs, p, t))

    for name in ("bin_probs", "bin_logits"):
        bin_case(name, "BinaryAccuracy", {})
        bin_case(name, "BinaryAccuracy", {"threshold": 0.25})
        bin_case(name, "BinaryPrecision", {})
        bin_case(name, "BinaryRecall", {})
    bin_case("bin_ignore", "BinaryAccuracy", {"ignore_index": -1})
    # multilabel
    for name in ("ml_probs_l3", "ml_probs_l5", "ml_logits_l4", "ml_ignore_l3"):
        inp = inputs[name]
        base = {"num_labels": inp["num_labels"]}
        if "ignore_index" in inp:
            base["ignore_index"] = inp["ignore_index"]
        for avg in avgs:
            bin_case(name, "MultilabelAccuracy", dict(base, average=avg))
            bin_case(name, "MultilabelPrecision", dict(base, average=avg))
            bin_case(name, "MultilabelRecall", dict(base, average=avg))
        bin_case(name, "MultilabelAccuracy", dict(base))
        bin_case(name, "MultilabelExactMatch", dict(base))
    rec.write(f"torchmetrics-{v}.json")


# ---------------------------------------------------------------- torch.nn
def run_torch(inputs):
    import torch
    import torch.nn.functional as F

    tv = torch.__version__.split("+")[0]
    short = ".".join(tv.split(".")[:2])
    rec = Recorder("torch", tv, {"torch": torch.__version__, "numpy": __import__("numpy").__version__}, inputs)

    def T(x, dtype=torch.float32):
        return torch.tensor(x, dtype=dtype)

    def out(t):
        return t.tolist() if t.ndim else float(t)

    def ce_case(name, kwargs, preds_field="preds", target_field="target", dtype="float32", module=False, note=None,
                tags=()):
        inp = inputs[name]
        dt = torch.float32 if dtype == "float32" else torch.float64
        p = T(inp[preds_field], dt)
        if target_field in ("target",):
            t = T(inp["target"], torch.int64)
        else:
            t = T(derive(inp, target_field), dt)
        kw = {}
        for k, v in kwargs.items():
            kw[k] = T(inp[v["$input"]], dt) if isinstance(v, dict) else v
        kid = ".".join(f"{k}={kwargs[k]['$input'] if isinstance(kwargs[k], dict) else kwargs[k]}"
                       for k in sorted(kwargs))
        apiname = "torch.nn.CrossEntropyLoss" if module else "torch.nn.functional.cross_entropy"
        cid = f"{'CrossEntropyLoss' if module else 'cross_entropy'}.{name}.{preds_field}.{target_field}" + \
              (f".{kid}" if kid else "") + ("" if dtype == "float32" else f".{dtype}")

        def fn():
            if module:
                return out(torch.nn.CrossEntropyLoss(**kw)(p, t))
            return out(F.cross_entropy(p, t, **kw))
        rec.case(cid, name, apiname, "module" if module else "function",
                 {"input": preds_field, "target": target_field}, kwargs, fn, output_dtype=dtype, dtype=dtype,
                 note=note, tags=tags)

    W = {"$input": "class_weight"}
    for name in mc_sets(inputs, "logits", "probs", exclude=("ignore_index", "soft_targets")):
        fed = "probs" in inputs[name]["tags"]
        tags = ("probabilities_fed_as_logits",) if fed else ()
        for red in ("mean", "sum", "none"):
            ce_case(name, {"reduction": red}, tags=tags)
        ce_case(name, {"weight": W}, tags=tags)
        ce_case(name, {"weight": W, "reduction": "sum"}, tags=tags)
        for ls in (0.1, 0.3):
            ce_case(name, {"label_smoothing": ls}, tags=tags)
            ce_case(name, {"label_smoothing": ls, "weight": W}, tags=tags)
        ce_case(name, {"label_smoothing": 0.1, "weight": W, "reduction": "sum"}, tags=tags)
        ce_case(name, {"label_smoothing": 0.1, "weight": W, "reduction": "none"}, tags=tags)
        # one-hot probability targets
        ce_case(name, {}, target_field="onehot(target)", tags=tags)
        ce_case(name, {"weight": W}, target_field="onehot(target)", tags=tags)
        ce_case(name, {"label_smoothing": 0.1, "weight": W}, target_field="onehot(target)", tags=tags)
    for name in ("mc_logits_c5", "mc_probs_c5", "mc_large_neginf_c5"):
        ce_case(name, {}, dtype="float64")
        ce_case(name, {"label_smoothing": 0.2, "weight": W}, dtype="float64")
    ce_case("mc_logits_c4", {}, module=True)
    ce_case("mc_logits_c4", {"weight": W, "label_smoothing": 0.1}, module=True)
    # soft targets
    n = "mc_soft_targets_c4"
    for kw in ({}, {"weight": W}, {"reduction": "sum"}, {"label_smoothing": 0.2}, {"label_smoothing": 0.2, "weight": W}):
        ce_case(n, kw, target_field="target_probs")
    for kw in ({}, {"weight": W}, {"label_smoothing": 0.2, "weight": W}):
        ce_case(n, kw)
    # ignore_index
    for name in mc_sets(inputs, "ignore_index"):
        ii = inputs[name]["ignore_index"]
        for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": W}, {"label_smoothing": 0.1},
                   {"label_smoothing": 0.3, "weight": W}, {"label_smoothing": 0.3, "weight": W, "reduction": "sum"}):
            ce_case(name, dict(kw, ignore_index=ii))
    # BCE
    def bce_case(name, cls, kwargs, target_field="target", preds_field="preds"):
        inp = inputs[name]
        p = T(derive(inp, preds_field))
        t = T(derive(inp, target_field))
        kw = {k: (T(inp[v["$input"]]) if isinstance(v, dict) else v) for k, v in kwargs.items()}
        kid = ".".join(f"{k}={kwargs[k]['$input'] if isinstance(kwargs[k], dict) else kwargs[k]}"
                       for k in sorted(kwargs))
        cid = f"{cls}.{name}.{target_field}" + (f".{kid}" if kid else "")
        rec.case(cid, name, f"torch.nn.{cls}", "module", {"input": preds_field, "target": target_field}, kwargs,
                 lambda: out(getattr(torch.nn, cls)(**kw)(p, t)))
    SW = {"$input": "sample_weight"}
    for name in ("bin_probs", "ml_probs_l3", "ml_probs_l5"):
        for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}):
            bce_case(name, "BCELoss", kw)
        if name == "bin_probs":
            bce_case(name, "BCELoss", {"weight": SW})
    for name in ("mc_probs_c3", "mc_probs_c5", "mc_probs_onehotish_c4", "mc_probs_unnormalised_c3"):
        bce_case(name, "BCELoss", {}, target_field="onehot(target)")
    for name in ("bin_logits", "ml_logits_l4"):
        for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}):
            bce_case(name, "BCEWithLogitsLoss", kw)
    bce_case("bin_logits", "BCEWithLogitsLoss", {"weight": SW})
    bce_case("bin_logits", "BCEWithLogitsLoss", {"pos_weight": {"$input": "pos_weight"}})
    for name in ("mc_logits_c3", "mc_logits_c5", "mc_large_c3"):
        bce_case(name, "BCEWithLogitsLoss", {}, target_field="onehot(target)")
    rec.write(f"torch-{short}.json")


# ---------------------------------------------------------------- keras
def run_keras(inputs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import jax
    import keras
    import numpy as np

    assert keras.backend.backend() == "jax", keras.backend.backend()
    kv = keras.__version__
    rec = Recorder("keras", kv, {"keras": kv, "backend": "jax", "jax": jax.__version__, "numpy": np.__version__,
                                 "floatx": keras.backend.floatx(), "epsilon": keras.backend.epsilon()}, inputs)

    def A(inp, field):
        x = derive(inp, field)
        if field == "target":
            return np.array(x, dtype=np.int32)
        return np.array(x, dtype=np.float32)

    def out(x):
        a = np.asarray(x)
        return a.astype(np.float64).tolist() if a.ndim else float(a)

    def fn_case(name, fname, args, kwargs=None, note=None, tags=()):
        inp = inputs[name]
        kwargs = kwargs or {}
        kid = ".".join(f"{k}={kwargs[k]}" for k in sorted(kwargs))
        cid = f"{fname}.{name}.{args['y_true']}" + (f".{kid}" if kid else "")
        rec.case(cid, name, f"keras.metrics.{fname}" if "accuracy" in fname else f"keras.losses.{fname}",
                 "function", args, kwargs,
                 lambda: out(getattr(keras.metrics if "accuracy" in fname else keras.losses, fname)(
                     A(inp, args["y_true"]), A(inp, args["y_pred"]), **kwargs)), note=note, tags=tags)

    def cls_case(name, mod, cname, args, kwargs=None, weighted=False, batches=None, tags=()):
        inp = inputs[name]
        kwargs = kwargs or {}
        kid = ".".join(f"{k}={kwargs[k]}" for k in sorted(kwargs))
        cid = f"{cname}.{name}.{args['y_true']}" + (f".{kid}" if kid else "") + (".weighted" if weighted else "") + \
              (".batched" if batches else "")
        a = dict(args)
        if weighted:
            a["sample_weight"] = "sample_weight"

        def fn():
            obj = getattr(getattr(keras, mod), cname)(**kwargs)
            yt, yp = A(inp, args["y_true"]), A(inp, args["y_pred"])
            sw = np.array(inp["sample_weight"], dtype=np.float32) if weighted else None
            if mod == "losses":
                return out(obj(yt, yp, sample_weight=sw))
            if batches:
                s = 0
                for b in batches:
                    obj.update_state(yt[s:s + b], yp[s:s + b], sample_weight=None if sw is None else sw[s:s + b])
                    s += b
            else:
                obj.update_state(yt, yp, sample_weight=sw)
            return out(obj.result())
        rec.case(cid, name, f"keras.{mod}.{cname}", "class", a, kwargs, fn, tags=tags, batches=batches)

    OH, SP = "onehot(target)", "target"
    for name in mc_sets(inputs, "logits", "probs", exclude=("ignore_index", "soft_targets", "neg_inf")):
        inp = inputs[name]
        c = inp["num_classes"]
        probs = "probs" in inp["tags"]
        fn_case(name, "categorical_accuracy", {"y_true": OH, "y_pred": "preds"})
        fn_case(name, "sparse_categorical_accuracy", {"y_true": SP, "y_pred": "preds"})
        for w in (False, True):
            cls_case(name, "metrics", "CategoricalAccuracy", {"y_true": OH, "y_pred": "preds"}, weighted=w)
            cls_case(name, "metrics", "SparseCategoricalAccuracy", {"y_true": SP, "y_pred": "preds"}, weighted=w)
        for k in [2, 3]:
            if k < c:
                fn_case(name, "top_k_categorical_accuracy", {"y_true": OH, "y_pred": "preds"}, {"k": k})
                cls_case(name, "metrics", "SparseTopKCategoricalAccuracy", {"y_true": SP, "y_pred": "preds"}, {"k": k})
                cls_case(name, "metrics", "TopKCategoricalAccuracy", {"y_true": OH, "y_pred": "preds"}, {"k": k},
                         weighted=True)
        if probs:
            fn_case(name, "binary_accuracy", {"y_true": OH, "y_pred": "preds"})
            cls_case(name, "metrics", "BinaryAccuracy", {"y_true": OH, "y_pred": "preds"})
            cls_case(name, "metrics", "BinaryAccuracy", {"y_true": OH, "y_pred": "preds"}, weighted=True)
        # losses
        fl = not probs
        for ls in (0.0, 0.1):
            for w in (False, True):
                cls_case(name, "losses", "CategoricalCrossentropy", {"y_true": OH, "y_pred": "preds"},
                         {"from_logits": fl, "label_smoothing": ls}, weighted=w)
        cls_case(name, "losses", "CategoricalCrossentropy", {"y_true": OH, "y_pred": "preds"},
                 {"from_logits": fl, "reduction": "sum"}, weighted=True)
        cls_case(name, "losses", "CategoricalCrossentropy", {"y_true": OH, "y_pred": "preds"},
                 {"from_logits": fl, "reduction": None})
        for w in (False, True):
            cls_case(name, "losses", "SparseCategoricalCrossentropy", {"y_true": SP, "y_pred": "preds"},
                     {"from_logits": fl}, weighted=w)
        if probs:
            for ls in (0.0, 0.1):
                for w in (False, True):
                    cls_case(name, "losses", "BinaryCrossentropy", {"y_true": OH, "y_pred": "preds"},
                             {"label_smoothing": ls}, weighted=w)
            cls_case(name, "losses", "BinaryCrossentropy", {"y_true": OH, "y_pred": "preds"}, {"reduction": None})
        else:
            cls_case(name, "losses", "BinaryCrossentropy", {"y_true": OH, "y_pred": "preds"}, {"from_logits": True})
    # -inf logits
    for name in mc_sets(inputs, "neg_inf"):
        cls_case(name, "losses", "CategoricalCrossentropy", {"y_true": OH, "y_pred": "preds"}, {"from_logits": True})
        cls_case(name, "losses", "SparseCategoricalCrossentropy", {"y_true": SP, "y_pred": "preds"},
                 {"from_logits": True})
        cls_case(name, "metrics", "SparseCategoricalAccuracy", {"y_true": SP, "y_pred": "preds"})
        fn_case(name, "top_k_categorical_accuracy", {"y_true": OH, "y_pred": "preds"}, {"k": 2})
    # ignore_class (Keras' counterpart of ignore_index)
    for name in ("mc_ignore_in_c5", "mc_ignore_in_unpredicted_c5"):
        ii = inputs[name]["ignore_index"]
        for w in (False, True):
            cls_case(name, "losses", "SparseCategoricalCrossentropy", {"y_true": SP, "y_pred": "preds"},
                     {"from_logits": True, "ignore_class": ii}, weighted=w)
    # running means over batches
    cls_case("mc_absent_c10", "metrics", "SparseCategoricalAccuracy", {"y_true": SP, "y_pred": "preds"},
             weighted=True, batches=[7, 13, 10])
    # binary / multilabel
    for name in ("bin_probs", "ml_probs_l3", "ml_probs_l5"):
        fn_case(name, "binary_accuracy", {"y_true": "target", "y_pred": "preds"})
        cls_case(name, "metrics", "BinaryAccuracy", {"y_true": "target", "y_pred": "preds"}, weighted=True)
        cls_case(name, "losses", "BinaryCrossentropy", {"y_true": "target", "y_pred": "preds"})
        cls_case(name, "losses", "BinaryCrossentropy", {"y_true": "target", "y_pred": "preds"}, {"label_smoothing": 0.2},
                 weighted=True)
    for name in ("bin_logits", "ml_logits_l4"):
        fn_case(name, "binary_accuracy", {"y_true": "target", "y_pred": "preds"}, note="no sigmoid: raw > 0.5")
        cls_case(name, "losses", "BinaryCrossentropy", {"y_true": "target", "y_pred": "preds"}, {"from_logits": True})

    # what compile(metrics=["accuracy"]) resolves to, through model.evaluate
    def eval_case(name, loss, y_field, batch_size):
        inp = inputs[name]

        def fn():
            keras.utils.set_random_seed(0)
            c = inp["num_classes"]
            model = keras.Sequential([keras.Input((c,)), keras.layers.Identity()])
            model.compile(loss=loss, metrics=["accuracy"])
            r = model.evaluate(A(inp, "preds"), A(inp, y_field), batch_size=batch_size, verbose=0, return_dict=True)
            return {k: float(v) for k, v in r.items()}
        cid = f"Model.evaluate.{name}.{y_field}.loss={loss}.batch_size={batch_size}"
        rec.case(cid, name, "keras.Model.evaluate", "model", {"x": "preds", "y": y_field},
                 {"loss": loss, "metrics": ["accuracy"], "batch_size": batch_size}, fn,
                 note="identity model: compile(loss, metrics=['accuracy']); output = evaluate(return_dict=True)")
    for name in ("mc_probs_c5", "mc_probs_c3"):
        eval_case(name, "categorical_crossentropy", OH, 64)
        eval_case(name, "binary_crossentropy", OH, 64)
        eval_case(name, "sparse_categorical_crossentropy", SP, 64)
        eval_case(name, "categorical_crossentropy", OH, 7)
    rec.write(f"keras-{kv}.json")


# ---------------------------------------------------------------- scikit-learn
def run_sklearn(inputs):
    import numpy as np
    import scipy
    import sklearn
    from sklearn import metrics as M

    sv = sklearn.__version__
    rec = Recorder("sklearn", sv, {"scikit-learn": sv, "numpy": np.__version__, "scipy": scipy.__version__}, inputs)

    def arr(inp, field, dtype=None):
        x = derive(inp, field)
        return np.array(x, dtype=dtype) if dtype else np.array(x)

    def out(x):
        if isinstance(x, np.ndarray):
            return x.tolist()
        return float(x)

    def case(name, fname, args, kwargs=None, dtype="float64", note=None):
        inp = inputs[name]
        kwargs = kwargs or {}

        def kv(v):
            return v["$input"] if isinstance(v, dict) else ("nan" if isinstance(v, float) and math.isnan(v) else v)
        kid = ".".join(f"{k}={kv(kwargs[k])}" for k in sorted(kwargs))
        cid = f"{fname}.{name}.{args.get('y_pred', args.get('y_score', args.get('y_proba')))}" + \
              (f".{kid}" if kid else "") + ("" if dtype == "float64" else f".{dtype}")

        def fn():
            a = []
            for k in ("y_true", "y_pred", "y_score"):
                if k in args:
                    f = args[k]
                    a.append(arr(inp, f, np.float32 if (dtype == "float32" and f == "preds") else None))
            kw = {}
            for k, v in kwargs.items():
                kw[k] = arr(inp, v["$input"]) if isinstance(v, dict) else v
            if "y_proba" in args:
                kw["y_proba"] = arr(inp, args["y_proba"], np.float32 if dtype == "float32" else np.float64)
            return out(getattr(M, fname)(*a, **kw))
        rec.case(cid, name, f"sklearn.metrics.{fname}", "function", args, kwargs, fn,
                 output_dtype="float64" if fname != "confusion_matrix" else "int64", dtype=dtype, note=note)

    NAN = float("nan")
    LAB = {"$input": "range(num_classes)"}
    SW = {"$input": "sample_weight"}
    L = {"y_true": "target", "y_pred": "pred_labels"}
    for name in mc_sets(inputs, exclude=("ignore_index", "soft_targets")):
        inp = inputs[name]
        c = inp["num_classes"]
        case(name, "accuracy_score", L)
        case(name, "accuracy_score", L, {"sample_weight": SW})
        for adj in (False, True):
            case(name, "balanced_accuracy_score", L, {"adjusted": adj})
        case(name, "balanced_accuracy_score", L, {"sample_weight": SW})
        for fname in ("recall_score", "precision_score", "f1_score"):
            case(name, fname, L, {"average": "micro"})
            for avg in ("macro", "weighted", None):
                for zd in (("warn", 0.0, 1.0, NAN) if avg != "weighted" else ("warn", NAN)):
                    case(name, fname, L, {"average": avg, "zero_division": zd})
            if "absent_classes" in inp["tags"] or "ties" in inp["tags"]:
                case(name, fname, L, {"average": "macro", "labels": LAB})
                case(name, fname, L, {"average": "macro", "labels": LAB, "zero_division": NAN})
            case(name, fname, L, {"average": "weighted", "sample_weight": SW})
        case(name, "confusion_matrix", L, {"labels": LAB})
        S = {"y_true": "target", "y_score": "preds"}
        for k in (1, 2, 3):
            if k < c or k == 1:
                case(name, "top_k_accuracy_score", S, {"k": k, "labels": LAB})
        case(name, "top_k_accuracy_score", S)  # default k=2, labels inferred from y_true
        case(name, "top_k_accuracy_score", S, {"k": 2, "labels": LAB, "sample_weight": SW})
        P = {"y_true": "target", "y_proba": "preds"}
        if "probs" in inp["tags"] or name == "mc_logits_c3":   # logits: one case shows the refusal
            case(name, "log_loss", P, {"labels": LAB})
        if "probs" in inp["tags"]:
            case(name, "log_loss", P, {"labels": LAB}, dtype="float32")
            case(name, "log_loss", P, {"labels": LAB, "sample_weight": SW})
            case(name, "log_loss", P, {"labels": LAB, "normalize": False})
    # multilabel: subset accuracy; per-label via the indicator matrix
    for name in ("ml_probs_l3", "ml_probs_l5"):
        A2 = {"y_true": "target", "y_pred": "thresholded(preds)"}
        case(name, "accuracy_score", A2)
        case(name, "accuracy_score", A2, {"sample_weight": SW})
        for avg in ("micro", "macro", None):
            case(name, "recall_score", A2, {"average": avg, "zero_division": 0.0})
    rec.write(f"sklearn-{sv}.json")


# ---------------------------------------------------------------- randomized cases
class RandomRecorder:
    """Cases on the seeded sets of random_inputs.py: [set key, call index, output]. The
    sets are rebuilt from their key by the test (digests catch a changed generator)."""

    def __init__(self, library, version, versions):
        self.library, self.version, self.versions = library, version, versions
        self.calls, self.index, self.cases, self.digests = [], {}, [], {}

    def case(self, key, spec, call, fn):
        text = json.dumps(call, sort_keys=True)
        if text not in self.index:
            self.index[text] = len(self.calls)
            self.calls.append(call)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = fn()
            except Exception as e:  # the library refused the input
                out = {"error": type(e).__name__}
        self.cases.append([key, self.index[text], out])
        self.digests[key] = random_inputs.digest(spec)

    def write(self, fname, seeds):
        doc = {
            "schema": "metricaudit-golden-random/1",
            "library": self.library,
            "version": self.version,
            "versions": self.versions,
            "platform": f"{platform.system()} {platform.machine()} python {platform.python_version()}",
            "generated_by": f"tests/golden/generate.py --lib {self.library} --random {len(seeds)}"
                            + (f" --first-seed {seeds.start}" if seeds.start else ""),
            "inputs_by": "tests/golden/random_inputs.py",
            "digests": self.digests,
            "calls": self.calls,
            "cases": self.cases,
        }
        path = os.path.join(OUT_DIR, fname)
        with open(path, "w") as f:
            json.dump(enc(doc), f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        print(f"{path}: {len(self.cases)} cases, {len(self.calls)} calls, "
              f"{os.path.getsize(path)} bytes")


def _out(x):
    """A library's result as plain floats (lists per class / label)."""
    if hasattr(x, "tolist"):
        x = x.tolist()
    return [float(v) for v in x] if isinstance(x, list) else float(x)


def random_torchmetrics(seeds):
    import torch
    import torchmetrics
    import torchmetrics.classification as tmc

    v = torchmetrics.__version__
    rec = RandomRecorder("torchmetrics", v, {"torchmetrics": v, "torch": torch.__version__})
    major = int(v.split(".")[0])

    def run(key, spec, cls, kwargs, preds, target):
        call = {"api": f"torchmetrics.classification.{cls}", "style": "class",
                "args": {"preds": "preds", "target": "target"}, "kwargs": kwargs,
                "dtype": "float32"}

        def fn():
            m = getattr(tmc, cls)(**kwargs)
            m.update(preds, target)
            return _out(m.compute())
        rec.case(key, spec, call, fn)

    for seed in seeds:
        key = f"mc{seed}"
        spec = random_inputs.build(key)
        c = spec["num_classes"]
        if c < 2:
            continue
        p = torch.tensor(spec["preds"], dtype=torch.float32)
        t = torch.tensor(spec["target"], dtype=torch.int64)
        base = {"num_classes": c}
        if "ignore_index" in spec:
            base["ignore_index"] = spec["ignore_index"]
        for k in [1, 2] if c >= 3 else [1]:
            for avg in ("micro", "macro", "weighted", "none"):
                run(key, spec, "MulticlassAccuracy", dict(base, average=avg, top_k=k), p, t)
            for cls in ("MulticlassPrecision", "MulticlassRecall", "MulticlassF1Score"):
                for avg in ("micro", "macro", "weighted"):
                    run(key, spec, cls, dict(base, average=avg, top_k=k), p, t)
                    if major >= 1 and avg != "micro":
                        run(key, spec, cls, dict(base, average=avg, top_k=k, zero_division=1), p, t)
        key = f"lw{seed}"
        spec = random_inputs.build(key)
        p = torch.tensor(spec["preds"], dtype=torch.float32)
        t = torch.tensor(spec["target"], dtype=torch.int64)
        if spec["kind"] == "binary":
            for cls in ("BinaryAccuracy", "BinaryPrecision", "BinaryRecall", "BinaryF1Score"):
                for thr in (0.5, 0.25):
                    kw = {"threshold": thr}
                    if "ignore_index" in spec:
                        kw["ignore_index"] = spec["ignore_index"]
                    run(key, spec, cls, kw, p, t)
        else:
            base = {"num_labels": spec["num_labels"]}
            for cls in ("MultilabelAccuracy", "MultilabelPrecision", "MultilabelRecall",
                        "MultilabelF1Score"):
                for avg in ("micro", "macro", "weighted", "none"):
                    run(key, spec, cls, dict(base, average=avg), p, t)
            run(key, spec, "MultilabelExactMatch", base, p, t)
    spec = random_inputs.build("sigmoid_ulp")  # the vectorised sigmoid's one-ulp difference
    run("sigmoid_ulp", spec, "BinaryAccuracy", {"threshold": spec["threshold"]},
        torch.tensor(spec["preds"], dtype=torch.float32), torch.tensor(spec["target"]))
    rec.write(f"random-torchmetrics-{v}.json", seeds)


def random_torch(seeds):
    import torch

    tv = torch.__version__.split("+")[0]
    rec = RandomRecorder("torch", tv, {"torch": torch.__version__})
    for seed in seeds:
        key = f"mc{seed}"
        spec = random_inputs.build(key)
        if spec["num_classes"] < 2:
            continue
        dtype = "float64" if seed % 3 == 0 else "float32"
        dt = torch.float64 if dtype == "float64" else torch.float32
        p = torch.tensor(spec["preds"], dtype=dt)
        t = torch.tensor(spec["target"], dtype=torch.int64)
        w = torch.tensor(spec["class_weight"], dtype=dt)
        ii = spec.get("ignore_index")
        for target_field in ("target", "onehot(target)"):
            if target_field != "target" and ii is not None:
                continue  # probability targets have no ignore_index
            tt = t if target_field == "target" else torch.tensor(derive(spec, target_field), dtype=dt)
            for red in ("mean", "sum"):
                for weighted in (False, True):
                    for ls in (0.0, 0.2, 1.0):
                        kw = {"reduction": red}
                        if weighted:
                            kw["weight"] = {"$input": "class_weight"}
                        if ls:
                            kw["label_smoothing"] = ls
                        if ii is not None:
                            kw["ignore_index"] = ii
                        call = {"api": "torch.nn.functional.cross_entropy", "style": "function",
                                "args": {"input": "preds", "target": target_field},
                                "kwargs": kw, "dtype": dtype}
                        real = {k: (w if k == "weight" else v) for k, v in kw.items()}
                        rec.case(key, spec, call,
                                 lambda: _out(torch.nn.functional.cross_entropy(p, tt, **real)))
        key = f"lw{seed}"
        spec = random_inputs.build(key)
        if "ignore_index" in spec:
            continue
        p = torch.tensor(spec["preds"], dtype=torch.float32)
        t = torch.tensor(spec["target"], dtype=torch.float32)
        probs = all(0 <= x <= 1 for x in (p.flatten().tolist()))
        for cls in (("BCELoss", "BCEWithLogitsLoss") if probs else ("BCEWithLogitsLoss",)):
            for red in ("mean", "sum"):
                call = {"api": f"torch.nn.{cls}", "style": "module",
                        "args": {"input": "preds", "target": "target"},
                        "kwargs": {"reduction": red}, "dtype": "float32"}
                rec.case(key, spec, call,
                         lambda: _out(getattr(torch.nn, cls)(reduction=red)(p, t)))
    rec.write(f"random-torch-{tv.rsplit('.', 1)[0]}.json", seeds)


def random_keras(seeds):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import jax
    import keras
    import numpy as np
    from keras.src.trainers.compile_utils import get_metric

    kv = keras.__version__
    rec = RandomRecorder("keras", kv, {"keras": kv, "backend": "jax", "jax": jax.__version__,
                                       "numpy": np.__version__})

    def arrays(spec, y_field, dtype):
        yt = np.array(derive(spec, y_field), dtype=np.float32 if y_field != "target" else np.int32)
        yp = np.array(spec["preds"], dtype=dtype)
        sw = np.array(spec["sample_weight"], dtype=np.float32)
        return yt, yp, sw

    def cls_case(key, spec, mod, name, y_field, kwargs=None, weighted=False, dtype="float32"):
        kwargs = kwargs or {}
        args = {"y_true": y_field, "y_pred": "preds"}
        if weighted:
            args["sample_weight"] = "sample_weight"
        call = {"api": f"keras.{mod}.{name}", "style": "class", "args": args, "kwargs": kwargs,
                "dtype": dtype}

        def fn():
            yt, yp, sw = arrays(spec, y_field, dtype)
            obj = getattr(getattr(keras, mod), name)(**kwargs)
            if mod == "losses":
                return _out(obj(yt, yp, sample_weight=sw if weighted else None))
            obj.update_state(yt, yp, sample_weight=sw if weighted else None)
            return _out(obj.result())
        rec.case(key, spec, call, fn)

    def compiled_accuracy(key, spec, y_field, weighted):
        args = {"y_true": y_field, "y_pred": "preds"}
        if weighted:
            args["sample_weight"] = "sample_weight"
        call = {"api": "keras.trainers.compile_utils.get_metric", "style": "compiled",
                "args": args, "kwargs": {"identifier": "accuracy"}, "dtype": "float32"}

        def fn():
            yt, yp, sw = arrays(spec, y_field, "float32")
            m = get_metric("accuracy", yt, yp)  # the Metric compile(metrics=["accuracy"]) uses
            m.update_state(yt, yp, sample_weight=sw if weighted else None)
            return _out(m.result())
        rec.case(key, spec, call, fn)

    OH, SP = "onehot(target)", "target"
    for seed in seeds:
        key = f"kmc{seed}"
        spec = random_inputs.build(key)
        c, style = spec["num_classes"], spec["tags"][0]
        dtype = "float64" if seed % 4 == 0 else "float32"
        if "ignore_index" in spec:
            if spec["ignore_index"] >= 0 and style not in ("probs", "unnormalised"):
                for w in (False, True):
                    cls_case(key, spec, "losses", "SparseCategoricalCrossentropy", SP,
                             {"from_logits": True, "ignore_class": spec["ignore_index"]}, w, dtype)
        elif c >= 2:
            for w in (False, True):
                cls_case(key, spec, "metrics", "SparseCategoricalAccuracy", SP, weighted=w)
                cls_case(key, spec, "metrics", "CategoricalAccuracy", OH, weighted=w)
                compiled_accuracy(key, spec, OH, w)
                for k in (1, 2):
                    if k < c:
                        cls_case(key, spec, "metrics", "SparseTopKCategoricalAccuracy", SP,
                                 {"k": k}, w)
                        cls_case(key, spec, "metrics", "TopKCategoricalAccuracy", OH, {"k": k}, w)
            probs = style in ("probs", "unnormalised")
            if style == "probs":
                cls_case(key, spec, "metrics", "BinaryAccuracy", OH, weighted=True)
            for w in (False, True):
                for ls in (0.0, 0.1):
                    cls_case(key, spec, "losses", "CategoricalCrossentropy", OH,
                             {"from_logits": not probs, "label_smoothing": ls}, w, dtype)
                cls_case(key, spec, "losses", "CategoricalCrossentropy", OH,
                         {"from_logits": not probs, "reduction": "sum"}, w, dtype)
                cls_case(key, spec, "losses", "SparseCategoricalCrossentropy", SP,
                         {"from_logits": not probs}, w, dtype)
                if style == "probs":
                    cls_case(key, spec, "losses", "BinaryCrossentropy", OH,
                             {"label_smoothing": 0.1}, w, dtype)
        key = f"klw{seed}"
        spec = random_inputs.build(key)
        if "ignore_index" in spec:
            continue
        probs = spec["tags"][0] == "probs"
        for w in (False, True):
            cls_case(key, spec, "metrics", "BinaryAccuracy", "target", weighted=w)
            if spec["kind"] == "multilabel":  # rank-1 arrays are no model's output
                compiled_accuracy(key, spec, "target", w)
            for red in ("sum_over_batch_size", "sum"):
                cls_case(key, spec, "losses", "BinaryCrossentropy", "target",
                         {"from_logits": not probs, "reduction": red}, w,
                         "float64" if seed % 4 == 0 else "float32")
    rec.write(f"random-keras-{kv}.json", seeds)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", required=True, choices=["torchmetrics", "torch", "keras", "sklearn"])
    ap.add_argument("--random", type=int, metavar="SETS",
                    help="write random-<lib>-<version>.json over this many seeded sets instead")
    ap.add_argument("--first-seed", type=int, default=0, metavar="S",
                    help="the random sets' first seed (sets S .. S+SETS-1; the committed files use 0)")
    ap.add_argument("--out-dir", default=HERE, help="where the random file is written")
    a = ap.parse_args()
    if a.random:
        global OUT_DIR
        OUT_DIR = a.out_dir
        {"torchmetrics": random_torchmetrics, "torch": random_torch,
         "keras": random_keras}[a.lib](range(a.first_seed, a.first_seed + a.random))
        return
    inputs = build_inputs()
    {"torchmetrics": run_torchmetrics, "torch": run_torch, "keras": run_keras, "sklearn": run_sklearn}[a.lib](inputs)


if __name__ == "__main__":
    main()
