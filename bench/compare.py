#!/usr/bin/env python3
"""Side-by-side timing of metricaudit against numpy, scikit-learn and torchmetrics.

One process, one run, identical data (N x C logits, seeded), references interleaved
round by round so that load on the machine hits them alike. Per reference: the median
of the repeated runs, the ratio to metricaudit's median, and the bandwidth it reads
the scores at. Peak memory is measured beside time, each reference once in its own
subprocess (so one reference's peak cannot hide another's): tracemalloc's peak of
Python-visible allocations (numpy's buffers included) and the growth of the process's
peak RSS over the run (VmHWM reset through /proc/self/clear_refs: what C++ and torch
allocate outside tracemalloc too).

What is timed (the same question answered by each):
  metricaudit   Evaluator(C, top_k=[1, 5], threads=T).update(scores, target): ONE pass
                over the scores (C++ through the bindings); then micro, macro and
                weighted accuracy, per-class recall, top-5 accuracy and softmax
                cross-entropy read from the O(C) state.
  numpy         argmax + bincount (micro, macro, weighted, per-class) + a stable
                log-sum-exp cross-entropy (max, exp(x - max), sum, log). No top-5.
  sklearn       accuracy_score, recall_score(average="macro"), log_loss on softmax
                probabilities (the softmax and argmax, in numpy, are timed with it).
  torchmetrics  MulticlassAccuracy(average="micro") and (average="macro"),
                torch.nn.functional.cross_entropy, on CPU tensors sharing the numpy
                memory, torch.set_num_threads(T). Only when torch and torchmetrics
                import (scripts/bench --with-torch installs them).
  read          the memory-bandwidth floor: a plain read of the same bytes, numpy's
                sum over the score buffer viewed as int64 (read_1t: one thread;
                read_Tt: T threads, each summing a contiguous slice; numpy releases the
                GIL in the reduction). The faster of the two is the floor.

A reference that does not import is reported as missing, never as slow.

Dumps (--npz): the same logits and targets written once by np.savez_compressed (kept in
--data-dir, default build/bench-data, and reused), then, interleaved round by round:
  numpy         np.load(file), then reading both arrays (z["target"], z["logits"]).
  metricaudit   `metricaudit explain file --format json` (the audit command, --cli):
                reads the .npz (libdeflate, members in parallel) and folds it into a
                SufficientState (default options, all threads), then reads the catalogue.
The target is metricaudit <= 0.6x numpy's time.

Targets (--targets A.json B.json ...): the issue's targets read from result files
written by the runs above, each measured value beside its target.

Usage: bench/compare.py [--n 10000000] [--c 10] [--dtype float32] [--threads 2]
                        [--repeats 5] [--out bench/results/HOST-DATE.json] [--no-memory]
       bench/compare.py --npz [--n 1000000] [--c 1000] [--cli build/release/audit/metricaudit]
       bench/compare.py --targets RESULT.json...
"""
from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import gc
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import numpy as np

REFERENCES = ["read_1t", "read_Tt", "metricaudit", "numpy", "sklearn", "torchmetrics"]

# What each reference holds beyond the input, by design (stated in the report; the
# measured peaks are beside it).
MEMORY_NOTES = {
    "metricaudit": "O(C) per thread: a partial SufficientState (per-class counts, rank "
    "histograms, per-class ExactSum loss sums) merged at the end; no copy of the scores",
    "numpy": "O(N x C): exp(x - max) temporaries of the scores' size, plus O(N) argmax, "
    "masks and gathered target scores",
    "sklearn": "O(N x C): softmax probabilities (float64 in log_loss, which also one-hot "
    "encodes the target as an N x C array) plus O(N) label arrays; recall_score builds a "
    "C x C multilabel confusion through a bincount",
    "torchmetrics": "micro/macro accuracy: argmax O(N) and, for macro, a bincount of "
    "target * C + preds over C^2 bins (C^2 int64: 80 GB at C = 10^5); cross_entropy: an "
    "N x C log_softmax temporary",
    "read_1t": "none",
    "read_Tt": "none",
}


# ---- data ---------------------------------------------------------------------------


