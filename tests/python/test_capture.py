"""metricaudit.capture.PredictionWriter: dumps the audit reads, written atomically, and
refused with the dump reader's own messages (bindings/src/audit_dumps.cpp calls
load_dump, dump_task and the batch conversion). The framework callbacks are tested
against the real frameworks in tests/python/frameworks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import metricaudit
from metricaudit.capture import PredictionWriter

ROOT = Path(__file__).resolve().parents[2]


def test_written_dumps_are_what_the_audit_reads(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(40, 4)).astype(np.float32)
    target = rng.integers(0, 4, size=40)
    w = PredictionWriter(tmp_path, metadata={"model": "test"})
    path = w.write("val", epoch=0, target=target, logits=logits)
    assert path == tmp_path / "predictions" / "val_epoch0.npz" == w.path("val", epoch=0)
    with np.load(path) as d:
        assert sorted(d.files) == ["logits", "target"]
        np.testing.assert_array_equal(d["logits"], logits)
        np.testing.assert_array_equal(d["target"], target)
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["model"] == "test" and record["epoch"] == 0
    assert record["read_by_the_audit_as"] == {"num_samples": 40, "task": "multiclass", "num_classes": 4, "inputs": "logits"}
    # nothing else is left in the folder (no temporary files)
    assert sorted(p.name for p in path.parent.iterdir()) == ["val_epoch0.json", "val_epoch0.npz"]
    # the command explains it
    out = subprocess.run(
        [sys.executable, "-m", "metricaudit", "explain", str(path), "--format", "json"],
        capture_output=True, text=True, check=True,
    ).stdout
    micro = float((target == logits.argmax(1)).mean())
    doc = json.loads(out)
    assert (doc["split"], doc["epoch"], doc["samples"]) == ("val", 0, 40)
    values = {row["id"]: row["value"] for row in doc["candidates"]}
    assert values["accuracy.micro"] == pytest.approx(micro)


def test_a_step_dump_and_every_role(tmp_path: Path) -> None:
    w = PredictionWriter(tmp_path, compress=False)
    target = np.array([0, 1, 1, 0])
    w.write("train", step=7, target=target, preds=np.array([0, 1, 0, 0]), sample_weight=np.ones(4))
    w.write("test", epoch=2, target=target, probs=np.array([0.1, 0.9, 0.4, 0.2]))  # binary (N,)
    found = metricaudit._core.list_dumps(str(tmp_path / "predictions"))
    assert {(s, e, st) for _, s, e, st in found} == {("train", None, 7), ("test", 2, None)}
    rec = json.loads((tmp_path / "predictions" / "test_epoch2.json").read_text())
    assert rec["read_by_the_audit_as"]["task"] == "binary"


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"target": np.zeros(4, int), "logits": np.zeros((5, 3))}, "logits.npy has 5 rows but the target has 4"),
        ({"target": np.zeros(4, int)}, "expected exactly one of logits, probs, preds; found none"),
        (
            {"target": np.zeros(4, int), "logits": np.zeros((4, 3)), "probs": np.zeros((4, 3))},
            "expected exactly one of logits, probs, preds; found logits and probs",
        ),
        ({"target": np.zeros((4, 2, 2), int), "probs": np.zeros((4, 2))}, "target.npy has shape (4, 2, 2)"),
        ({"target": np.zeros(0, int), "logits": np.zeros((0, 3))}, "has 0 rows"),
        ({"target": np.zeros((4, 3)), "logits": np.zeros((4, 2))}, "2 columns but the (N, C) target has 3"),
        ({"target": np.zeros(4, int), "logits": np.zeros((4, 3)), "sample_weight": np.ones(3)}, "sample_weight.npy has 3 rows"),
    ],
)
def test_bad_shapes_get_the_readers_message(tmp_path: Path, arrays: dict, message: str) -> None:
    w = PredictionWriter(tmp_path)
    with pytest.raises(ValueError) as info:
        w.write("val", epoch=1, **arrays)
    text = str(info.value)
    assert message in text
    # the message names the dump the caller asked for, not the temporary file
    assert str(tmp_path / "predictions" / "val_epoch1.npz") in text
    assert list((tmp_path / "predictions").iterdir()) == []  # nothing written, nothing left


def test_a_soft_label_is_refused_by_the_batch_conversion(tmp_path: Path) -> None:
    target = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])  # soft labels: not a one-hot row
    with pytest.raises(ValueError, match="row"):
        PredictionWriter(tmp_path).write("val", epoch=0, target=target, logits=np.zeros((3, 2)))


def test_names_the_audit_does_not_read_are_refused(tmp_path: Path) -> None:
    w = PredictionWriter(tmp_path)
    ok = {"target": np.array([0, 1]), "logits": np.zeros((2, 2))}
    with pytest.raises(ValueError, match="does not read this name as a dump"):
        w.write("holdout", epoch=0, **ok)
    with pytest.raises(ValueError, match="exactly one of epoch= and step="):
        w.write("val", **ok)
    with pytest.raises(ValueError, match="integer >= 0"):
        w.write("val", epoch=-1, **ok)
    w.write("validation", epoch=3, **ok)
    with pytest.raises(metricaudit.InputError, match="a second dump for val epoch 3"):
        w.write("val", epoch=3, **ok)
    assert sorted(p.name for p in (tmp_path / "predictions").iterdir()) == ["validation_epoch3.json", "validation_epoch3.npz"]


def test_rewriting_an_epoch_replaces_it(tmp_path: Path) -> None:
    w = PredictionWriter(tmp_path)
    w.write("val", epoch=0, target=np.array([0, 1]), logits=np.zeros((2, 2)))
    w.write("val", epoch=0, target=np.array([1, 1, 0]), logits=np.zeros((3, 2)))
    with np.load(w.path("val", epoch=0)) as d:
        assert d["target"].tolist() == [1, 1, 0]


def test_a_crash_mid_write_leaves_no_dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", crash)
    with pytest.raises(KeyboardInterrupt):
        PredictionWriter(tmp_path).write("val", epoch=0, target=np.array([0]), logits=np.zeros((1, 2)))
    assert list((tmp_path / "predictions").iterdir()) == []


def test_tensors_and_lists_are_converted() -> None:
    from metricaudit.capture import to_numpy

    class FakeBFloat16Tensor:  # the torch calls to_numpy makes, without torch
        dtype = "torch.bfloat16"
        calls: list = []

        def detach(self):  # type: ignore[no-untyped-def]
            self.calls.append("detach")
            return self

        def cpu(self):  # type: ignore[no-untyped-def]
            self.calls.append("cpu")
            return self

        def float(self):  # type: ignore[no-untyped-def]
            self.calls.append("float")
            return self

        def numpy(self):  # type: ignore[no-untyped-def]
            return np.array([1.5, 2.0], dtype=np.float32)

    t = FakeBFloat16Tensor()
    assert to_numpy(t).tolist() == [1.5, 2.0]
    assert t.calls == ["detach", "cpu", "float"]
    assert to_numpy([[1, 2]]).dtype.kind == "i"
    assert to_numpy(np.array([1, 2], dtype=np.float16)).dtype == np.float16  # the reader widens it


def test_importing_metricaudit_imports_no_framework() -> None:
    code = (
        "import sys, metricaudit, metricaudit.capture, metricaudit.cli\n"
        "bad = [m for m in ('keras', 'jax', 'torch', 'lightning', 'pytorch_lightning', 'transformers', 'tensorflow') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "module, framework, install",
    [
        ("metricaudit.keras", "keras", "pip install keras"),
        ("metricaudit.lightning", "lightning", "pip install lightning"),
        ("metricaudit.huggingface", "transformers", "pip install transformers"),
    ],
)
def test_a_missing_framework_says_what_to_install(module: str, framework: str, install: str) -> None:
    # Hide the framework whether or not it is installed here: a None entry in sys.modules
    # makes its import fail.
    hidden = ["keras", "lightning", "lightning.pytorch", "pytorch_lightning", "transformers"]
    code = (
        "import sys\n"
        f"for m in {hidden!r}: sys.modules[m] = None\n"
        "try:\n"
        f"    import {module}\n"
        "except ImportError as e:\n"
        "    print(e)\n"
        "else:\n"
        "    raise SystemExit('imported')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"{module} needs" in out and install in out
