from ref import *
import os; VAR=os.environ.get('VAR','')
import sys
f = sys.argv[1]; rule = sys.argv[2] if len(sys.argv) > 2 else 'index_order'
d = load(f); ver = d['version']; major = int(ver.split('.')[0])

def stats(inp, k, ii, preds_field, rule):
    C = inp['num_classes']
    tp=[0]*C; fp=[0]*C; fn=[0]*C
    for n,t in enumerate(inp['target']):
        if ii is not None and t == ii: continue
        if preds_field == 'pred_labels': P = {inp['pred_labels'][n]}
        elif k == 1: P = {inp['pred_labels'][n]}
        else: P = torch_topk(inp['preds'][n], k) if rule == 'torch' else topk_set(inp['preds'][n], k, rule)
        for p in P:
            if p == t: tp[t]+=1
            else: fp[p]+=1
        if t not in P: fn[t]+=1
    return tp, fp, fn

def sd(a, b, z=0.0): return a/b if b else z

def expect(cls, kw, inp, preds_field, version_major, excl_variant=None):
    C = inp['num_classes']; k = kw.get('top_k', 1); ii = kw.get('ignore_index')
    avg = kw.get('average', 'macro' if cls != 'Accuracy' else 'micro')
    zd = kw.get('zero_division', 0)
    tp, fp, fn = stats(inp, k, ii, preds_field, rule)
    if cls in ('MulticlassAccuracy', 'Accuracy', 'MulticlassRecall'):
        sc = [sd(tp[c], tp[c]+fn[c], zd) for c in range(C)]
        if avg == 'micro': return sd(sum(tp), sum(tp)+sum(fn), zd)
    elif cls == 'MulticlassPrecision':
        sc = [sd(tp[c], tp[c]+fp[c], zd) for c in range(C)]
        if avg == 'micro': return sd(sum(tp), sum(tp)+sum(fp), zd)
    elif cls == 'MulticlassF1Score':
        sc = [sd(2*tp[c], 2*tp[c]+fp[c]+fn[c], zd) for c in range(C)]
        if avg == 'micro': return sd(2*sum(tp), 2*sum(tp)+sum(fp)+sum(fn), zd)
    if avg in ('none', None): return sc
    if avg == 'weighted':
        w = [tp[c]+fn[c] for c in range(C)]
    else:
        w = [1]*C
        if version_major >= 1:
            kk = k if (cls != 'MulticlassF1Score' or VAR=='f1k') else 1
            if VAR=='k1rule': kk = 1
            for c in range(C):
                if (tp[c]+fp[c]+fn[c] == 0) if kk == 1 else (tp[c]+fn[c] == 0): w[c] = 0
    s = sum(w)
    return sum(wi*x for wi,x in zip(w, sc))/s if s else 0.0

bad = 0; n = 0
for c in d['cases']:
    cls = c['call']['api'].split('.')[-1]
    if not cls.startswith('Multiclass') and cls != 'Accuracy': continue
    if 'error' in c: continue
    inp = d['inputs'][c['input']]
    e = expect(cls, c['call']['kwargs'], inp, c['call']['args']['preds'], major)
    n += 1
    if not close(e, c['output'], 1e-6):
        bad += 1
        print('MISMATCH', c['id'], 'lib=', c['output'], 'ref=', e)
print(f, rule, n, 'checked', bad, 'mismatches')
