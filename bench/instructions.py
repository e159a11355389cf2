#!/usr/bin/env python3
"""Instruction counts of the CPU pass (callgrind), per row and per score, by shape.

Wall-clock timings on a shared machine are noise; callgrind's instruction counts are
not. For each shape this runs `pass_profile N C dtype variant 1` (one thread) under
callgrind twice, at two row counts, and reports the instructions of
metricaudit::update (inclusive) as a fixed cost per update call plus a marginal cost
per row (the difference of the two runs), and that per score.

Usage:
  bench/instructions.py [--build build/release] [--base OTHER_BUILD] [--shapes 10,1000,100000]
                        [--dtypes f32,f64] [--variants full,counts,lse]

--base: a second build (e.g. of another commit) measured the same way, with the ratio.
Instruction counts are not time: a gather is one instruction, a cache miss none. They
are what this machine can measure stably while other jobs run.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# Rows per run: (small, large) per class count, so a run reads ~1-15 million scores.
ROWS = {10: (20000, 120000), 1000: (400, 2400), 100000: (8, 48)}


def update_instructions(profile: Path, n: int, c: int, dtype: str, variant: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        str(profile), str(n), str(c), dtype, variant, "1"],
                       check=True, capture_output=True, text=True)
        ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(out)], check=True,
                             capture_output=True, text=True).stdout
    for line in ann.splitlines():
        if "metricaudit::update(metricaudit::SufficientState&" in line:
            return int(re.match(r"\s*([\d,]+)", line).group(1).replace(",", ""))
    raise RuntimeError(f"metricaudit::update not found in the profile of {profile}")


def measure(build: Path, c: int, dtype: str, variant: str) -> tuple[float, float]:
    """(fixed instructions per update, instructions per row)."""
    profile = build / "bench" / "pass_profile"
    small, large = ROWS.get(c, (2000, 12000))
    a = update_instructions(profile, small, c, dtype, variant)
    b = update_instructions(profile, large, c, dtype, variant)
    per_row = (b - a) / (large - small)
    return a - per_row * small, per_row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--base", default=None)
    ap.add_argument("--shapes", default="10,1000,100000")
    ap.add_argument("--dtypes", default="f32,f64")
    ap.add_argument("--variants", default="full,counts,lse")
    args = ap.parse_args()
    builds = [("this", Path(args.build))] + ([("base", Path(args.base))] if args.base else [])
    for _, b in builds:
        if not (b / "bench" / "pass_profile").exists():
            print(f"{b}/bench/pass_profile is missing: build the target pass_profile", file=sys.stderr)
            return 2
    head = f"{'C':>7} {'dtype':>5} {'variant':>7} {'per row':>10} {'per score':>10} {'fixed/update':>13}"
    if args.base:
        head += f" {'base/row':>10} {'base/score':>10} {'base/this':>9}"
    print(head, flush=True)
    for c in (int(x) for x in args.shapes.split(",")):
        for dtype in args.dtypes.split(","):
            for variant in args.variants.split(","):
                fixed, row = measure(Path(args.build), c, dtype, variant)
                line = f"{c:>7} {dtype:>5} {variant:>7} {row:>10.1f} {row / c:>10.2f} {fixed:>13.3g}"
                if args.base:
                    _, brow = measure(Path(args.base), c, dtype, variant)
                    line += f" {brow:>10.1f} {brow / c:>10.2f} {brow / row:>8.2f}x"
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
