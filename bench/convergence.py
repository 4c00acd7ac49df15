"""Is a preset's training long enough? Train a sample of its SAEs at length L and 2L and compare.

For each preset and SAE type, a sample of the preset's knob values (lambdas or k fractions, spread over the grid) is
trained at the preset's epochs (L) and at twice that (2L) on the embedded store, same seed. Reported per SAE:
the relative drop of the final training loss (mean of the last five history rows) from L to 2L, and whether the
null-calibrated verdict (matched random-dictionary null, q99 of `--n_draws` draws) changes for each concept.

Target (quick preset): loss drop < 2 % and verdict change < 5 %.

    python bench/convergence.py [--presets quick] [--types vanilla,topk] [--n_knobs 3] [--seed 0] [--n_draws 20]

Last line: `loss_drop=<median fraction over sampled SAEs> verdict_change=<fraction of SAE x concept verdicts that differ>`.
"""
import argparse, tempfile, time
from pathlib import Path

import numpy as np
import pandas as pd

from sae_concept_dynamics.fixtures import example_store
from sae_concept_dynamics.training import PRESETS, train_sweep
from sae_concept_dynamics.nulls import sweep_statistics, null_table, retention_verdicts, NULL_READOUTS


def knob_sample(preset, sae_type, n):
    "n knob values spread over the preset's grid for this SAE type."
    P = PRESETS[preset]
    vals = P['k_fracs'] if sae_type in ('topk', 'batchtopk') else P.get('jumprelu_lams' if sae_type == 'jumprelu' else 'lams', P['lams'])
    pick = [vals[i] for i in np.unique(np.linspace(0, len(vals) - 1, n).round().astype(int))]
    return dict(k_fracs=tuple(pick)) if sae_type in ('topk', 'batchtopk') else dict(lams=tuple(pick))


def final_loss(sae_dir):
    "config_id -> mean loss of the last five history rows."
    return {d.name: float(pd.read_csv(d/'history.csv').loss.tail(5).mean()) for d in Path(sae_dir).iterdir() if (d/'history.csv').exists()}


def one(store, preset, sae_type, n_knobs, seed, n_draws, tmp):
    "Loss drops and verdict changes of one preset and type."
    ep = PRESETS[preset]['epochs']; knobs = knob_sample(preset, sae_type, n_knobs); out = {}
    for mult in (1, 2):
        d = Path(tmp)/f'{preset}_{sae_type}_x{mult}'
        train_sweep(store, sae_type, d, preset=preset, seeds=(seed,), epochs=mult * ep, progress=False, **knobs)
        st = sweep_statistics(d, store, readouts=NULL_READOUTS)
        nl = null_table(st[['sae_type', 'hidden', 'k', 'l0']].drop_duplicates(), store, cache_dir=Path(tmp)/'nulls', n_draws=n_draws, grid=0.1)
        out[mult] = (final_loss(d), retention_verdicts(st, nl, 'q99', 0.1).set_index(['sae_id', 'concept']).verdict)
    drops = [(out[1][0][k] - out[2][0][k]) / abs(out[1][0][k]) for k in out[1][0] if k in out[2][0]]
    v1, v2 = out[1][1].align(out[2][1], join='inner')
    return drops, (v1 != v2).to_numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--presets', default='quick'); ap.add_argument('--types', default='vanilla,topk')
    ap.add_argument('--n_knobs', type=int, default=3); ap.add_argument('--seed', type=int, default=0); ap.add_argument('--n_draws', type=int, default=20)
    a = ap.parse_args()
    store = example_store(); t0 = time.time(); drops, changes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for preset in a.presets.split(','):
            for t in a.types.split(','):
                d, c = one(store, preset, t, a.n_knobs, a.seed, a.n_draws, tmp)
                drops += d; changes.append(c)
                print(f"{preset} {t}: {len(d)} SAEs, epochs {PRESETS[preset]['epochs']} -> {2 * PRESETS[preset]['epochs']}: "
                      f"loss drop median {np.median(d):.2%} max {np.max(d):.2%}; verdicts changed {c.mean():.1%} of {len(c)}", flush=True)
    ch = np.concatenate(changes)
    print(f"{time.time() - t0:.0f}s")
    print(f"loss_drop={np.median(drops):.4f} verdict_change={ch.mean():.4f}")


if __name__ == '__main__':
    main()
