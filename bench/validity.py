"""Validity of the package's answers on planted truth, through the path a user takes.

`fixtures.toy_superposition` plants 18 features in 32-d activations (about six present per input, so a sparse code
must drop some): four strong and four weak features each with an atomic concept, two features sharing one direction
(concepts shared_a, shared_b), the composite strong_0 | strong_1 and the continuous magnitude of strong_2, plus
nuisance features with no concept. The arrays are written to files, turned into a store and studied twice:

* in Python: `ActivationStore.from_arrays`, then `run_pipeline(store=...)` (scored as `planted_recovery`);
* on the command line: `sae_store --acts ... --concepts ... --kinds ...`, then `sae_concept_dynamics --store ...`
  (scored as `public_path_recovery`).

Planted facts, each known by construction and read from the run's `analysis/` tables:
  1. order: in each SAE type and seed, every strong feature's concept is dropped at a lower L0 than every weak one's
     (L50 from `states.l50_info` per seed; a concept never dropped has L50 0 and loses the comparison only if the
     weak one is dropped), scored as the share of seed x (strong, weak) pairs in order;
  2. the shared pair is named as sharing one latent (`analysis/shared_latents.csv`);
  3. the composite is kept (not dropped) in the SAEs where both its members are kept;
  4. the magnitude concept is kept in the SAEs where its feature has a latent of its own. The magnitude is defined
     (not NaN) only where strong_2 is present, so every readout of it uses those rows: presence cannot carry it. This
     fact is the issue's expectation, not a certainty by construction: a sparse code can mark a feature present and
     still lose how strong it is. The run prints both concepts' L50 beside it;
  5. no SAE x concept whose code probe is within 0.01 AUC of the raw probe is called dropped.
A run's recovery is the mean of the five scores. `null_false_positive` is the share of random-init SAE x concept pairs
(untrained SAEs at every configuration's L0) given `own_latent` by the same verdict.

    python bench/validity.py [--seeds 3] [--out bench/_out/validity]

Last line: `planted_recovery=<x> null_false_positive=<y> public_path_recovery=<z>`.
"""
import argparse, shutil, subprocess, sys, time
from pathlib import Path

import numpy as np
import pandas as pd

from sae_concept_dynamics.fixtures import toy_superposition
from sae_concept_dynamics.activations import ActivationStore
from sae_concept_dynamics.pipeline import run_pipeline
from sae_concept_dynamics.states import l50_info, MIN_GAP


def write_arrays(toy:dict, folder:Path) -> list:
    "The toy arrays as a user has them (npy activations, CSV concepts and kinds); the `sae_store` arguments."
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder/'train.npy', toy['x_train']); np.save(folder/'test.npy', toy['x_test'])
    toy['concepts_train'].to_csv(folder/'train.csv', index=False); toy['concepts_test'].to_csv(folder/'test.csv', index=False)
    pd.DataFrame(dict(concept=list(toy['kinds']), kind=list(toy['kinds'].values()))).to_csv(folder/'kinds.csv', index=False)
    return ['--acts', f"{folder/'train.npy'},{folder/'test.npy'}", '--concepts', f"{folder/'train.csv'},{folder/'test.csv'}",
            '--kinds', str(folder/'kinds.csv')]


def order_score(ret:pd.DataFrame, truth:pd.DataFrame) -> float:
    "Share of type x seed x (strong, weak) pairs whose strong concept has the lower L50."
    atoms = truth[truth.kind.eq('atomic') & ~truth.concept.str.startswith('shared')]
    strong, weak = atoms[atoms.strength.eq('strong')].concept, atoms[atoms.strength.eq('weak')].concept
    l5 = l50_info(ret[ret.concept.isin(atoms.concept)], by=('sae_type', 'seed'), n_boot=0).set_index(['sae_type', 'seed', 'concept']).l50
    ok = [l5[(t, s, a)] < l5[(t, s, b)] or (l5[(t, s, a)] == 0 and l5[(t, s, b)] == 0)
          for t, s in l5.index.droplevel(2).unique() for a in strong for b in weak]
    return float(np.mean(ok)) if ok else np.nan


