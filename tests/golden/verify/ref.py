import json, math, os, sys
GOLDEN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPK = os.environ.get('TOPK_BIN', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'topk'))
sys.path.insert(0, GOLDEN)

def dec(x):
    if isinstance(x, str): return {'NaN': math.nan, 'Infinity': math.inf, '-Infinity': -math.inf}.get(x, x)
    if isinstance(x, list): return [dec(v) for v in x]
    return x

def load(f):
    d = json.load(open(os.path.join(GOLDEN, f)))
    for k, v in d['inputs'].items():
        for f2 in ('preds',):
            v[f2] = dec(v[f2])
    for c in d['cases']:
        c['output'] = dec(c['output'])
    return d

def rank_sets(row, t, rule):
    """classes ranked above target under rule; returns rank (0 = top)"""
    s = row[t]
    if rule == 'index_order':
        return sum(1 for j, v in enumerate(row) if v > s or (v == s and j < t))
    if rule == 'high_index_first':
        return sum(1 for j, v in enumerate(row) if v > s or (v == s and j > t))
    if rule == 'optimistic':
        return sum(1 for j, v in enumerate(row) if v > s)

def topk_set(row, k, rule):
    idx = list(range(len(row)))
    if rule == 'index_order':
        idx.sort(key=lambda j: (-row[j], j))
    else:
        idx.sort(key=lambda j: (-row[j], -j))
    return set(idx[:k])

def close(a, b, tol=1e-6):
    if isinstance(a, list) and isinstance(b, list):
        fl = lambda X: [v for r in X for v in (fl(r) if isinstance(r, list) else [r])]
        a, b = fl(a), fl(b)
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if a is None or b is None: return a is b
    if math.isnan(a) or math.isnan(b): return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b): return a == b
    return abs(a - b) <= tol * max(1, abs(a), abs(b))

import subprocess
_cache = {}
def torch_topk(row, k):
    key = (tuple(row), k)
    if key not in _cache:
        inp = f"{len(row)} {k} " + " ".join(repr(float(v)) if v != float('-inf') else '-inf' for v in row)
        _cache[key] = set(map(int, subprocess.run([TOPK], input=inp, capture_output=True, text=True).stdout.split()))
    return _cache[key]
