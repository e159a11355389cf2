"""Agreement with the live libraries: the golden generator (tests/golden/generate.py
--random) runs here, in the framework tier, on seeded random sets the committed files do
not hold (first seed METRICAUDIT_LIVE_SEED, 10000 by default), against the torchmetrics,
torch and Keras installed in .venv-frameworks. Each value is compared with metricaudit by
the same code as the committed random files (test_golden.compare_random_file).

The committed files pin torchmetrics 0.11.4 / 1.5.2, torch 1.13 and Keras 3.15.1 on jax
0.10.2; this tier also checks the jax this venv resolves (0.4.38 with numpy 1.24) and
sets of every kind random_inputs.py draws (ties, absent classes, every sample ignored,
zero weights, -inf logits, float32 subnormals, float64 input) beyond the committed seeds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
GENERATOR = TESTS.parent / "golden" / "generate.py"
sys.path.insert(0, str(TESTS))
from test_golden import compare_random_file  # noqa: E402

FIRST_SEED = int(os.environ.get("METRICAUDIT_LIVE_SEED", "10000"))
SETS = int(os.environ.get("METRICAUDIT_LIVE_SETS", "150"))


def _profile(library: str, version: str) -> str:
    if library == "torchmetrics":
        return "torchmetrics-0.11" if version.startswith("0.") else "torchmetrics-1"
    return {"torch": "torch.nn", "keras": "keras"}[library]


@pytest.mark.parametrize("library", ["torchmetrics", "torch", "keras"])
def test_live_library_agrees_on_fresh_random_sets(library: str, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--lib", library, "--random", str(SETS),
         "--first-seed", str(FIRST_SEED), "--out-dir", str(tmp_path)],
        check=True, env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"},
    )
    (written,) = tmp_path.glob(f"random-{library}-*.json")
    version = written.name[len(f"random-{library}-"):-len(".json")]
    compared, mismatches = compare_random_file(written, _profile(library, version))
    # 50 sets give over 1,000 values for each library: a run that compares few has lost
    # its cases (a renamed API, every call refused), which would pass silently otherwise.
    assert compared >= 20 * SETS, f"{written.name}: only {compared} values compared"
    assert not mismatches, (
        f"{library} {version} (live, seeds {FIRST_SEED}..{FIRST_SEED + SETS - 1}): "
        f"{len(mismatches)} disagreements:\n" + "\n".join(mismatches[:30])
    )
