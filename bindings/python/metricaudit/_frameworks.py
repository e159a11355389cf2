"""Optional framework imports for the capture helpers: ``import metricaudit`` imports
none of them; ``import metricaudit.keras`` (``.lightning``, ``.huggingface``) imports its
framework and, when it is missing, raises an ImportError that says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, helper: str, install: str) -> ModuleType:
    """``importlib.import_module(module)``, or ImportError("<helper> needs <module>: <install>")."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{helper} needs {module}, which is not importable ({e}): {install}") from e
