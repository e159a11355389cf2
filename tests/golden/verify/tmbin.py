from ref import *
import sys, numpy as np
f = sys.argv[1]; d = load(f)
def sig32(x):
    x = np.float32(x); return float(np.float32(1) / (np.float32(1) + np.exp(-x, dtype=np.float32)))
def decide(preds, thr, mode):
    flat = [v for r in preds for v in (r if isinstance(r, list) else [r])]
    logit = any(v < 0 or v > 1 for v in flat)
    def one(v):
        if logit:
            return (sig32(v) if mode == 'sig' else (1/(1+math.exp(-v)))) > thr
        return v > thr
    return [[one(v) for v in r] if isinstance(r, list) else one(r) for r in preds]
bad = n = 0
for c in d['cases']:
    cls = c['call']['api'].split('.')[-1]
    if not (cls.startswith('Binary') or cls.startswith('Multilabel')): continue
    inp = d['inputs'][c['input']]; kw = c['call']['kwargs']
    P = decide(inp['preds'], kw.get('threshold', 0.5), 'sig')
    T = inp['target']; ii = kw.get('ignore_index')
    if cls.startswith('Binary'): P = [[p] for p in P]; T = [[t] for t in T]
    L = len(T[0])
    tp=[0]*L; fp=[0]*L; tn=[0]*L; fn=[0]*L; rows_ok=0; rows=0
    for pr, tr in zip(P, T):
        ok = True
        for j in range(L):
            if ii is not None and tr[j] == ii:
                ok = False   # MultilabelExactMatch compares the -1 target with 0/1: such a row is never right
                continue
            if pr[j] and tr[j]: tp[j]+=1
            elif pr[j]: fp[j]+=1; ok=False
            elif tr[j]: fn[j]+=1; ok=False
            else: tn[j]+=1
        rows += 1; rows_ok += ok
    sd = lambda a,b: a/b if b else 0.0
    avg = kw.get('average', 'macro'); ml = cls.startswith('Multilabel')
    if cls.endswith('Accuracy'): per = [sd(tp[j]+tn[j], tp[j]+tn[j]+fp[j]+fn[j]) for j in range(L)]; mic = sd(sum(tp)+sum(tn), sum(tp)+sum(tn)+sum(fp)+sum(fn))
    elif cls.endswith('Precision'): per = [sd(tp[j], tp[j]+fp[j]) for j in range(L)]; mic = sd(sum(tp), sum(tp)+sum(fp))
    elif cls.endswith('Recall'): per = [sd(tp[j], tp[j]+fn[j]) for j in range(L)]; mic = sd(sum(tp), sum(tp)+sum(fn))
    if cls == 'MultilabelExactMatch': e = rows_ok/rows
    elif not ml: e = per[0]
    elif avg == 'micro': e = mic
    elif avg == 'none': e = per
    elif avg == 'weighted':
        w = [tp[j]+fn[j] for j in range(L)]; e = sd(sum(a*b for a,b in zip(w,per)), sum(w))
    else: e = sum(per)/L
    n += 1
    if not close(e, c['output']): bad += 1; print('MISMATCH', c['id'], c['output'], e)
print(f, n, 'checked', bad, 'mismatch')