def make_data(n: int, c: int, dtype: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logit-like scores (normal, plus 3 at the target for 70% of rows) and int64 targets,
    generated in slices so that the generator's temporaries stay small."""
    rng = np.random.default_rng(seed)
    target = rng.integers(0, c, size=n, dtype=np.int64)
    scores = np.empty((n, c), dtype=np.dtype(dtype))
    step = max(1, (1 << 24) // c)
    for b in range(0, n, step):
        e = min(n, b + step)
        block = rng.standard_normal((e - b, c), dtype=np.float32 if dtype == "float32" else np.float64)
        boost = rng.random(e - b) < 0.7
        rows = np.nonzero(boost)[0]
        block[rows, target[b:e][rows]] += 3.0
        scores[b:e] = block
    return scores, target


# ---- references ---------------------------------------------------------------------


def ref_read_1t(scores: np.ndarray, target: np.ndarray, threads: int) -> Callable[[], Any]:
    words = scores.reshape(-1).view(np.int64) if scores.nbytes % 8 == 0 else scores.reshape(-1)

    def run() -> Any:
        return int(words.sum())

    return run


def ref_read_Tt(scores: np.ndarray, target: np.ndarray, threads: int) -> Callable[[], Any]:
    words = scores.reshape(-1).view(np.int64) if scores.nbytes % 8 == 0 else scores.reshape(-1)
    cuts = np.linspace(0, words.size, threads + 1).astype(np.int64)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads)

    def run() -> Any:
        parts = [pool.submit(lambda a, b: int(words[a:b].sum()), cuts[i], cuts[i + 1])
                 for i in range(threads)]
        return sum(p.result() for p in parts)

    return run


def ref_metricaudit(scores: np.ndarray, target: np.ndarray, threads: int) -> Callable[[], Any]:
    import metricaudit

    c = scores.shape[1]
    ks = [1, 5] if c >= 5 else [1]

    def run() -> Any:
        ev = metricaudit.Evaluator(c, top_k=ks, threads=threads)
        ev.update(scores, target)  # the one pass
        out = {
            "micro": ev.compute("accuracy", average="micro"),
            "macro": ev.compute("accuracy", average="macro"),
            "weighted": ev.compute("accuracy", average="weighted"),
            "per_class": ev.compute("accuracy", average="none"),
            "cross_entropy": ev.compute("cross_entropy"),
        }
        if c >= 5:
            out["top5"] = ev.compute("accuracy", average="micro", top_k=5)
        return out

    return run


def ref_numpy(scores: np.ndarray, target: np.ndarray, threads: int) -> Callable[[], Any]:
    c = scores.shape[1]
    rows = np.arange(scores.shape[0])

    def run() -> Any:
        pred = scores.argmax(axis=1)
        hit = pred == target
        support = np.bincount(target, minlength=c)
        tp = np.bincount(target[hit], minlength=c)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_class = tp / support
        present = support > 0
        m = scores.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(scores - m).sum(axis=1))
        ce = float(np.mean(lse - scores[rows, target]))
        return {
            "micro": float(hit.mean()),
            "macro": float(per_class[present].mean()),
            "weighted": float((per_class[present] * support[present]).sum() / support.sum()),
            "per_class": per_class,
            "cross_entropy": ce,
        }

    return run


def ref_sklearn(scores: np.ndarray, target: np.ndarray, threads: int) -> Callable[[], Any]:
    from sklearn.metrics import accuracy_score, log_loss, recall_score

    c = scores.shape[1]
    labels = np.arange(c)

    def run() -> Any:
        pred = scores.argmax(axis=1)
        m = scores.max(axis=1, keepdims=True)
        e = np.exp(scores - m)
        probs = e / e.sum(axis=1, keepdims=True)
        return {
            "micro": accuracy_score(target, pred),
            "macro": recall_score(target, pred, average="macro", labels=labels,
                                  zero_division=0),
            "cross_entropy": log_loss(target, probs, labels=labels),
        }

    return run


def ref_torchmetrics(scores: np.ndarray, target: np.ndarray, threads: int) -> Callable[[], Any]:
    import torch
    import torchmetrics.classification as tmc

    torch.set_num_threads(threads)
    c = scores.shape[1]
    s = torch.from_numpy(scores)
    t = torch.from_numpy(target)

    def run() -> Any:
        micro = tmc.MulticlassAccuracy(num_classes=c, average="micro")
        macro = tmc.MulticlassAccuracy(num_classes=c, average="macro")
        return {
            "micro": float(micro(s, t)),
            "macro": float(macro(s, t)),
            "cross_entropy": float(torch.nn.functional.cross_entropy(s, t)),
        }

    return run


FACTORIES = {
    "read_1t": ref_read_1t,
    "read_Tt": ref_read_Tt,
    "metricaudit": ref_metricaudit,
    "numpy": ref_numpy,
    "sklearn": ref_sklearn,
    "torchmetrics": ref_torchmetrics,
}


