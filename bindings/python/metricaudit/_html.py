"""The HTML report: one self-contained page for an audit or a compare report, drawn from
the JSON documents (``docs/audit-json-schema.md``, ``docs/compare.md``). It decides
nothing: every value, verdict and sentence is the report's.

Why matplotlib, rendered to SVG here and inlined in the page: the page is one file with no
script and nothing to fetch (it opens offline, in a mail attachment, in CI artefacts), its
plots are vector graphics that stay sharp when zoomed or printed, and matplotlib is the
plotting library scientific Python users already have. Interactive libraries (Plotly,
Bokeh, Vega) would have to inline megabytes of JavaScript in every file to stay
self-contained, for hover tooltips this report does not need.
"""

from __future__ import annotations

import html
import io
import math
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

A_COLOUR, B_COLOUR = "#1f5fa8", "#c2412d"
LOGGED, EXPLAINING, IMPLIED = "#222222", "#d98c00", "#2a8a3e"
VERDICT_COLOURS = {"convention": "#b8860b", "real": "#b22222", "negligible": "#2e7d32",
                   "noise": "#2e7d32",
                   "undecided": "#5a6b7b"}
SEVERITY_COLOURS = {"error": "#b22222", "warning": "#b8860b", "note": "#3b6ea8"}

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1000px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
h3{margin:.2em 0}.meta{color:#555;font-size:.92em}code{font-size:.92em}
.card{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;padding:.6em 1em;
margin:1em 0;background:#fafafa}.badge{display:inline-block;color:#fff;border-radius:3px;
padding:0 .45em;font-weight:600;font-size:.9em;margin-right:.4em}
.fix{background:#eef7ee;border-radius:3px;padding:.3em .6em}
figure{margin:.6em 0}figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.92em}td,th{padding:.15em .7em;text-align:right}
th{border-bottom:1px solid #ccc}td.l,th.l{text-align:left}ul{padding-left:1.2em}
"""


# ------------------------------------------------------------------------------ plotting

def _matplotlib():
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("the HTML report is drawn with matplotlib: pip install matplotlib "
                           "(or metricaudit[html])") from exc
    return matplotlib, Figure


def _svg(fig: Any) -> str:
    """The figure as an <svg> element: text kept as text, no date, stable ids."""
    matplotlib, _ = _matplotlib()
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "metricaudit"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _figure(width: float, height: float, rows: int = 1) -> Tuple[Any, List[Any]]:
    _, Figure = _matplotlib()
    fig = Figure(figsize=(width, height))
    if rows == 1:
        return fig, [fig.add_subplot(1, 1, 1)]
    axes = fig.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    return fig, list(axes)


def _style_axes(ax: Any, xlabel: Optional[str], ylabel: str) -> None:
    ax.grid(True, color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _num(obj: Dict[str, Any], key: str) -> Optional[float]:
    """A JSON number; a null with a 'nonfinite' entry reads as that float."""
    v = obj.get(key)
    if v is None:
        nonfinite = (obj.get("nonfinite") or {}).get(key)
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(nonfinite)
    return float(v)


def _integer_ticks(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


# ------------------------------------------------------------------------------ html bits

def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: Sequence[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _list(title: str, items: Iterable[str]) -> str:
    items = list(items)
    if not items:
        return ""
    lis = "".join(f"<li>{_e(i)}</li>" for i in items)
    return f"<h2>{_e(title)} ({len(items)})</h2><ul>{lis}</ul>"


def _fmt(v: Optional[float], digits: int = 4) -> str:
    if v is None:
        return "&ndash;"
    if math.isnan(v) or math.isinf(v):
        return _e(v)
    return f"{v:.{digits}f}"


def _fmt_p(p: Optional[float]) -> str:
    if p is None:
        return "&ndash;"
    return f"{p:.4g}" if p >= 1e-4 else f"{p:.3g}"


# ------------------------------------------------------------------------------ findings

def _per_class_svg(finding: Dict[str, Any]) -> str:
    pc = finding["per_class"]
    recall, support = pc["recall"], pc["support"]
    classes = list(range(len(recall)))
    fig, (ax,) = _figure(min(9.0, 2.0 + 0.45 * len(classes)), 2.8)
    colours = ["#8aa9cf" if s > 0 else "#d9d9d9" for s in support]
    ax.bar(classes, recall, color=colours, edgecolor="#4a6f99", linewidth=0.6)
    for c, s in zip(classes, support):
        if s == 0:
            ax.text(c, 0.02, "absent", rotation=90, ha="center", va="bottom", fontsize=7,
                    color="#666666")
    logged = _num(finding, "logged")
    if logged is not None:
        ax.axhline(logged, color=EXPLAINING, linestyle="--", linewidth=1.4,
                   label=f"logged {finding['metric']}: {logged:.4f} (the mean of these bars)")
    expected = _num(finding, "expected")
    if expected is not None:
        ax.axhline(expected, color=IMPLIED, linewidth=1.4,
                   label=f"{finding.get('expected_convention') or 'implied'}: {expected:.4f}")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(classes)
    _style_axes(ax, "class", "recall")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, frameon=False)
    ax.set_title(f"per-class recall, {pc['dump'].split('/')[-1]}", fontsize=9)
    return _svg(fig)


def _finding_card(f: Dict[str, Any], run_label: str = "") -> str:
    colour = SEVERITY_COLOURS.get(f["severity"], "#999")
    where = f"{f['metric']} [{f['split']}]"
    if f.get("epochs"):
        e = f["epochs"]
        where += f", epochs {e[0]}&ndash;{e[-1]}" if len(e) > 1 else f", epoch {e[0]}"
    parts = [f"<div class=\"card\" style=\"border-left-color:{colour}\">",
             f"<h3><span class=\"badge\" style=\"background:{colour}\">{_e(f['rule'])}</span>"
             f"{_e(run_label)}{_e(f['name'])} <span class=\"meta\">{where}</span></h3>",
             f"<p>{_e(f['message'])}</p>"]
    if f.get("fix"):
        parts.append(f"<p class=\"fix\"><b>fix:</b> {_e(f['fix'])}</p>")
    if f.get("per_class"):
        parts.append(f"<figure class=\"plot per-class\">{_per_class_svg(f)}</figure>")
    parts.append("</div>")
    return "".join(parts)


# ------------------------------------------------------------------------------ audit

def _series(points: Sequence[Dict[str, Any]]) -> List[Tuple[Tuple[str, str, str], List[Dict[str, Any]]]]:
    """Points grouped by (metric, split, file) in order of first appearance."""
    groups: Dict[Tuple[str, str, str], List[Dict[str, Any]]] = {}
    for p in points:
        lp = p["point"]
        groups.setdefault((lp["metric"], lp["split"], lp["file"]), []).append(p)
    return list(groups.items())


def _audit_series_svg(key: Tuple[str, str, str], pts: List[Dict[str, Any]],
                      findings: Sequence[Dict[str, Any]]) -> str:
    metric, split, _ = key
    per_epoch = all(p["point"]["epoch"] is not None and not p["point"]["per_step"] for p in pts)
    xname = "epoch" if per_epoch else "step"
    xs = [p["point"][xname] if p["point"][xname] is not None else i for i, p in enumerate(pts)]
    explaining = next((f["explained_by"] for f in findings
                       if f["metric"] == metric and f["split"] == split and f.get("explained_by")),
                      None)
    if explaining is None:
        for p in pts:
            if p["explained_by"]:
                explaining = p["explained_by"][0]
                break
    implied = pts[0]["expected_id"]

    def values(conv: Optional[str]) -> List[float]:
        out = []
        for p in pts:
            v = math.nan
            for c in p["candidates"]:
                if c["id"] == conv:
                    v = _num(c, "value")
            out.append(v)
        return out

    fig, (ax,) = _figure(7.5, 3.2)
    marker = "o" if len(xs) <= 40 else None
    ax.plot(xs, [_num(p["point"], "value") for p in pts], color=LOGGED, marker=marker,
            markersize=4, linewidth=1.6, label=f"logged {metric}")
    if explaining and explaining != implied:
        ax.plot(xs, values(explaining), color=EXPLAINING, linestyle="--", linewidth=1.6,
                label=f"recomputed: {explaining} (explains it)")
    if implied:
        label = f"recomputed: {implied} (the name implies)"
        if explaining == implied:
            label += ", explains it"
        ax.plot(xs, values(implied), color=IMPLIED, linewidth=1.6, label=label)
    _style_axes(ax, xname, pts[0]["kind"])
    if per_epoch:
        _integer_ticks(ax)
    ax.legend(fontsize=8, frameon=False, loc="best")
    ax.set_title(f"{metric} [{split}]", fontsize=10)
    return _svg(fig)


def render_audit(report: Dict[str, Any]) -> str:
    """The HTML page of an audit report (the JSON document as a dict)."""
    s = report["summary"]
    body = [f"<h1>metricaudit audit</h1><p class=\"meta\">metricaudit {_e(report['tool_version'])}"
            f" &middot; {s['findings']} findings ({s['errors']} errors, {s['warnings']} warnings, "
            f"{s['notes']} notes) &middot; {s['points']} values recomputed &middot; exit status "
            f"{report['exit_status']}</p>",
            "<ul class=\"meta\">" + "".join(
                f"<li>log: <code>{_e(l['path'])}</code> ({_e(l['format'])})</li>"
                for l in report["logs"])
            + f"<li>predictions: <code>{_e(report['predictions'] or '(none)')}</code></li></ul>"]
    body.append(f"<h2>Findings ({len(report['findings'])})</h2>")
    if not report["findings"]:
        body.append("<p>None: every checked value is what its name implies.</p>")
    body.extend(_finding_card(f) for f in report["findings"])
    series = _series(report["points"])
    if series:
        body.append("<h2>Logged values and their recomputations</h2>"
                    "<p class=\"meta\">Each logged metric over the run, with the values its dumps "
                    "give under the convention that explains it and under the one its name "
                    "implies.</p>")
        for key, pts in series:
            body.append(f"<figure class=\"plot curve\">"
                        f"{_audit_series_svg(key, pts, report['findings'])}"
                        f"<figcaption class=\"meta\">{_e(key[2])}</figcaption></figure>")
    body.append(_list("Undecided: not checked", report.get("undecided", [])))
    body.append(_list("Warnings", report.get("warnings", [])))
    return _page("metricaudit audit", body)


# ------------------------------------------------------------------------------ compare

def _pairs(comparisons: Sequence[Dict[str, Any]]) -> List[List[Dict[str, Any]]]:
    """The comparisons of each pair, evaluation splits first (what people compare runs on)."""
    groups: Dict[Tuple[str, str, str, str], List[Dict[str, Any]]] = {}
    for c in comparisons:
        groups.setdefault((c["kind"], c["split"], c["a"]["metric"], c["b"]["metric"]), []).append(c)
    rank = {"val": 0, "test": 1}
    return sorted(groups.values(), key=lambda cs: rank.get(cs[0]["split"], 2))


def _compare_pair_svg(cs: List[Dict[str, Any]]) -> str:
    cs = [c for c in cs if c["epoch"] is not None]
    epochs = [c["epoch"] for c in cs]
    fig, (top, bottom) = _figure(7.5, 4.6, rows=2)
    a, b = cs[0]["a"]["metric"], cs[0]["b"]["metric"]
    conv = cs[-1]["convention"]
    # A wide and light under B narrow and dark: both stay visible where they coincide.
    top.plot(epochs, [_num(c["a"], "logged") for c in cs], color=A_COLOUR, linestyle="--",
             marker="o", markersize=5, linewidth=2.6, alpha=0.5, label=f"A {a} (logged)")
    top.plot(epochs, [_num(c["b"], "logged") for c in cs], color=B_COLOUR, linestyle="--",
             marker="o", markersize=3, linewidth=1.2, label=f"B {b} (logged)")
    top.plot(epochs, [_num(c["a"], "common") if c["a"].get("common") is not None else math.nan
                      for c in cs], color=A_COLOUR, linewidth=4.0, alpha=0.5,
             label=f"A under {conv}")
    top.plot(epochs, [_num(c["b"], "common") if c["b"].get("common") is not None else math.nan
                      for c in cs], color=B_COLOUR, linewidth=1.6, label=f"B under {conv}")
    _style_axes(top, None, cs[0]["kind"])
    top.legend(fontsize=8, frameon=False, loc="best", ncol=2)
    top.set_title(f"{cs[0]['kind']} [{cs[0]['split']}]", fontsize=10)

    diff = [_num(c, "difference") if c.get("difference") is not None else math.nan for c in cs]
    low = [c["ci95"]["low"] if c.get("ci95") else math.nan for c in cs]
    high = [c["ci95"]["high"] if c.get("ci95") else math.nan for c in cs]
    bottom.fill_between(epochs, low, high, color="#7f7f7f", alpha=0.25, linewidth=0,
                        label="95% interval")
    bottom.plot(epochs, diff, color="#333333", marker="o", markersize=3, linewidth=1.6,
                label="B - A under the common convention")
    bottom.axhline(0.0, color="#999999", linewidth=0.9)
    for c in cs:
        if c["judged"]:
            bottom.axvline(c["epoch"], color=VERDICT_COLOURS.get(c["verdict"] or "", "#999"),
                           linestyle=":", linewidth=1.4)
    _style_axes(bottom, "epoch", "B - A")
    _integer_ticks(bottom)
    bottom.legend(fontsize=8, frameon=False, loc="best")
    return _svg(fig)


def _verdict_card(c: Dict[str, Any], alpha: float) -> str:
    verdict = c["verdict"] or "undecided"
    colour = VERDICT_COLOURS.get(verdict, "#999")
    epoch = f"epoch {c['epoch']}" if c["epoch"] is not None else "no shared epoch"
    rows = ""
    if c["epoch"] is not None:
        for label, side in (("A", c["a"]), ("B", c["b"])):
            rows += (f"<tr><td class=\"l\">{label} <code>{_e(side['metric'])}</code></td>"
                     f"<td>{_fmt(_num(side, 'logged'))}</td>"
                     f"<td>{_fmt(_num(side, 'common') if side.get('common') is not None else None)}"
                     f"</td><td class=\"l\">{_e(', '.join(side['explained_by']) or '(no dump)')}"
                     "</td></tr>")
        rows += (f"<tr><td class=\"l\">B &minus; A</td><td>{_fmt(c.get('logged_difference'))}</td>"
                 f"<td>{_fmt(c.get('difference'))}</td><td class=\"l\">under "
                 f"<code>{_e(c['convention'])}</code></td></tr>")
    test = ""
    if c.get("test"):
        test = f"<p class=\"meta\">{_e(c['test'])}"
        if c.get("p_value") is not None:
            test += f": p = {_fmt_p(c['p_value'])} (alpha {alpha:g})"
        if c.get("ci95"):
            test += f", 95% CI [{c['ci95']['low']:.4f}, {c['ci95']['high']:.4f}]"
        test += f", {_e(c.get('pairing') or '')}</p>"
    table = (f"<table><tr><th class=\"l\"></th><th>logged</th><th>common</th>"
             f"<th class=\"l\">explained by</th></tr>{rows}</table>") if rows else ""
    return (f"<div class=\"card verdict\" style=\"border-left-color:{colour}\"><h3>"
            f"<span class=\"badge\" style=\"background:{colour}\">{_e(verdict)}</span>"
            f"{_e(c['kind'])} [{_e(c['split'])}], {epoch}</h3>{table}{test}"
            f"<p>{_e(c.get('reason') or '')}</p></div>")


def render_compare(report: Dict[str, Any]) -> str:
    """The HTML page of a compare report (the JSON document as a dict)."""
    v = report["summary"]["verdicts"]
    judged = {"last": "the last epoch both runs logged, per pair", "all": "every shared epoch"}.get(
        report["judged"], f"epoch {report.get('judged_epoch')}")
    counts = ", ".join(f"{n} {k}" for k, n in v.items())  # the C++ report's order
    body = [f"<h1>metricaudit compare</h1><p class=\"meta\">metricaudit "
            f"{_e(report['tool_version'])} &middot; judged: {_e(judged)} &middot; alpha "
            f"{report['alpha']:g} &middot; {counts} &middot; exit status "
            f"{report['exit_status']}</p>"]
    runs = ""
    for label in ("a", "b"):
        r = report["runs"][label]
        colour = A_COLOUR if label == "a" else B_COLOUR
        runs += (f"<li><b style=\"color:{colour}\">{label.upper()}</b> <code>{_e(r['path'])}</code>"
                 f" &middot; logs: {_e(', '.join(l['path'] for l in r['logs']))} &middot; "
                 f"predictions: <code>{_e(r['predictions'] or '(none)')}</code></li>")
    body.append(f"<ul class=\"meta\">{runs}</ul><p class=\"meta\">Differences are B &minus; A. "
                "Solid lines: both runs under one convention, recomputed from their dumps; dashed: "
                "as logged. The band is the 95% interval of the difference.</p>")
    for cs in _pairs(report["comparisons"]):
        first = cs[0]
        body.append(f"<h2>{_e(first['kind'])} [{_e(first['split'])}]: "
                    f"<span style=\"color:{A_COLOUR}\">{_e(first['a']['metric'])}</span> vs "
                    f"<span style=\"color:{B_COLOUR}\">{_e(first['b']['metric'])}</span></h2>")
        body.extend(_verdict_card(c, report["alpha"]) for c in cs if c["judged"])
        if any(c["epoch"] is not None for c in cs):
            body.append(f"<figure class=\"plot curve\">{_compare_pair_svg(cs)}</figure>")
    findings = [(label.upper(), f) for label in ("a", "b") for f in report["runs"][label]["findings"]]
    if findings:
        body.append(f"<h2>Findings of the runs ({len(findings)})</h2>")
        body.extend(_finding_card(f, f"{label} ") for label, f in findings)
    body.append(_list("Notes", report.get("notes", [])))
    body.append(_list("Logged by one run only", report.get("unpaired", [])))
    body.append(_list("Warnings", report.get("warnings", [])))
    return _page("metricaudit compare", body)


def render_json(command: str, json_text: str) -> str:
    """The page of ``command``'s JSON document as the command wrote it (the renderer the
    ``metricaudit`` command calls for ``--format html``)."""
    import json

    return render(command, json.loads(json_text))


def render(command: str, report: Dict[str, Any]) -> str:
    """The page of ``command``'s JSON report ("audit" or "compare")."""
    if command == "compare":
        return render_compare(report)
    if command == "audit":
        return render_audit(report)
    raise ValueError(f"no HTML report for {command!r}")
