"""metricaudit: accuracy and cross-entropy under explicitly named conventions.

The same number as torchmetrics, scikit-learn, Keras or torch.nn, and the name of
the convention that produced it::

    >>> import numpy as np, metricaudit
    >>> preds = np.array([[1, 0, 0, 0], [1, 0, 0, 0]], dtype=np.float32)
    >>> target = np.array([0, 0])
    >>> metricaudit.accuracy(preds, target, num_classes=4, profile="torchmetrics-0.11")
    0.25
    >>> metricaudit.accuracy(preds, target, num_classes=4, profile="torchmetrics-1")
    1.0
    >>> print(metricaudit.explain(preds, target, num_classes=4))  # doctest: +SKIP

Functional API: :func:`accuracy`, :func:`precision`, :func:`recall`, :func:`f1`,
:func:`balanced_accuracy`, :func:`confusion_matrix`, :func:`cross_entropy`,
:func:`binary_cross_entropy`, :func:`explain`. Streaming: :class:`Evaluator`
(``update`` / ``merge`` / ``compute`` / ``state_dict``). Inputs: numpy arrays, CPU
torch tensors (DLPack, no copy) or anything :func:`numpy.asarray` reads.
Errors: ``ValueError`` with the core's message; :class:`UnavailableError` (a
``ValueError``) when a reading is not defined for what was computed.

Two runs: :func:`compare` (``metricaudit.compare("keras_run", "torch_run")`` returns a
:class:`CompareReport`: both under one convention, and the significance of the gap).
The audit: :func:`audit` (``metricaudit.audit("run_dir")`` returns an
:class:`AuditReport`), the same as the ``metricaudit audit`` command that ``pip install``
puts on PATH; :class:`InputError` names the file and line of unreadable input.
Capturing predictions during training: :mod:`metricaudit.capture`
(``PredictionWriter``), :mod:`metricaudit.keras`, :mod:`metricaudit.lightning`,
:mod:`metricaudit.huggingface` (each imports its framework only when used).
"""

from __future__ import annotations

from typing import Any

from . import _core
from ._core import UnavailableError
from ._audit import AuditReport, InputError, audit
from ._compare import CompareReport, compare
from ._evaluator import Evaluator, sum_state_dicts
from ._explain import ExplainRow, Explanation, explain
from ._functional import (
    accuracy,
    balanced_accuracy,
    binary_cross_entropy,
    confusion_matrix,
    cross_entropy,
    f1,
    precision,
    recall,
)

# CMakeLists.txt's project(VERSION), compiled into the module (metricaudit/version.hpp).
__version__: str = _core.__version__

__all__ = [
    "accuracy",
    "precision",
    "recall",
    "f1",
    "balanced_accuracy",
    "confusion_matrix",
    "cross_entropy",
    "binary_cross_entropy",
    "explain",
    "Explanation",
    "ExplainRow",
    "Evaluator",
    "sum_state_dicts",
    "UnavailableError",
    "profiles",
    "convention",
    "softmax_twice_floor",
    # the audit: the `metricaudit` command's, bound (_audit.py)
    "audit",
    "AuditReport",
    "InputError",
    # two runs under one convention, with significance (_compare.py)
    "compare",
    "CompareReport",
]


def profiles() -> list[dict[str, str]]:
    """Every named profile (name, library, source and the defaults it supplies)."""
    return list(_core.profiles())


def convention(metric: str, **options: Any) -> "_core.Convention":
    """The fully resolved convention a call would use, e.g.
    ``metricaudit.convention("accuracy", profile="torchmetrics-0.11").id``
    == ``"accuracy.macro.absent_zero"``."""
    from ._options import norm_average, norm_class_weights, norm_zero_division

    if "average" in options:
        options["average"] = norm_average(options["average"])
    if "zero_division" in options:
        options["zero_division"] = norm_zero_division(options["zero_division"])
    if "class_weights" in options:
        options["class_weights"] = norm_class_weights(options["class_weights"])
    return _core.convention(metric, **options)


def softmax_twice_floor(num_classes: int) -> float:
    """The smallest cross-entropy a softmax applied twice can give: ln(1 + (C - 1)/e)."""
    return float(_core.softmax_twice_floor(num_classes))