def version_of(name: str) -> str | None:
    try:
        if name == "metricaudit":
            import metricaudit

            return metricaudit.__version__
        if name == "sklearn":
            import sklearn

            return sklearn.__version__
        if name == "torchmetrics":
            import torch
            import torchmetrics

            return f"torchmetrics {torchmetrics.__version__}, torch {torch.__version__}"
        if name == "numpy" or name.startswith("read"):
            return np.__version__
    except Exception:
        return None
    return None


# ---- memory (one subprocess per reference) --------------------------------------------


def memory_child(args: argparse.Namespace) -> None:
    scores, target = make_data(args.n, args.c, args.dtype)
    run = FACTORIES[args.memory_child](scores, target, args.threads)
    gc.collect()
    # Peak RSS over the reference's run alone: Linux resets the high-water mark (VmHWM)
    # on "5" > /proc/self/clear_refs; elsewhere ru_maxrss (which may include the data
    # generation's own peak, so its growth is then a lower bound).
    reset = False
    try:
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        pass
    rss0 = _status_kb("VmRSS") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tracemalloc_peak_bytes": peak, "peak_rss_growth_bytes": (rss1 - rss0) * 1024,
                      "rss_method": "VmHWM after clear_refs" if reset else "ru_maxrss"}))


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def measure_memory(name: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--memory-child", name, "--n", str(args.n), "--c",
           str(args.c), "--dtype", args.dtype, "--threads", str(args.threads)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.memory_timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.memory_timeout} s"}
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- dumps (--npz) ---------------------------------------------------------------------


def npz_file(args: argparse.Namespace) -> Path:
    """The benchmark's .npz (np.savez_compressed of make_data), written once per shape."""
    d = Path(args.data_dir)
    d.mkdir(parents=True, exist_ok=True)
    f = d / f"val_epoch0-{args.n}x{args.c}-{args.dtype}.npz"  # a dump name explain accepts
    if not f.exists():
        t0 = time.perf_counter()
        scores, target = make_data(args.n, args.c, args.dtype)
        tmp = f.with_name(f.stem + ".partial.npz")
        np.savez_compressed(tmp, target=target, logits=scores)
        tmp.rename(f)
        del scores, target
        print(f"wrote {f} ({f.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.0f} s",
              flush=True)
    return f


def run_npz(args: argparse.Namespace) -> int:
    f = npz_file(args)
    cli = Path(args.cli)
    if not cli.exists():
        print(f"bench/compare.py: {cli} is missing (build the target metricaudit)", file=sys.stderr)
        return 2
    scores_bytes = args.n * args.c * np.dtype(args.dtype).itemsize

    def numpy_run() -> Any:
        with np.load(f) as z:
            t, s = z["target"], z["logits"]
            return int(t.shape[0]) + int(s.shape[1])

    def metricaudit_run() -> Any:
        out = subprocess.run([str(cli), "explain", str(f), "--format", "json"], check=True,
                             capture_output=True, text=True)
        return json.loads(out.stdout)["samples"]

    runners = {"numpy": numpy_run, "metricaudit": metricaudit_run}
    times: dict[str, list[float]] = {k: [] for k in runners}
    for name, run in runners.items():  # warm-up: the page cache holds the file after it
        run()
    for r in range(args.slow_repeats):
        for name, run in runners.items():
            gc.collect()
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
        print(f"  round {r + 1}/{args.slow_repeats} done", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    summary = {
        "host": socket.gethostname(),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "numpy": np.__version__,
                    "loadavg_at_end": os.getloadavg()},
        "mode": "npz",
        "data": {"n": args.n, "c": args.c, "dtype": args.dtype, "bytes": scores_bytes,
                 "file_bytes": f.stat().st_size, "file": str(f)},
        "results": {k: {"times_s": times[k], "median_s": med[k],
                        "gb_per_s": scores_bytes / med[k] / 1e9} for k in runners},
        "metricaudit_over_numpy": med["metricaudit"] / med["numpy"],
    }
    print()
    print(f"{'reference':<14}{'median':>11}{'GB/s':>8}   what")
    print(f"{'numpy':<14}{med['numpy']:>10.2f}s{scores_bytes / med['numpy'] / 1e9:>8.2f}"
          f"   np.load + z['target'], z['logits']")
    print(f"{'metricaudit':<14}{med['metricaudit']:>10.2f}s{scores_bytes / med['metricaudit'] / 1e9:>8.2f}"
          f"   metricaudit explain (read + fold into a state + catalogue)")
    print(f"\nmetricaudit takes {summary['metricaudit_over_numpy']:.2f}x numpy's time "
          f"(target <= 0.6x); file {f.stat().st_size / 1e9:.2f} GB, {scores_bytes / 1e9:.2f} GB "
          f"of scores")
    write_summary(summary, args, "npz")
    return 0


