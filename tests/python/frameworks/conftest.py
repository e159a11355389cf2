"""The framework test tier: real Keras 3 (JAX, CPU), Lightning + torchmetrics on Debian's
torch 1.13, and Hugging Face transformers, each training a tiny model for two epochs
with its metricaudit capture helper, then the audit of the run. Runs in .venv-frameworks
(scripts/bootstrap makes it; scripts/test runs this tier)."""

from __future__ import annotations

import os

# Before any framework is imported: Keras on JAX's CPU backend, quiet and deterministic.
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is downloaded: the models are built from configs

# `pytest tests/python` in the main .venv (no frameworks there) leaves this tier out;
# scripts/test runs it in .venv-frameworks with METRICAUDIT_FRAMEWORK_TIER=1, where a
# missing framework is an import error, never a skip.
if os.environ.get("METRICAUDIT_FRAMEWORK_TIER") != "1":
    import importlib.util

    _frameworks = ("keras", "jax", "torch", "lightning", "transformers")
    if any(importlib.util.find_spec(m) is None for m in _frameworks):
        collect_ignore_glob = ["test_*.py"]
