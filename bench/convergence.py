"""Is the quick preset's training long enough for its answers? Train every SAE of the quick run for twice the epochs and compare the states.

The reference is a quick run (`--run`; built by the pipeline when it has no states yet). A second run reads a copy of its store (same
checksum, so the matched nulls are shared: they are copied too) and trains every SAE of the same grid and seeds for twice the preset's
epochs (preset 'quick_x2', registered in this process only), then is analysed the same way. Reported:
- how many trained SAEs meet the report's convergence criterion (objective change < 2 % over the last fifth before the decay) at L and 2L;
- the median relative fall of the final training FVU from L to 2L;
- the fraction of SAE x concept states (own_latent / distributed / dropped, analysis/states.csv) that differ between L and 2L, overall and
  per type, with the transitions and each state's share; the same for the information notion alone (kept vs dropped); and, for scale, how
  often two seeds of one configuration disagree at the same length.

Target (issue 22): fewer than 5 % of states change on doubling the training.

    python bench/convergence.py [--run runs/quick] [--out bench/_out/convergence_x2]

Last line: `converged_L=<a>/<n> converged_2L=<b>/<n> fvu_fall_median=<x> state_change=<y> dropped_change=<z>`.
"""
import argparse, itertools, shutil, time
from pathlib import Path

import numpy as np
import pandas as pd

from sae_concept_dynamics.pipeline import PIPELINE_PRESETS, run_pipeline
from sae_concept_dynamics.training import PRESETS, list_saes, convergence_stats


def converged(run, tol=0.02):
    "sae_id -> (objective change over the last stretch before the decay, from history.csv; final train FVU)."
    rows = []
    for t in sorted((Path(run)/'saes').glob('*')):
        if not (t/'sweep.json').exists(): continue
        for r in list_saes(t).itertuples():
            h = pd.read_csv(Path(r.path)/'history.csv')
            rows.append(dict(sae_id=r.config_id, change=convergence_stats(h)['loss_rel_change_pre_decay'], train_fvu=r.train_fvu))
    d = pd.DataFrame(rows).set_index('sae_id')
    d['ok'] = d.change.abs() < tol
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', default='runs/quick'); ap.add_argument('--out', default='bench/_out/convergence_x2')
    a = ap.parse_args()
    ref, out, t0 = Path(a.run), Path(a.out), time.time()
    if not (ref/'analysis'/'states.csv').exists(): run_pipeline(ref, preset='quick', progress=False)
    P = PIPELINE_PRESETS['quick']; base = PRESETS[P['sae_preset']]
    PRESETS['quick_x2'] = dict(base, epochs=2 * base['epochs'])
    PIPELINE_PRESETS['quick_x2'] = dict(P, sae_preset='quick_x2', ablation=None)
    if (ref/'nulls').is_dir(): shutil.copytree(ref/'nulls', out/'nulls', dirs_exist_ok=True)
    run_pipeline(out, preset='quick_x2', store=ref/'store', progress=False, ablation=False)
    c1, c2 = converged(ref), converged(out)
    c = c1.add_suffix('_L').join(c2.add_suffix('_2L'), how='inner')
    fall = (c.train_fvu_L - c.train_fvu_2L) / c.train_fvu_L
    s1, s2 = (pd.read_csv(r/'analysis'/'states.csv', dtype={'sae_id': str}) for r in (ref, out))
    m = s1.merge(s2[['sae_id', 'concept', 'state', 'info_kept']], on=['sae_id', 'concept'], suffixes=('_L', '_2L'))
    m = m.dropna(subset=['state_L', 'state_2L'])
    m['changed'] = m.state_L != m.state_2L
    m['dropped_changed'] = m.state_L.eq('dropped') != m.state_2L.eq('dropped')
    print(f"epochs {base['epochs']} -> {2 * base['epochs']}: {len(c)} SAEs, {len(m)} SAE x concept pairs ({time.time() - t0:.0f}s)")
    print(f"converged (|objective change| < 2% over the last fifth before the decay): {int(c.ok_L.sum())}/{len(c)} at L, {int(c.ok_2L.sum())}/{len(c)} at 2L; "
          f"median change {c.change_L.median():.1%} at L, {c.change_2L.median():.1%} at 2L")
    print(f"final train FVU fell by {fall.median():.1%} (median; range {fall.min():.1%} to {fall.max():.1%}) from L to 2L")
    for t, g in m.groupby('sae_type'):
        print(f"{t}: states changed {g.changed.mean():.1%} of {len(g)}; dropped vs kept changed {g.dropped_changed.mean():.1%}; "
              f"mean |info_kept change| {np.nanmean(np.abs(g.info_kept_L - g.info_kept_2L)):.4f}")
    sh = lambda col: m[col].value_counts(normalize=True).reindex(['own_latent', 'distributed', 'dropped']).fillna(0.)
    print("state shares at L: " + ', '.join(f"{k} {v:.1%}" for k, v in sh('state_L').items()) + "; at 2L: " + ', '.join(f"{k} {v:.1%}" for k, v in sh('state_2L').items()))
    pairs = lambda s: np.mean([a != b for _, g in s.groupby(['config', 'concept']) for a, b in itertools.combinations(g.sort_values('seed').state, 2)])
    print(f"for scale, seed-to-seed: {pairs(s1):.1%} of seed pairs of one configuration disagree on a concept's state at L ({pairs(s2):.1%} at 2L)")
    print("transitions (L -> 2L):")
    print(pd.crosstab(m.state_L, m.state_2L).to_string())
    print(f"converged_L={int(c.ok_L.sum())}/{len(c)} converged_2L={int(c.ok_2L.sum())}/{len(c)} fvu_fall_median={fall.median():.4f} "
          f"state_change={m.changed.mean():.4f} dropped_change={m.dropped_changed.mean():.4f}")


if __name__ == '__main__':
    main()