def write_summary(summary: dict[str, Any], args: argparse.Namespace, tag: str) -> Path:
    out = Path(args.out) if args.out else (
        Path(__file__).resolve().parent / "results" /
        f"{socket.gethostname()}-{datetime.date.today().isoformat()}-{tag}.json")
    out.parent.mkdir(parents=True, exist_ok=True)

    def default(o: Any) -> Any:
        if isinstance(o, np.ndarray):
            return None  # per-class arrays are not written
        return float(o)

    out.write_text(json.dumps(summary, indent=2, default=default) + "\n")
    print(f"wrote {out}")
    return out


# ---- targets (--targets) ------------------------------------------------------------------

# The targets: (what, the result's data shape it applies to, how to read it, target).
def print_targets(files: list[str]) -> int:
    rows: list[tuple[str, str, str, str]] = []
    for name in files:
        r = json.loads(Path(name).read_text())
        d = r["data"]
        shape = f"{d['n']:.0e} x {d['c']} {d['dtype']}".replace("e+0", "e")
        if r.get("mode") == "npz":
            v = r["metricaudit_over_numpy"]
            rows.append((f"dump load + fold vs np.load ({shape})", f"{v:.2f}x", "<= 0.6x",
                         "met" if v <= 0.6 else "missed"))
            continue
        res = r["results"]
        frac = r.get("metricaudit_fraction_of_read_bandwidth")
        if frac is not None:
            goal = 0.5 if d["c"] <= 100 else 0.7
            rows.append((f"full pass, fraction of plain-read bandwidth ({shape})",
                         f"{frac * 100:.0f}%", f">= {goal * 100:.0f}%",
                         "met" if frac >= goal else "missed"))
        for ref, goal in (("numpy", 20.0), ("torchmetrics", 20.0), ("sklearn", 200.0)):
            x = res.get(ref, {})
            if x.get("status") != "ok":
                if ref in res:
                    rows.append((f"vs {ref} ({shape})", "missing", f">= {goal:.0f}x", "not measured"))
                continue
            ratio = x["ratio_vs_metricaudit"]
            rows.append((f"vs {ref} ({shape})", f"{ratio:.1f}x", f">= {goal:.0f}x",
                         "met" if ratio >= goal else "missed"))
    w = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'target':<{w}}  {'measured':>9}  {'goal':>8}  verdict")
    for what, measured, goal, verdict in rows:
        print(f"{what:<{w}}  {measured:>9}  {goal:>8}  {verdict}")
    return 0