def facts(run:Path, truth:pd.DataFrame) -> dict:
    "The five planted facts' scores of one run (each in [0, 1])."
    a = run/'analysis'
    ret = pd.read_csv(a/'retention.csv')
    st = ret.pivot_table(index='sae_id', columns='concept', values='state', aggfunc='first')
    comp = truth[truth.kind.eq('composite')].iloc[0]
    m0, m1 = comp.members.split(';')
    both = st[(st[m0] != 'dropped') & (st[m1] != 'dropped')]
    mag = truth[truth.kind.eq('continuous')].concept.iloc[0]
    own = st[st['strong_2'].eq('own_latent')]
    sh = pd.read_csv(a/'shared_latents.csv') if (a/'shared_latents.csv').exists() else pd.DataFrame(columns=['concept_a', 'concept_b', 'sharing'])
    named = sh[(sh.concept_a == 'shared_a') & (sh.concept_b == 'shared_b')].sharing.astype(bool).any()
    close = ret[(ret.auc_raw - ret.auc_code) <= MIN_GAP]
    return dict(order=order_score(ret, truth), shared=float(named), composite=float((both[comp.concept] != 'dropped').mean()) if len(both) else np.nan,
                magnitude=float((own[mag] != 'dropped').mean()) if len(own) else np.nan,
                no_false_drop=float((close.state != 'dropped').mean()) if len(close) else 1.)


def null_fp(run:Path) -> float:
    "Share of the random-init control's SAE x concept pairs given a latent of its own."
    f = run/'analysis'/'control_states.csv'
    c = pd.read_csv(f) if f.exists() else pd.read_csv(run/'analysis'/'control_verdicts.csv').assign(state=lambda d: np.where(d.verdict.eq('retained'), 'own_latent', ''))
    return float(c.state.eq('own_latent').mean())


def show(name:str, run:Path, truth:pd.DataFrame) -> float:
    f = facts(run, truth)
    ret = pd.read_csv(run/'analysis'/'retention.csv')
    print(f"== {name}: " + ' '.join(f'{k}={v:.3f}' for k, v in f.items()))
    l5 = l50_info(ret[ret.concept.isin(['strong_2', 'mag_strong_2'])], n_boot=0).set_index(['sae_type', 'concept']).l50
    print('L50 (info_kept crosses 0.95), presence vs magnitude of strong_2: ' +
          '; '.join(f"{t} {_l0(l5, t, 'strong_2', ret)} vs {_l0(l5, t, 'mag_strong_2', ret)}" for t in sorted(set(ret.sae_type))))


def _l0(l5, t, c, ret) -> str:
    "An L50 in words: above the grid when the concept never reaches the level at any of the type's L0."
    v = l5.get((t, c), np.nan)
    return f"{v:.1f}" if np.isfinite(v) else f"above the grid (> {ret[ret.sae_type.eq(t)].l0.max():.0f})" if v > 0 else 'n/a'
    print(ret.groupby(['sae_type', 'concept']).state.value_counts().unstack(fill_value=0).to_string())
    return float(np.nanmean(list(f.values())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seeds', default='0,1,2'); ap.add_argument('--out', default='bench/_out/validity')
    ap.add_argument('--preset', default='planted'); ap.add_argument('--keep', action='store_true', help='reuse finished runs')
    a = ap.parse_args()
    out = Path(a.out)
    if not a.keep and out.exists(): shutil.rmtree(out)
    toy = toy_superposition(seed=0)
    args = write_arrays(toy, out/'arrays')
    t0 = time.time()
    store = ActivationStore.from_arrays(out/'py_store', toy['x_train'], toy['x_test'], toy['concepts_train'], toy['concepts_test'],
                                        concept_kinds=toy['kinds'], overwrite=True)
    run_pipeline(out/'py_run', preset=a.preset, store=store, seeds=a.seeds, progress=False)
    t1 = time.time()
    cli = lambda *c: subprocess.run([*c], check=True, capture_output=True, text=True)
    cli('sae_store', *args, '--log_dir', str(out/'cli_store'))
    cli('sae_concept_dynamics', '--store', str(out/'cli_store'), '--out_dir', str(out/'cli_run'), '--preset', a.preset, '--seeds', a.seeds, '--quiet')
    t2 = time.time()
    print(f"in-process run {t1 - t0:.0f}s, command-line run {t2 - t1:.0f}s")
    x = show('in-process (from_arrays + run_pipeline)', out/'py_run', toy['truth'])
    z = show('public path (sae_store + sae_concept_dynamics --store)', out/'cli_run', toy['truth'])
    y = null_fp(out/'cli_run')
    print(f"planted_recovery={x:.3f} null_false_positive={y:.3f} public_path_recovery={z:.3f}")


if __name__ == '__main__': main()
