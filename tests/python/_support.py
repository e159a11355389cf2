"""Shared helpers of the Python tests: comparison with a relative tolerance and case counts."""

from __future__ import annotations

import collections
import math
from typing import Any

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
