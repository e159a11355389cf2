from ref import *
import sys
from inputs import derive
d = load(sys.argv[1]); bad=n=0
import numpy as np
E = float(np.float32(1e-7)); HI = float(np.float32(1) - np.float32(1e-7))
def am(r): return max(range(len(r)), key=lambda j: (r[j], -j))
def lsm(row):
    m = max(row); s = sum(math.exp(v - m) for v in row); return [v - m - math.log(s) for v in row]
def clip(x): return min(max(x, E), HI)
def lsig(x): return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))
skipped = []
for c in d['cases']:
    api = c['call']['api']; name = api.split('.')[-1]; kw = c['call']['kwargs']; inp = d['inputs'][c['input']]
    args = c['call']['args']
    if 'error' in c: skipped.append(c['id']); continue
    Y = derive(inp, args.get('y_true', args.get('y'))); P = inp['preds']
    w = inp['sample_weight'] if 'sample_weight' in args else [1.0]*len(P)
    C = inp.get('num_classes')
    def onehot(Y):
        return Y if isinstance(Y[0], list) else [[1.0 if j == t else 0.0 for j in range(C)] for t in Y]
    per = None
    if name in ('categorical_accuracy', 'CategoricalAccuracy', 'sparse_categorical_accuracy', 'SparseCategoricalAccuracy'):
        T = [am(r) for r in Y] if isinstance(Y[0], list) else Y
        per = [1.0 if am(p) == t else 0.0 for p, t in zip(P, T)]; mode = 'metric'
    elif name in ('top_k_categorical_accuracy', 'TopKCategoricalAccuracy', 'SparseTopKCategoricalAccuracy'):
        T = [am(r) for r in Y] if isinstance(Y[0], list) else Y; k = kw['k']
        per = [1.0 if sum(1 for v in p if v > p[t]) < k else 0.0 for p, t in zip(P, T)]; mode = 'metric'
    elif name in ('binary_accuracy', 'BinaryAccuracy'):
        Yf = Y if isinstance(Y[0], list) else [[y] for y in Y]; Pf = P if isinstance(P[0], list) else [[p] for p in P]
        per = [sum(1.0 for a, b in zip(pr, yr) if (1.0 if a > 0.5 else 0.0) == b)/len(pr) for pr, yr in zip(Pf, Yf)]; mode = 'metric'
        if c['call']['style'] == 'function': per = [[(1.0 if a > 0.5 else 0.0) == b for a, b in zip(pr, yr)] for pr, yr in zip(Pf, Yf)]; per = [[1.0 if x else 0.0 for x in r] for r in per]
    elif name == 'CategoricalCrossentropy' or name == 'SparseCategoricalCrossentropy':
        T = onehot(Y); eps = kw.get('label_smoothing', 0.0)
        T = [[y*(1-eps)+eps/C for y in r] for r in T]
        per = []
        for p, t in zip(P, T):
            if kw.get('from_logits'):
                lp = lsm(p)
                if any(v == -math.inf and a == 0 for v, a in zip(p, t)): lp = [math.nan]*len(p)   # 0 * -inf in -sum(y * log_softmax)
            else:
                s = sum(p); lp = [math.log(clip(v/s)) for v in p]
            per.append(-sum(a*b for a, b in zip(t, lp) if a or math.isnan(b)))
        mode = 'loss'
        if 'ignore_class' in kw:
            keep = [t != kw['ignore_class'] for t in Y]
            per = [v if k else 0.0 for v, k in zip(per, keep)]
    elif name == 'BinaryCrossentropy':
        Yf = Y if isinstance(Y[0], list) else [[y] for y in Y]; Pf = P if isinstance(P[0], list) else [[p] for p in P]
        eps = kw.get('label_smoothing', 0.0); per = []
        for pr, yr in zip(Pf, Yf):
            yr = [y*(1-eps)+0.5*eps for y in yr]
            if kw.get('from_logits'): v = [-(y*lsig(p) + (1-y)*lsig(-p)) for p, y in zip(pr, yr)]
            else: v = [-(y*math.log(clip(p)) + (1-y)*math.log(1-clip(p))) for p, y in zip(pr, yr)]
            per.append(sum(v)/len(v))
        mode = 'loss'
    else:
        skipped.append(c['id']); continue
    if c['call']['style'] == 'function': e = per
    elif mode == 'metric':
        if c['call'].get('batches'):
            e = sum(a*b for a, b in zip(per, w))/sum(w)
        else: e = sum(a*b for a, b in zip(per, w))/sum(w)
    else:
        red = kw.get('reduction', 'sum_over_batch_size')
        wl = [a*b for a, b in zip(per, w)]
        if red is None: e = wl
        elif red == 'sum': e = sum(wl)
        else:
            e = sum(wl)/len(wl)
            if 'ignore_class' in kw: e = sum(wl)/sum(keep)     # mean over non-ignored samples
            if name == 'BinaryCrossentropy' and not isinstance(Y[0], list):
                # 1-D targets: the loss is already the batch mean (mean over the last axis) before weighting
                e = sum(per)/len(per) * sum(w)/len(w)
    n += 1
    if isinstance(e, tuple):
        print('IGNORE', c['id'], c['output'], 'sum', e[1], '/valid', e[1]/e[2], '/N', e[1]/e[3]); continue
    if not close(e, c['output'], 2e-5): bad += 1; print('MISMATCH', c['id'], c['output'], e)
print(n, 'checked', bad, 'mismatch; skipped', len(skipped), skipped[:3])
