"""metricaudit.compare() and `metricaudit compare` from the package: the same comparison
as the C++ command (one implementation, bound), checked on the bundled Keras/Lightning pair
against examples/keras-to-lightning/pair.json (numpy and scipy on the same dumps)."""

from __future__ import annotations

import io
import json
import os

import pytest

import metricaudit
from metricaudit import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAIR = os.path.join(ROOT, "examples", "keras-to-lightning")
A, B = os.path.join(PAIR, "keras"), os.path.join(PAIR, "lightning")


def test_compare_on_the_bundled_pair_matches_its_ground_truth() -> None:
    with open(os.path.join(PAIR, "pair.json")) as f:
        truth = json.load(f)
    report = metricaudit.compare(A, B)
    judged = {(c.a.metric, c.b.metric): c for c in report.judged}
    assert len(judged) == len(truth["expected_comparisons"])
    for e in truth["expected_comparisons"]:
        c = judged[(e["a"], e["b"])]
        assert c.verdict == e["verdict"], c.reason
        assert c.test == e["test"]
        assert c.epoch == e["epoch"]
        assert c.p_value == pytest.approx(e["p_value"], rel=1e-9, abs=1e-300)
        assert c.difference == pytest.approx(e["difference"], abs=1e-9)
    assert report.verdicts[("accuracy", "val")] == "convention"
    assert report.exit_status == (1 if any(e["verdict"] == "real"
                                           for e in truth["expected_comparisons"]) else 0)
    # The documents are the command's.
    out = io.StringIO()
    assert cli.run(["compare", A, B, "--format", "json"], stdout=out) == report.exit_status
    assert json.loads(out.getvalue())["comparisons"] == report.to_dict()["comparisons"]
    assert "convention: The logged gap" in str(report)


def test_options_reach_the_command() -> None:
    report = metricaudit.compare(A, B, pair={"val_accuracy": "val_acc"}, epoch="all", alpha=0.01)
    assert {c.b.metric for c in report.comparisons} == {"val_acc"}
    assert len(report.judged) == len(report.comparisons) == 8
    assert report.alpha == 0.01
    report = metricaudit.compare(A, B, pair=[("val_loss", "val_loss")], epoch=3)
    assert [c.epoch for c in report.judged] == [3]


def test_min_effect_turns_a_tiny_significant_gap_negligible() -> None:
    """The bundled pair's train loss (B - A = +0.0004, p = 1.6e-5) is real without a floor
    and negligible under min_effect=0.001; the exit status follows."""
    assert metricaudit.compare(A, B).verdicts[("loss", "train")] == "real"
    report = metricaudit.compare(A, B, min_effect=0.001)
    assert report.verdicts[("loss", "train")] == "negligible"
    assert report.exit_status == 0
    assert report.to_dict()["min_effect"] == 0.001
    assert "1 negligible" in repr(report)
    out = io.StringIO()
    assert cli.run(["compare", A, B, "--min-effect", "0.001", "--format", "json"], stdout=out) == 0
    assert json.loads(out.getvalue())["summary"]["verdicts"]["negligible"] == 1


def test_bad_options_are_value_errors() -> None:
    with pytest.raises(ValueError, match="'nope'"):
        metricaudit.compare(A, B, pair={"nope": "val_acc"})
    with pytest.raises(ValueError, match="--convention"):
        metricaudit.compare(A, B, convention="accuracy.bogus")
    with pytest.raises(ValueError, match="epoch"):
        metricaudit.compare(A, B, epoch="first")
    with pytest.raises(ValueError, match="--min-effect"):
        metricaudit.compare(A, B, min_effect=-0.5)
    with pytest.raises(metricaudit.InputError):
        metricaudit.compare(A, os.path.join(PAIR, "no-such-run"))


def test_format_html_is_drawn_by_the_package(tmp_path) -> None:
    page = tmp_path / "compare.html"
    status = cli.run(["compare", A, B, "--format", "html", "-o", str(page)],
                     stdout=io.StringIO(), stderr=io.StringIO())
    report = metricaudit.compare(A, B)
    assert status == report.exit_status
    assert page.read_text(encoding="utf-8") == report.to_html()
    out = io.StringIO()
    assert cli.run(["audit", os.path.join(ROOT, "examples", "clean"), "--format", "html"],
                   stdout=out) == 0
    assert out.getvalue() == metricaudit.audit(os.path.join(ROOT, "examples", "clean")).to_html()
