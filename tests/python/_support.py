"""Shared helpers of the Python tests: comparison with a relative tolerance, case counts, and
every reading of an Evaluator as text."""

from __future__ import annotations

import collections
import math
from typing import Any, Callable

import numpy as np

# reference name -> number of values compared; printed at the end of the run (conftest.py).
COMPARED: collections.Counter[str] = collections.Counter()
# reason -> number of cases not compared (golden files); printed too.
SKIPPED: collections.Counter[str] = collections.Counter()

REL = 1e-12


def same(ours: Any, ref: Any, rel: float = REL) -> bool:
    """Equal within `rel` relative (absolute near zero); NaN equals NaN, inf equals inf."""
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(ref, dtype=np.float64)
    if a.shape != b.shape:
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    close = np.isclose(a, b, rtol=rel, atol=rel, equal_nan=False)
    inf_same = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    return bool(np.all(both_nan | close | inf_same))


def check(reference: str, ours: Any, ref: Any, case: str, rel: float = REL) -> None:
    COMPARED[reference] += 1
    if not same(ours, ref, rel):
        raise AssertionError(f"{reference}: metricaudit {ours!r} != {ref!r} ({case})")


def fmt(x: float) -> str:
    return "nan" if isinstance(x, float) and math.isnan(x) else repr(x)


# ---- readings of an Evaluator, as text (tests of transports: state dicts, all_reduce, Dask) ----


def _reading(f: Callable[[], Any]) -> str:
    try:
        v = f()
    except ValueError as e:  # UnavailableError and the refusals of the options
        return f"refused: {e}"
    return repr(np.asarray(v, dtype=np.float64).tolist())


def multiclass_readings(ev: Any) -> list[str]:
    """Every reading of a multi-class Evaluator that a field of its state decides (value or
    refusal, as text): what a transport must preserve bit for bit."""
    calls: list[dict[str, Any]] = []
    for metric in ("accuracy", "precision", "recall", "f1", "balanced_accuracy"):
        for average in ("micro", "macro", "weighted", "none"):
            for top_k in (1, 2, 3):
                for ties in ("index_order", "torch_topk", "optimistic", "high_index_first"):
                    calls.append(dict(metric=metric, average=average, top_k=top_k, ties=ties))
    calls.append(dict(metric="elementwise_binary_accuracy"))
    calls.append(dict(metric="precision", average="macro", top_k=2, topk_predicted="whole_set"))
    for loss in ("logits", "keras_probabilities", "sklearn_probabilities"):
        calls.append(dict(metric="cross_entropy", loss=loss))
        calls.append(dict(metric="cross_entropy", loss=loss, label_smoothing=0.1,
                          class_weights=np.arange(1.0, ev.num_classes + 1.0)))
    for sample_weighted in (True, False):
        calls.append(dict(metric="accuracy", average="macro", sample_weighted=sample_weighted))
    out = [_reading(lambda c=c: ev.compute(c.pop("metric"), **c)) for c in calls]
    for kind in ("accuracy", "loss"):
        out += [f"{r.id} {r.value!r}" for r in ev.explain(kind)]
    return out


def labelwise_readings(ev: Any) -> list[str]:
    """The same for a binary or multilabel Evaluator."""
    out = []
    for metric in ("accuracy", "subset_accuracy", "binary_cross_entropy"):
        for reading in ("raw", "sigmoid", "torchmetrics_auto"):
            out.append(_reading(lambda m=metric, r=reading: ev.compute(m, reading=r)))
    return out
