"""metricaudit.keras.SavePredictions on a real Keras 3 run (JAX backend, CPU): two epochs
of a tiny classifier with a CSVLogger, then `metricaudit.audit(run_dir)`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import keras
import metricaudit
from metricaudit.keras import SavePredictions

C = 4


def data(seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(C, 8))
    y = rng.integers(0, C, size=320)
    x = (centers[y] + rng.normal(size=(320, 8))).astype(np.float32)
    return x[:256], y[:256], x[256:], y[256:]


def train(run_dir: Path, output_activation: str | None, from_logits: bool) -> keras.Model:
    keras.utils.set_random_seed(0)
    x, y, xv, yv = data()
    model = keras.Sequential(
        [keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(C, activation=output_activation)]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
        metrics=["accuracy"],
    )
    model.fit(
        x, y, validation_data=(xv, yv), epochs=2, batch_size=32, verbose=0,
        callbacks=[keras.callbacks.CSVLogger(str(run_dir / "training.log")), SavePredictions(run_dir, validation_data=(xv, yv))],
    )
    return model


def test_softmax_output_with_a_probability_loss_audits_clean(tmp_path: Path) -> None:
    train(tmp_path, "softmax", from_logits=False)
    record = json.loads((tmp_path / "predictions" / "val_epoch1.json").read_text())
    assert record["output_activation"] == "softmax" and record["saved_as"] == "probs"
    assert record["loss"]["config"]["from_logits"] is False
    with np.load(tmp_path / "predictions" / "val_epoch0.npz") as d:
        assert sorted(d.files) == ["probs", "target"]
    report = metricaudit.audit(tmp_path)
    assert report.exit_status == 0, str(report)
    val = [p for p in report.points if p.point.metric in ("val_loss", "val_accuracy")]
    assert len(val) == 4  # two epochs x two metrics, each recomputed from its dump
    assert {p.expected_id for p in val} and all(p.expected_id in p.explained_by for p in val)


def test_linear_output_with_from_logits_audits_clean(tmp_path: Path) -> None:
    train(tmp_path, None, from_logits=True)
    record = json.loads((tmp_path / "predictions" / "val_epoch0.json").read_text())
    assert record["output_activation"] == "linear" and record["saved_as"] == "logits"
    report = metricaudit.audit(tmp_path)
    assert report.exit_status == 0, str(report)


def test_softmax_output_with_from_logits_is_softmax_twice(tmp_path: Path) -> None:
    # The loss claims logits; the model outputs probabilities: the dump holds probs (from
    # the activation, not the claim) and the audit names the loss softmax applied twice.
    train(tmp_path, "softmax", from_logits=True)
    record = json.loads((tmp_path / "predictions" / "val_epoch0.json").read_text())
    assert record["saved_as"] == "probs" and record["loss"]["config"]["from_logits"] is True
    report = metricaudit.audit(tmp_path)
    assert report.exit_status == 1
    rules = {(f.rule, f.metric) for f in report.findings}
    assert ("ML001", "val_loss") in rules, str(report)
