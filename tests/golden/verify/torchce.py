from ref import *
import sys
from inputs import derive
import glob; d = load(os.path.basename(sorted(glob.glob(os.path.join(GOLDEN, 'torch-*.json')))[0]))
def lsm(row):
    m = max(row)
    if m == -math.inf: return [math.nan]*len(row)
    s = sum(math.exp(v - m) for v in row)
    return [v - m - math.log(s) for v in row]
def nl(x): return -x
bad=n=0
for c in d['cases']:
    api = c['call']['api']
    if 'cross_entropy' not in api and 'CrossEntropy' not in api: continue
    inp = d['inputs'][c['input']]; kw = c['call']['kwargs']; C = inp['num_classes']
    w = inp['class_weight'] if 'weight' in kw else [1.0]*C
    eps = kw.get('label_smoothing', 0.0); red = kw.get('reduction', 'mean'); ii = kw.get('ignore_index', -100)
    tf = c['call']['args']['target']
    per = []; den = 0.0
    if tf == 'target':
        for row, t in zip(inp['preds'], inp['target']):
            if t == ii: per.append(0.0); continue
            lp = lsm(row)
            nll = -w[t]*lp[t]
            sm = sum(-w[j]*lp[j] if w[j] else 0.0 for j in range(C))
            sm = sm if eps else 0.0
            per.append(((1-eps)*nll + eps/C*sm, nll, sm)); den += w[t]
        if red == 'none': e = [p[0] if isinstance(p, tuple) else 0.0 for p in per]
        else:
            P = [p for p in per if isinstance(p, tuple)]
            NLL = sum(p[1] for p in P); SM = sum(p[2] for p in P)
            if red == 'sum': e = (1-eps)*NLL + eps/C*SM
            else: e = ((1-eps)*NLL + eps/C*SM)/den if den else math.nan
    else:
        T = derive(inp, tf); tot = 0.0; pl=[]
        for row, t in zip(inp['preds'], T):
            lp = lsm(row); tt = [x*(1-eps)+eps/C for x in t]
            v = -sum(w[j]*tt[j]*lp[j] for j in range(C)); pl.append(v); tot += v
        e = pl if red == 'none' else (tot if red == 'sum' else tot/len(T))
    n+=1
    if not close(e, c['output'], 2e-5 if c['call']['dtype']=='float32' else 1e-12):
        bad+=1; print('MISMATCH', c['id'], c['output'], e)
print(n, 'checked', bad, 'mismatch')
