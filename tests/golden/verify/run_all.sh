#!/usr/bin/env bash
# Re-derives every golden output from the inputs under the conventions that FINDINGS.md
# states, and reports mismatches. Needs python3 with numpy, and g++ (for topk.cpp: the
# libstdc++ nth_element / partial_sort that torch's CPU topk uses, which decides top-k ties).
set -euo pipefail
cd "$(dirname "$0")"
g++ -O2 -std=c++17 topk.cpp -o "${TMPDIR:-/tmp}/metricaudit_golden_topk"
export TOPK_BIN="${TMPDIR:-/tmp}/metricaudit_golden_topk"
G=..
for f in "$G"/torchmetrics-*.json; do
  python3 tm.py "$(basename "$f")" torch | tail -1
  python3 tmbin.py "$(basename "$f")" | tail -1
done
python3 torchce.py | tail -1
python3 torchbce.py | tail -1
for f in "$G"/keras-*.json; do python3 keras_chk.py "$(basename "$f")" | grep -v '^IGNORE' | tail -4; done
for f in "$G"/sklearn-*.json; do python3 sk_chk.py "$(basename "$f")" | tail -1; done
