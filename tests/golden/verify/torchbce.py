from ref import *
import sys
from inputs import derive
import glob; d = load(os.path.basename(sorted(glob.glob(os.path.join(GOLDEN, 'torch-*.json')))[0])); bad=n=0
def lg(x): return max(math.log(x), -100.0) if x > 0 else -100.0
def lsig(x): return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))
for c in d['cases']:
    api = c['call']['api']
    if 'BCE' not in api: continue
    inp = d['inputs'][c['input']]; kw = c['call']['kwargs']
    P = derive(inp, 'preds'); T = derive(inp, c['call']['args']['target'])
    flat = lambda X: [v for r in X for v in (r if isinstance(r, list) else [r])]
    P, T = flat(P), flat(T)
    w = inp['sample_weight'] if 'weight' in kw else [1.0]*len(P)
    pw = inp['pos_weight'][0] if 'pos_weight' in kw else 1.0
    if api.endswith('BCELoss'): per = [-wi*(t*lg(p) + (1-t)*lg(1-p)) for p,t,wi in zip(P,T,w)]
    else: per = [-wi*(pw*t*lsig(p) + (1-t)*lsig(-p)) for p,t,wi in zip(P,T,w)]
    red = kw.get('reduction','mean')
    e = per if red=='none' else (sum(per) if red=='sum' else sum(per)/len(per))
    n+=1
    if not close(e, c['output'], 2e-5): bad+=1; print('MISMATCH', c['id'], c['output'], e)
print(n,'checked',bad,'mismatch')
