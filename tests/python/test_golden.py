"""Golden vectors: what torchmetrics 0.11.4 / 1.5.2, torch 1.13, Keras 3 and scikit-learn
computed on fixed inputs (tests/golden/*.json, schema in tests/golden/README.md), compared
with metricaudit under the matching profile and options.

Every case of every file is either compared, or counted under a stated reason (the
library refused the input; an output metricaudit does not produce, such as per-sample
losses; a reading the core declares unavailable). The counts are printed at the end of
the run; a missing file is a visible skip.

Tolerances (README's suggestion): counts-based metrics within 1 ulp of the library's
float32 result (or 1e-12 relative for float64 outputs); losses 1e-5 relative in float32,
1e-12 in float64.
"""

from __future__ import annotations

import collections
import json
import math
import pathlib
import re
import sys
from typing import Any, Callable

import numpy as np
import pytest

import metricaudit as ma
from _support import COMPARED, SKIPPED

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden"
sys.path.insert(0, str(GOLDEN))
import random_inputs  # noqa: E402  (tests/golden/random_inputs.py: the seeded sets)

FILES = {
    "torchmetrics-0.11.4.json": "torchmetrics-0.11",
    "torchmetrics-1.5.2.json": "torchmetrics-1",
    "torch-1.13.json": "torch.nn",
    "keras-3.15.1.json": "keras",
    "sklearn-1.9.1.json": "sklearn",
}


class NotMapped(Exception):
    """The case asks for an output metricaudit does not produce (the reason is the message)."""