# ---- main ---------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, help="rows (default 10^7; 10^6 with --npz)")
    ap.add_argument("--c", type=int, help="classes (default 10; 1000 with --npz)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per reference")
    ap.add_argument("--slow-repeats", type=int, default=3,
                    help="timed runs for scikit-learn and torchmetrics (seconds each at 10^7 rows)")
    ap.add_argument("--only", default=",".join(REFERENCES), help="comma-separated references")
    ap.add_argument("--out", default=None, help="JSON file (default bench/results/HOST-DATE.json)")
    ap.add_argument("--no-memory", action="store_true", help="skip the per-reference memory subprocesses")
    ap.add_argument("--memory-timeout", type=int, default=600)
    ap.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--npz", action="store_true",
                    help="dumps: np.savez_compressed file, np.load vs metricaudit explain")
    ap.add_argument("--cli", default="build/release/audit/metricaudit",
                    help="the audit command (--npz)")
    ap.add_argument("--data-dir", default="build/bench-data", help="where --npz keeps its file")
    ap.add_argument("--targets", nargs="+", default=None, help="result files to read targets from")
    ap.set_defaults(n=None, c=None)
    args = ap.parse_args()
    if args.targets:
        return print_targets(args.targets)
    if args.n is None:
        args.n = 1_000_000 if args.npz else 10_000_000
    if args.c is None:
        args.c = 1000 if args.npz else 10
    if args.memory_child:
        memory_child(args)
        return 0
    if args.npz:
        return run_npz(args)

    wanted = [r for r in args.only.split(",") if r]
    print(f"data: {args.n} x {args.c} {args.dtype} logits, {args.threads} threads, "
          f"{args.repeats} runs ({args.slow_repeats} for sklearn/torchmetrics)", flush=True)
    t0 = time.perf_counter()
    scores, target = make_data(args.n, args.c, args.dtype)
    print(f"generated in {time.perf_counter() - t0:.1f} s ({scores.nbytes / 1e6:.0f} MB of scores)", flush=True)

    runners: dict[str, Callable[[], Any]] = {}
    results: dict[str, dict[str, Any]] = {}
    for name in wanted:
        try:
            runners[name] = FACTORIES[name](scores, target, args.threads)
            results[name] = {"status": "ok", "version": version_of(name), "times_s": [],
                             "memory_note": MEMORY_NOTES[name]}
        except ImportError as e:
            results[name] = {"status": "missing", "reason": f"not importable: {e}",
                             "memory_note": MEMORY_NOTES[name]}
            print(f"  {name}: missing ({e})", flush=True)

    # Warm-up (page faults, imports, thread pools), then rounds: every reference once
    # per round, so a burst of load on the machine is shared out.
    values: dict[str, Any] = {}
    for name, run in runners.items():
        values[name] = run()
    rounds = max(args.repeats, args.slow_repeats)
    for r in range(rounds):
        for name, run in runners.items():
            limit = args.slow_repeats if name in ("sklearn", "torchmetrics") else args.repeats
            if r >= limit:
                continue
            gc.collect()
            t = time.perf_counter()
            run()
            results[name]["times_s"].append(time.perf_counter() - t)
        print(f"  round {r + 1}/{rounds} done", flush=True)

    for name in runners:
        ts = results[name]["times_s"]
        results[name]["median_s"] = statistics.median(ts)
        results[name]["gb_per_s"] = scores.nbytes / statistics.median(ts) / 1e9

    base = results.get("metricaudit", {}).get("median_s")
    floor_name = min((n for n in ("read_1t", "read_Tt") if n in runners),
                     key=lambda n: results[n]["median_s"], default=None)
    for name in runners:
        if base:
            results[name]["ratio_vs_metricaudit"] = results[name]["median_s"] / base

    if not args.no_memory:
        for name in runners:
            print(f"  memory: {name} ...", flush=True)
            results[name]["memory"] = measure_memory(name, args)

    # Agreement of the values (a benchmark of wrong numbers would be worthless).
    agree: dict[str, Any] = {}
    if "metricaudit" in values:
        ma = values["metricaudit"]
        for name in ("numpy", "sklearn", "torchmetrics"):
            if name in values:
                v = values[name]
                agree[name] = {k: float(abs(float(np.asarray(v[k]).ravel()[0] if k == "per_class" else v[k])
                                            - float(np.asarray(ma[k]).ravel()[0] if k == "per_class" else ma[k])))
                               for k in v if k in ma}

    summary: dict[str, Any] = {
        "host": socket.gethostname(),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "python": platform.python_version(), "numpy": np.__version__,
                    "loadavg_at_end": os.getloadavg()},
        "data": {"n": args.n, "c": args.c, "dtype": args.dtype, "bytes": scores.nbytes,
                 "kind": "logits"},
        "threads": args.threads,
        "repeats": args.repeats,
        "slow_repeats": args.slow_repeats,
        "read_floor": floor_name,
        "results": results,
        "abs_difference_vs_metricaudit": agree,
    }
    if floor_name and base:
        summary["metricaudit_fraction_of_read_bandwidth"] = results[floor_name]["median_s"] / base

    # Table.
    print()
    print(f"{'reference':<14}{'median':>11}{'GB/s':>8}{'x metricaudit':>15}{'tracemalloc':>14}{'RSS growth':>12}")
    for name in wanted:
        r = results[name]
        if r["status"] != "ok":
            print(f"{name:<14}{'missing':>11}   ({r['reason']})")
            continue
        mem = r.get("memory", {})
        tm = mem.get("tracemalloc_peak_bytes")
        rss = mem.get("peak_rss_growth_bytes")
        fmt = lambda b: "-" if b is None else f"{b / 1e6:.1f} MB"  # noqa: E731
        ratio = r.get("ratio_vs_metricaudit")
        print(f"{name:<14}{r['median_s'] * 1e3:>9.1f}ms{r['gb_per_s']:>8.2f}"
              f"{'' if ratio is None else f'{ratio:.2f}x':>15}{fmt(tm):>14}{fmt(rss):>12}")
    if "metricaudit_fraction_of_read_bandwidth" in summary:
        print(f"\nmetricaudit reads the scores at "
              f"{summary['metricaudit_fraction_of_read_bandwidth'] * 100:.0f}% of the plain-read "
              f"bandwidth ({floor_name}: {results[floor_name]['gb_per_s']:.2f} GB/s)")

    write_summary(summary, args, f"{args.n}x{args.c}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
