"""The HTML reports of the bundled examples, rendered in headless Chromium (Debian's
``chromium``, installed by scripts/bootstrap): every page loads with no console error, no
failed load and nothing fetched from a network, and every plot is drawn where the page
puts it (ink in its box, in the colours of its curves or bars). A page that breaks either
check is shown to fail it first, so the checks can fail.
"""

from __future__ import annotations

import glob
import json
import os
import re
from typing import Any, Dict, List

import pytest

from _chromium import Chromium, ink, pixels_near
from _report_source import audit_json, compare_json
from metricaudit import _html

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")


def example_runs() -> List[str]:
    """Every bundled run: a folder with a run.json (ground truth) next to its logs."""
    return sorted(os.path.dirname(p) for p in glob.glob(os.path.join(EXAMPLES, "**", "run.json"),
                                                         recursive=True))


def blend(hex_colour: str, alpha: float) -> str:
    """The colour a line of this colour and alpha leaves on white."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * c + (1 - alpha) * 255):02x}" for c in rgb)


@pytest.fixture(scope="module")
def browser():
    with Chromium() as b:
        yield b


def self_contained(page: str) -> None:
    assert "<script" not in page.lower()
    # Nothing to fetch: no src / href / url() but in-page references.
    for ref in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page) + re.findall(r"url\(([^)]*)\)", page):
        assert ref.startswith("#"), f"the page refers to {ref!r}"


def check_page(browser: Chromium, path: str, expected_plots: Dict[str, int]) -> List[Any]:
    page = browser.load(path)
    assert page.errors == [], page.errors
    kinds: Dict[str, int] = {}
    for box in page.plots:
        kinds[box["kind"]] = kinds.get(box["kind"], 0) + 1
    assert kinds == expected_plots
    image = page.image()
    checked = []
    for box in page.plots:
        assert box["width"] > 200 and box["height"] > 100, box
        fraction, colours = ink(image, box)
        assert 0.03 < fraction < 0.9, (box, fraction)  # drawn, not blank, not a black box
        checked.append((box, colours))
    return checked


def test_the_checks_fail_on_a_broken_page(browser: Chromium, tmp_path: Any) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><figure class=\"plot curve\">"
                   "<svg width=\"600\" height=\"300\"></svg></figure><img src=\"missing.png\">"
                   "<script>console.error('boom'); noSuchFunction();</script></body></html>")
    page = browser.load(str(bad))
    assert any("boom" in e for e in page.errors)
    assert any("noSuchFunction" in e for e in page.errors)
    assert any("missing.png" in e for e in page.errors)
    fraction, _ = ink(page.image(), page.plots[0])
    assert fraction < 0.03  # an empty plot reads as blank
    with pytest.raises(AssertionError):
        self_contained(bad.read_text())


@pytest.mark.parametrize("run", example_runs(), ids=lambda p: os.path.relpath(p, EXAMPLES))
def test_audit_report_renders(browser: Chromium, run: str, tmp_path: Any) -> None:
    report = audit_json(run)
    page = _html.render_audit(report)
    self_contained(page)
    path = tmp_path / "audit.html"
    path.write_text(page, encoding="utf-8")
    series = {(p["point"]["metric"], p["point"]["split"], p["point"]["file"])
              for p in report["points"]}
    macro = sum(1 for f in report["findings"] if f.get("per_class"))
    expected = {"plot curve": len(series)}
    if macro:
        expected["plot per-class"] = macro
    for box, colours in check_page(browser, str(path), expected):
        if box["kind"] == "plot curve":
            assert pixels_near(colours, _html.LOGGED) > 50, box  # the logged curve
            assert pixels_near(colours, _html.IMPLIED) > 50, box  # its recomputation
        else:
            assert pixels_near(colours, "#8aa9cf", tol=12) > 500, box  # the bars


def test_compare_report_renders(browser: Chromium, tmp_path: Any) -> None:
    pair = os.path.join(EXAMPLES, "keras-to-lightning")
    report = compare_json(os.path.join(pair, "keras"), os.path.join(pair, "lightning"))
    page = _html.render_compare(report)
    self_contained(page)
    path = tmp_path / "compare.html"
    path.write_text(page, encoding="utf-8")
    pairs = {(c["kind"], c["split"], c["a"]["metric"], c["b"]["metric"])
             for c in report["comparisons"] if c["epoch"] is not None}
    macro = sum(1 for r in ("a", "b") for f in report["runs"][r]["findings"] if f.get("per_class"))
    assert macro >= 1  # the Lightning run's macro accuracy
    expected = {"plot curve": len(pairs), "plot per-class": macro}
    for box, colours in check_page(browser, str(path), expected):
        if box["kind"] == "plot curve":
            assert pixels_near(colours, _html.B_COLOUR) > 200, box  # run B's curves
            assert pixels_near(colours, blend(_html.A_COLOUR, 0.5), tol=25) > 100, box  # A's
            assert pixels_near(colours, blend("#7f7f7f", 0.25), tol=6) > 200, box  # the band
    # The verdicts are on the page as the report gives them.
    for c in report["comparisons"]:
        if c["judged"]:
            assert f">{c['verdict']}</span>" in page
    assert "convention" in json.dumps(report["summary"]["verdicts"])
