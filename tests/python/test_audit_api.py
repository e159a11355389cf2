"""metricaudit.audit(): the C++ run_audit and report writers, bound. The report's
attributes and to_dict() are the JSON writer's document; str() is the text writer's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import metricaudit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_seed_example_finds_the_macro_rule() -> None:
    report = metricaudit.audit(EXAMPLES / "seed-torchmetrics-macro")
    assert report.exit_status == 1
    ma001 = [f for f in report.findings if f.rule == "MA001"]
    assert {f.metric for f in ma001} >= {"val_acc"}
    val = next(f for f in ma001 if f.metric == "val_acc")
    assert val.explained_by == "accuracy.macro.absent_zero"
    assert val.logged == pytest.approx(0.6225, abs=1e-4)
    assert val.expected == pytest.approx(0.9337, abs=1e-4)
    assert val.location.file.endswith("metrics.csv")
    assert val.severity == "warning"
    # per-point results and the dump each was recomputed from
    assert report.points and all(p.dump for p in report.points)
    point = next(p for p in report.points if p.point.metric == "val_acc")
    assert "accuracy.macro.absent_zero" in point.explained_by
    assert isinstance(report.undecided, list)


def test_clean_example_is_clean() -> None:
    report = metricaudit.audit(EXAMPLES / "clean")
    assert report.exit_status == 0
    assert [f for f in report.findings if f.severity != "note"] == []
    assert "0 findings" in str(report) or report.summary.findings == 0


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "run.json").is_file()))
def test_report_is_the_writers_output(example: str) -> None:
    report = metricaudit.audit(EXAMPLES / example)
    d = report.to_dict()
    assert d == json.loads(report.to_json())
    assert d["schema_version"] == 1 and d["tool"] == "metricaudit"
    assert d["exit_status"] == report.exit_status
    assert [f.to_dict() for f in report.findings] == d["findings"]
    assert len(report.points) == d["summary"]["points"]
    assert report.undecided == d["undecided"]
    text = str(report)
    assert text == report.to_text() and "\x1b[" not in text
    for f in report.findings:
        assert f.rule in text
    assert len(report.to_text(summary=True)) <= len(text)
    assert json.loads(report.to_sarif())["version"] == "2.1.0"


def test_options_mirror_the_command(tmp_path: Path) -> None:
    # --metric NAME=KIND: ignoring every accuracy leaves the macro finding out.
    report = metricaudit.audit(
        EXAMPLES / "seed-torchmetrics-macro",
        metric={"val_acc": "ignore", "train_acc_step": "ignore", "train_acc_epoch": "ignore"},
    )
    assert not [f for f in report.findings if f.rule == "MA001"]
    # a log alone (no predictions/ beside it), with C given: the log-only rules still run
    log = tmp_path / "metrics.jsonl"
    log.write_bytes((EXAMPLES / "softmax-twice" / "metrics.jsonl").read_bytes())
    report = metricaudit.audit(log, num_classes=10)
    assert report.predictions is None
    assert "LG001" in {f.rule for f in report.findings}
    # preds elsewhere
    report = metricaudit.audit(
        EXAMPLES / "seed-torchmetrics-macro" / "lightning_logs" / "version_0" / "metrics.csv",
        preds=EXAMPLES / "seed-torchmetrics-macro" / "predictions",
    )
    assert "MA001" in {f.rule for f in report.findings}


def test_nonfinite_members_read_as_floats() -> None:
    rec = metricaudit._audit.Record({"value": None, "distance": None, "nonfinite": {"value": "inf"}})
    assert rec.value == math.inf and rec.distance is None
    assert rec.to_dict()["value"] is None


def test_errors_carry_the_readers_message(tmp_path: Path) -> None:
    with pytest.raises(metricaudit.InputError, match="no such file or directory"):
        metricaudit.audit(tmp_path / "missing")
    bad = tmp_path / "metrics.csv"
    bad.write_text("epoch,step,val_acc\n0,9,0.5\n1,19,zero point five\n")
    with pytest.raises(metricaudit.InputError) as info:
        metricaudit.audit(bad, log_format="lightning-csv")
    assert str(bad) in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="num-classes"):
        metricaudit.audit(EXAMPLES / "clean", num_classes=0)
    # what the command's parser refuses, the API refuses with the same option name
    with pytest.raises(ValueError, match="--eval-size: expected an integer >= 1, got 0"):
        metricaudit.audit(EXAMPLES / "clean", eval_size=0)
    with pytest.raises(ValueError, match="--batch-size: expected an integer >= 1, got -1"):
        metricaudit.audit(EXAMPLES / "clean", batch_size=-1)
    with pytest.raises(ValueError, match="--metric val_acc=bogus"):
        metricaudit.audit(EXAMPLES / "clean", metric={"val_acc": "bogus"})


def test_repr_and_summary() -> None:
    report = metricaudit.audit(EXAMPLES / "seed-torchmetrics-macro")
    assert "exit_status 1" in repr(report)
    assert report.summary.findings == len(report.findings)