def _num(x: Any) -> Any:
    if isinstance(x, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(x, x)
    if isinstance(x, list):
        return [_num(v) for v in x]
    return x


class Inputs:
    def __init__(self, spec: dict[str, Any], dtype: str) -> None:
        self.spec = spec
        self.dtype = np.float32 if dtype == "float32" else np.float64

    def get(self, ref: Any) -> Any:
        s = self.spec
        if isinstance(ref, dict) and "$input" in ref:
            ref = ref["$input"]
        if ref == "range(num_classes)":
            return list(range(s["num_classes"]))
        if ref == "onehot(target)":
            return np.eye(s["num_classes"], dtype=self.dtype)[np.asarray(s["target"])]
        if ref == "thresholded(preds)":
            return (np.asarray(_num(s["preds"]), dtype=self.dtype) > 0.5).astype(np.int64)
        if ref in ("preds",):
            return np.asarray(_num(s["preds"]), dtype=self.dtype)
        if ref in ("target", "pred_labels"):
            return np.asarray(s[ref], dtype=np.int64)
        if ref in ("sample_weight", "class_weight", "pos_weight"):
            return np.asarray(_num(s[ref]), dtype=np.float64)
        raise NotMapped(f"argument {ref!r}")


def _evaluator_multiclass(inp: Inputs, call: dict[str, Any], preds: Any, **kw: Any) -> ma.Evaluator:
    spec = inp.spec
    ev = ma.Evaluator(num_classes=spec["num_classes"], **kw)
    target = inp.get("target")
    batches = call.get("batches") or [len(target)]
    start = 0
    for b in batches:
        ev.update(preds[start:start + b], target[start:start + b])
        start += b
    return ev


# ---- torchmetrics -------------------------------------------------------------------------

TM_METRIC = {
    "MulticlassAccuracy": "accuracy", "MulticlassPrecision": "precision",
    "MulticlassRecall": "recall", "MulticlassF1Score": "f1",
    "BinaryAccuracy": "accuracy", "BinaryPrecision": "precision", "BinaryRecall": "recall",
    "BinaryF1Score": "f1",
    "MultilabelAccuracy": "accuracy", "MultilabelPrecision": "precision",
    "MultilabelRecall": "recall", "MultilabelF1Score": "f1",
    "MultilabelExactMatch": "subset_accuracy",
}


def torchmetrics_case(profile: str, inp: Inputs, call: dict[str, Any]) -> Any:
    name = call["api"].rsplit(".", 1)[1]
    kw = dict(call["kwargs"])
    preds = inp.get(call["args"]["preds"])
    if name == "Accuracy":
        if kw.pop("task") != "multiclass":
            raise NotMapped("Accuracy task")
        name, kw["average"] = "MulticlassAccuracy", "micro"
    metric = TM_METRIC.get(name)
    if metric is None:
        raise NotMapped(call["api"])
    average = kw.pop("average", "macro")
    options: dict[str, Any] = dict(profile=profile, average="none" if average is None else average)
    if "zero_division" in kw:
        options["zero_division"] = kw.pop("zero_division")
    if name.startswith("Multiclass"):
        top_k = int(kw.pop("top_k", 1))
        # Precision and F1 at k > 1 count the whole top-k set as predicted (torchmetrics
        # <= 1.6.0, the profiles' default): the state keeps the sets for them.
        ev = _evaluator_multiclass(
            inp, call, preds, top_k=top_k, ignore_index=kw.pop("ignore_index", None),
            topk_sets=metric in ("precision", "f1") and top_k > 1,
        )
        return ev.compute(metric, top_k=top_k, **options)
    if name.startswith("Binary"):
        if "ignore_index" in kw:
            return getattr(ma, metric)(
                preds, inp.get("target"), task="binary", threshold=kw.get("threshold", 0.5),
                ignore_index=kw["ignore_index"], **options,
            )
        return getattr(ma, metric)(
            preds, inp.get("target"), task="binary", threshold=kw.get("threshold", 0.5), **options
        )
    if "ignore_index" in kw:
        raise NotMapped("multilabel ignore_index (masks single cells)")
    target = np.asarray(inp.spec["target"], dtype=np.int64)
    if metric == "subset_accuracy":
        return ma.accuracy(preds, target, task="multilabel", multilabel="subset", profile=profile)
    return getattr(ma, metric)(preds, target, task="multilabel", **options)


# ---- torch.nn -------------------------------------------------------------------------------


def torch_case(profile: str, inp: Inputs, call: dict[str, Any]) -> Any:
    api = call["api"]
    kw = dict(call["kwargs"])
    if kw.get("reduction") == "none":
        raise NotMapped("reduction='none' (per-sample losses)")
    reduction = kw.pop("reduction", "mean")
    preds = inp.get(call["args"]["input"])
    if api.endswith(("cross_entropy", "CrossEntropyLoss")):
        if call["args"]["target"] == "target_probs":
            raise NotMapped("probability (soft) targets")
        onehot = call["args"]["target"] == "onehot(target)"
        weights = inp.get(kw.pop("weight")) if "weight" in kw else None
        return ma.cross_entropy(
            preds, inp.get("target"), profile=profile, class_weights=weights,
            label_smoothing=kw.pop("label_smoothing", None), reduction=reduction,
            ignore_index=kw.pop("ignore_index", None),
            # probability targets: torch's mean divides by N, not by the target weights, and
            # multiplies every column by its target (0 * -inf = NaN)
            weight_norm="sample_count" if onehot else None,
            target_form="one_hot" if onehot else None,
        )
    if api.endswith(("BCELoss", "BCEWithLogitsLoss")):
        if kw:
            raise NotMapped(f"{api} with {sorted(kw)}")
        if reduction not in ("mean", "sum"):
            raise NotMapped(f"reduction={reduction!r} of binary cross-entropy")
        target = inp.get(call["args"]["target"]).astype(np.int64)
        loss = "torch_logits" if api.endswith("WithLogitsLoss") else "torch_probabilities"
        return ma.binary_cross_entropy(preds, target, loss=loss, reduction=reduction)
    raise NotMapped(api)


# ---- Keras ------------------------------------------------------------------------------------


def keras_case(profile: str, inp: Inputs, call: dict[str, Any]) -> Any:
    api = call["api"].rsplit(".", 1)[1]
    kw = dict(call["kwargs"])
    args = call["args"]
    if call["style"] == "model":
        raise NotMapped("Model.evaluate")
    preds = inp.get(args["y_pred"])
    target = inp.get("target")
    weight = inp.get("sample_weight") if "sample_weight" in args else None
    multiclass = inp.spec["kind"] == "multiclass"
    per_sample = call["style"] == "function"  # Keras metric functions return per-sample values
    if call["style"] == "compiled":  # compile(metrics=["accuracy"]): Keras picks by shape
        value = ma.accuracy(preds, inp.get(args["y_true"]).astype(np.int64), profile=profile,
                            sample_weight=weight)
    elif api in ("categorical_accuracy", "sparse_categorical_accuracy", "CategoricalAccuracy",
                 "SparseCategoricalAccuracy"):
        value = ma.accuracy(preds, target, profile=profile, sample_weight=weight)
    elif api in ("top_k_categorical_accuracy", "TopKCategoricalAccuracy",
                 "SparseTopKCategoricalAccuracy"):
        k = int(kw.get("k", 5))
        if k > inp.spec["num_classes"]:
            raise NotMapped("k > num_classes")
        value = ma.accuracy(preds, target, profile=profile, top_k=k, sample_weight=weight)
    elif api in ("binary_accuracy", "BinaryAccuracy"):
        if multiclass and args["y_true"] == "onehot(target)":
            ev = ma.Evaluator(num_classes=inp.spec["num_classes"], losses=[])
            ev.update(preds, target, sample_weight=weight)
            value = ev.compute("elementwise_binary_accuracy")
        else:
            value = ma.accuracy(preds, target, task="binary" if preds.ndim == 1 else "multilabel",
                                multilabel="elementwise", reading="raw", sample_weight=weight)
    elif api in ("CategoricalCrossentropy", "SparseCategoricalCrossentropy"):
        reduction = kw.get("reduction", "sum_over_batch_size")
        if reduction is None or reduction == "none":
            raise NotMapped("reduction=None (per-sample losses)")
        value = ma.cross_entropy(
            preds, target, profile=profile,
            loss="logits" if kw.get("from_logits") else "keras_probabilities",
            label_smoothing=kw.get("label_smoothing") or None, sample_weight=weight,
            reduction="sum" if reduction == "sum" else "mean",
            ignore_index=kw.get("ignore_class"),
        )
    elif api == "BinaryCrossentropy":
        onehot_probs = (
            multiclass and args["y_true"] == "onehot(target)" and not kw.get("from_logits")
        )
        if kw.get("label_smoothing") and not onehot_probs:
            raise NotMapped("BinaryCrossentropy label_smoothing on binary / multilabel targets")
        if kw.get("reduction") is None and "reduction" in kw:
            raise NotMapped("reduction=None (per-sample losses)")
        reduction = "sum" if kw.get("reduction") == "sum" else "mean"
        if onehot_probs:
            if reduction == "sum":
                raise NotMapped("BinaryCrossentropy reduction='sum' on one-hot targets")
            value = ma.cross_entropy(preds, target, loss="keras_binary_onehot",
                                     profile=profile, sample_weight=weight,
                                     label_smoothing=kw.get("label_smoothing"))
        else:
            y = inp.get(args["y_true"]).astype(np.int64)
            value = ma.binary_cross_entropy(
                preds, y, loss="torch_logits" if kw.get("from_logits") else "keras_probabilities",
                sample_weight=weight, profile=profile, reduction=reduction,
            )
    else:
        raise NotMapped(call["api"])
    return ("mean", value) if per_sample else value


# ---- scikit-learn -----------------------------------------------------------------------------


def sklearn_case(profile: str, inp: Inputs, call: dict[str, Any]) -> Any:
    api = call["api"].rsplit(".", 1)[1]
    kw = {k: inp.get(v) if isinstance(v, dict) else _num(v) for k, v in call["kwargs"].items()}
    args = call["args"]
    y = inp.get(args["y_true"])
    weight = kw.pop("sample_weight", None)
    C = inp.spec.get("num_classes")
    if api == "accuracy_score":
        p = inp.get(args["y_pred"])
        if inp.spec["kind"] == "multilabel":
            return ma.accuracy(p.astype(np.float64), y, task="multilabel", multilabel="subset",
                               reading="raw", sample_weight=weight)
        return ma.accuracy(p, y, num_classes=C, profile=profile, sample_weight=weight)
    if api == "balanced_accuracy_score":
        return ma.balanced_accuracy(inp.get(args["y_pred"]), y, num_classes=C,
                                    adjusted=bool(kw.get("adjusted")), sample_weight=weight)
    if api in ("precision_score", "recall_score", "f1_score"):
        metric = {"precision_score": "precision", "recall_score": "recall", "f1_score": "f1"}[api]
        average = kw.get("average", "binary")
        if average == "binary":
            raise NotMapped("average='binary'")
        zd = kw.get("zero_division", "warn")
        p = inp.get(args["y_pred"])
        options: dict[str, Any] = dict(
            average="none" if average is None else average, zero_division=zd,
            sample_weight=weight,
        )
        if inp.spec["kind"] == "multilabel":
            return getattr(ma, metric)(p.astype(np.float64), y, task="multilabel",
                                       reading="raw", absent="zero", **options)
        explicit = "labels" in kw
        value = getattr(ma, metric)(p, y, num_classes=C, profile=profile,
                                    absent="zero" if explicit else "exclude_unseen", **options)
        if average is None and not explicit:
            value = np.asarray(value)[np.union1d(y, p)]
        return value
    if api == "confusion_matrix":
        return ma.confusion_matrix(inp.get(args["y_pred"]), y, num_classes=C)
    if api == "top_k_accuracy_score":
        return ma.accuracy(inp.get(args["y_score"]), y, num_classes=C, top_k=int(kw.get("k", 2)),
                           ties="high_index_first", average="micro", sample_weight=weight)
    if api == "log_loss":
        return ma.cross_entropy(inp.get(args["y_proba"]), y, num_classes=C, profile=profile,
                                sample_weight=weight,
                                reduction="mean" if kw.get("normalize", True) else "sum")
    raise NotMapped(call["api"])


HANDLERS: dict[str, Callable[[str, Inputs, dict[str, Any]], Any]] = {
    "torchmetrics": torchmetrics_case, "torch": torch_case, "keras": keras_case,
    "sklearn": sklearn_case,
}
LOSSES = ("cross_entropy", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "Crossentropy",
          "log_loss")


# Disagreements understood and reported (see the module docstring of each reason); they are
# counted and printed, not failed. Anything else fails the test.
KNOWN: list[tuple[str, str]] = []


def agrees(
    ours: Any, ref: Any, output_dtype: str, loss: bool, keras_mean: bool = False, ulps: int = 1
) -> bool:
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(_num(ref), dtype=np.float64)
    if a.shape != b.shape:
        return False
    nan = np.isnan(a) & np.isnan(b)
    inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    if output_dtype == "float32":
        if loss or keras_mean:
            close = np.isclose(a, b, rtol=1e-5, atol=1e-7)
        else:
            a32, b32 = a.astype(np.float32), b.astype(np.float32)
            close = np.abs(a32 - b32) <= ulps * np.spacing(np.abs(b32))  # ulps of float32
    else:
        close = np.isclose(a, b, rtol=1e-12, atol=1e-12)
    return bool(np.all(nan | inf | close))


@pytest.mark.parametrize("filename", sorted(FILES))
def test_golden_file(filename: str) -> None:
    path = GOLDEN / filename
    if not path.exists():
        pytest.skip(f"golden file {path} is not present")
    data = json.loads(path.read_text())
    assert data["schema"] == "metricaudit-golden/1"
    profile = FILES[filename]
    handler = HANDLERS[data["library"]]
    mismatches: list[str] = []
    skipped: collections.Counter[str] = collections.Counter()
    for case in data["cases"]:
        call = case["call"]
        if case.get("error"):
            skipped["the library refused the input"] += 1
            continue
        inp = Inputs(data["inputs"][case["input"]], call.get("dtype", "float64"))
        try:
            ours = handler(profile, inp, call)
        except NotMapped as e:
            skipped[f"not an output of metricaudit: {e}"] += 1
            continue
        except ma.UnavailableError as e:
            skipped[f"unavailable in the core: {str(e)[:70]}"] += 1
            continue
        ref = case["output"]
        if isinstance(ours, tuple) and ours[0] == "mean":  # per-sample outputs, read as their mean
            ours, ref = ours[1], float(np.mean(np.asarray(_num(ref), dtype=np.float64)))
        loss = call["api"].endswith(LOSSES) or "Crossentropy" in call["api"]
        # The precision the library computed in: float32 inputs give float32 arithmetic
        # even where the output is a Python float (sklearn's log_loss).
        dtype = "float32" if "float32" in (call.get("dtype"), case.get("output_dtype")) else "float64"
        # Keras averages per-element float32 values: float32 rounding of the mean.
        keras_mean = data["library"] == "keras"
        # torchmetrics' F-beta is (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp) in float32, then a
        # float32 mean over classes: more roundings than the one of metricaudit's ratio of
        # exact counts. Seen: 2 ulp on macro / weighted F1 at top_k = 2 (mc_logits_c10).
        averaged_f1 = "F1Score" in call["api"] and re.search(r"average=(macro|weighted)", case["id"])
        COMPARED[f"golden {filename}"] += 1
        if not agrees(ours, ref, dtype, loss, keras_mean, ulps=2 if averaged_f1 else 1):
            known = [why for pattern, why in KNOWN if re.search(pattern, case["id"])]
            if known:
                SKIPPED[f"golden {filename}: KNOWN DISAGREEMENT, {known[0]}"] += 1
                COMPARED[f"golden {filename}"] -= 1
                continue
            mismatches.append(f"{case['id']}: metricaudit {ours!r} != {ref!r}")
    for reason, n in skipped.items():
        SKIPPED[f"golden {filename}: {reason}"] += n
    assert not mismatches, f"{len(mismatches)} disagreements:\n" + "\n".join(mismatches[:40])


# ---- randomized golden files ---------------------------------------------------------------

RANDOM_FILES = {
    "random-torchmetrics-0.11.4.json": "torchmetrics-0.11",
    "random-torchmetrics-1.5.2.json": "torchmetrics-1",
    "random-torch-1.13.json": "torch.nn",
    "random-keras-3.15.1.json": "keras",
}


def _size(x: Any) -> int:
    return len(x) if isinstance(x, list) else 1


def _sigmoid_borderline(spec: dict[str, Any], call: dict[str, Any]) -> int:
    """Scores whose float32 sigmoid lies within one float32 ulp of the call's threshold."""
    x = np.asarray(spec["preds"], dtype=np.float32)
    s = np.float32(1) / (np.float32(1) + np.exp(-x))
    t = np.float32(call["kwargs"]["threshold"])
    return int(np.sum(np.abs(s - t) <= np.spacing(t)))


@pytest.mark.parametrize("filename", sorted(RANDOM_FILES))
def test_random_golden_file(filename: str) -> None:
    """Seeded random sets (tests/golden/random_inputs.py) under every call the generator
    made; values are counted per reference and per function (the API called)."""
    path = GOLDEN / filename
    if not path.exists():
        pytest.skip(f"golden file {path} is not present")
    compared, mismatches = compare_random_file(path, RANDOM_FILES[filename])
    assert compared > 0, f"{filename}: no value was compared"
    assert not mismatches, f"{len(mismatches)} disagreements:\n" + "\n".join(mismatches[:30])


def compare_random_file(path: pathlib.Path, profile: str) -> tuple[int, list[str]]:
    """Compares every case of a random-*.json file (committed, or written by the live tier,
    tests/python/frameworks/test_live_agreement.py) with metricaudit under ``profile``;
    returns the number of values compared and the disagreements (the summary counts both
    the compared and the skipped values)."""
    compared = 0
    data = json.loads(path.read_text())
    assert data["schema"] == "metricaudit-golden-random/1"
    filename = path.name
    handler = HANDLERS[data["library"]]
    sets: dict[str, dict[str, Any]] = {}
    mismatches: list[str] = []
    skipped: collections.Counter[str] = collections.Counter()
    reference = filename[len("random-"):-len(".json")]
    for key, index, ref in data["cases"]:
        if key not in sets:
            sets[key] = random_inputs.build(key)
            assert random_inputs.digest(sets[key]) == data["digests"][key], (
                f"{key}: random_inputs.py no longer builds the set the file was made from; "
                "regenerate (tests/golden/generate.sh)"
            )
        call = data["calls"][index]
        if isinstance(ref, dict):
            skipped["the library refused the input"] += 1
            continue
        inp = Inputs(sets[key], call.get("dtype", "float64"))
        try:
            ours = handler(profile, inp, call)
        except NotMapped as e:
            skipped[f"not an output of metricaudit: {e}"] += 1
            continue
        except ma.UnavailableError as e:
            skipped[f"unavailable in the core: {str(e)[:70]}"] += 1
            continue
        if isinstance(ours, tuple) and ours[0] == "mean":
            ours, ref = ours[1], float(np.mean(np.asarray(_num(ref), dtype=np.float64)))
        loss = call["api"].endswith(LOSSES) or "Crossentropy" in call["api"]
        keras_mean = data["library"] == "keras"
        # torchmetrics divides and averages in float32: each ratio and the mean over up to
        # 8 classes (labels) round separately, a few float32 ulps from the exact ratio.
        averaged = call["kwargs"].get("average", "macro") in ("macro", "weighted")
        ulps = 4 if data["library"] == "torchmetrics" and averaged else 1
        api = call["api"].rsplit(".", 1)[1]
        COMPARED[f"random {reference}: {api}"] += _size(ref)
        compared += _size(ref)
        # Keras and torchmetrics compute in float32 whatever the input dtype.
        dtype = "float32" if data["library"] in ("keras", "torchmetrics") else call["dtype"]
        if "sigmoid_ulp" in sets[key]["tags"]:
            # The stated tolerance (docs/conventions.md): a decision on a score whose float32
            # sigmoid lies within one ulp of the threshold may differ from torch's vectorised
            # path; each such score may move accuracy by 1 / N.
            allowed = _sigmoid_borderline(sets[key], call) / sets[key]["n"]
            COMPARED[f"random {reference}: {api} (sigmoid 1-ulp tolerance)"] += 1
            COMPARED[f"random {reference}: {api}"] -= 1
            if abs(float(ours) - float(ref)) > allowed + 1e-7:
                mismatches.append(f"{key} {call}: metricaudit {ours!r} != {ref!r} (+-{allowed})")
            continue
        if not agrees(ours, ref, dtype, loss, keras_mean, ulps=ulps):
            mismatches.append(f"{key} {call}: metricaudit {ours!r} != {ref!r}")
    for reason, n in skipped.items():
        SKIPPED[f"{filename}: {reason}"] += n
    return compared, mismatches
