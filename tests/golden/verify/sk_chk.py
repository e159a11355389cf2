from ref import *
import sys
import numpy as np
from inputs import derive
d = load(sys.argv[1]); bad=n=0; skipped=[]
for c in d['cases']:
    if 'error' in c: skipped.append(c['id']); continue
    fn = c['call']['api'].split('.')[-1]; kw = c['call']['kwargs']; inp = d['inputs'][c['input']]; args = c['call']['args']
    if inp['kind'] != 'multiclass': skipped.append(c['id']); continue
    C = inp['num_classes']; Y = inp['target']
    w = inp['sample_weight'] if 'sample_weight' in kw else [1.0]*len(Y)
    labels = list(range(C)) if 'labels' in kw else sorted(set(Y) | set(inp['pred_labels']))
    P = inp['pred_labels']
    tp = {l: 0.0 for l in labels}; pr = dict(tp); su = dict(tp)
    for y, p, wi in zip(Y, P, w):
        if y == p and y in tp: tp[y] += wi
        if p in pr: pr[p] += wi
        if y in su: su[y] += wi
    zd = kw.get('zero_division', 'warn'); zdv = 0.0 if zd == 'warn' else (math.nan if zd == 'NaN' else zd)
    def div(a, b): return a/b if b else zdv
    avg = kw.get('average', 'binary')
    if fn == 'accuracy_score': e = sum(wi for y, p, wi in zip(Y, P, w) if y == p)/sum(w)
    elif fn == 'balanced_accuracy_score':
        per = [tp[l]/su[l] for l in labels if su[l]]
        e = sum(per)/len(per)
        if kw.get('adjusted'): K = len(per); e = (e - 1/K)/(1 - 1/K) if K > 1 else math.nan
    elif fn in ('recall_score', 'precision_score', 'f1_score'):
        if avg == 'binary': skipped.append(c['id']); continue
        T, PR, S = sum(tp.values()), sum(pr.values()), sum(su.values())
        if fn == 'recall_score': per = [div(tp[l], su[l]) for l in labels]; mic = div(T, S)
        elif fn == 'precision_score': per = [div(tp[l], pr[l]) for l in labels]; mic = div(T, PR)
        else: per = [div(2*tp[l], su[l]+pr[l]) for l in labels]; mic = div(2*T, S+PR)
        if avg == 'micro': e = mic
        elif avg is None: e = per
        else:
            ww = [su[l] for l in labels] if avg == 'weighted' else [1.0]*len(labels)
            keep = [(x, v) for x, v in zip(per, ww) if not math.isnan(x)]
            if not keep: e = math.nan
            elif sum(v for _, v in keep) == 0: e = sum(x for x, _ in keep)/len(keep)
            else: e = sum(x*v for x, v in keep)/sum(v for _, v in keep)
    elif fn == 'confusion_matrix':
        e = [[sum(1 for y, p in zip(Y, P) if y == a and p == b) for b in labels] for a in labels]
    elif fn == 'top_k_accuracy_score':
        k = kw.get('k', 2)
        hits = [1.0 if rank_sets(row, t, 'high_index_first') < k else 0.0 for row, t in zip(inp['preds'], Y)]
        e = sum(h*wi for h, wi in zip(hits, w))/sum(w)
    elif fn == 'log_loss':
        eps = float(np.finfo(np.float32 if c['call']['dtype'] == 'float32' else np.float64).eps)
        per = [-math.log(min(max(row[t], eps), 1-eps)) for row, t in zip(inp['preds'], Y)]
        e = sum(a*b for a, b in zip(per, w))
        if kw.get('normalize', True): e /= sum(w)
    else: skipped.append(c['id']); continue
    n += 1
    tol = 1e-6 if c['call']['dtype'] == 'float32' else 1e-12
    if not close(e, c['output'], tol): bad += 1; print('MISMATCH', c['id'], c['output'], e)
print(n, 'checked', bad, 'mismatch; skipped', len(skipped))
