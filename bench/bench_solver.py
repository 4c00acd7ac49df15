"""The probes' L-BFGS directions: compact representation vs the two-loop recursion, on one SAE's whole `sae_infer`.

Trains one TopK SAE (width 512, k = 32, 2 epochs of the `seed` settings) on the embedded store's default layer, then runs
`infer_sweep` on it twice in this process, with `fit_logistic_batched(solver='two_loop')` and with the default
`solver='compact'`; prints both wall times, their ratio and the largest difference in any concept AUC of the two result
tables. On a shared machine wall times are noisy: CPU time is printed too. Last line: `speedup=<x> max_auc_diff=<d>`.

    python bench/bench_solver.py [--store DIR (default: the example store)] [--hidden 512]
"""
import argparse, functools, tempfile, time
from pathlib import Path

import numpy as np

import sae_concept_dynamics.probes as probes
from sae_concept_dynamics.fixtures import example_store
from sae_concept_dynamics.training import train_sweep
from sae_concept_dynamics.infer import infer_sweep


def timed_infer(sweep, solver):
    "Run `infer_sweep` (overwrite) with the probes' solver set to `solver`; return (wall s, cpu s, concepts table)."
    orig = probes.fit_logistic_batched
    probes.fit_logistic_batched = functools.partial(orig, solver=solver)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        res = infer_sweep(sweep, progress=False, device='cpu', overwrite=True)
        return time.perf_counter() - t0, time.process_time() - c0, res['concepts']
    finally: probes.fit_logistic_batched = orig


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--store', default=None); ap.add_argument('--hidden', type=int, default=512)
    a = ap.parse_args()
    store = a.store or example_store().path
    work = Path(tempfile.mkdtemp())
    train_sweep(store, 'topk', work/'sweep', hidden=a.hidden, k_fracs=[32 / a.hidden], epochs=2, preset='seed', seeds=[0],
                snapshots='none', progress=False, device='cpu')
    (w2, c2, t2), (w1, c1, t1) = timed_infer(work/'sweep', 'two_loop'), timed_infer(work/'sweep', 'compact')
    key = ['member', 'concept', 'target', 'method', 'n_latents', 'metric']
    m = t1.merge(t2, on=key, suffixes=('', '_two_loop'))
    d = (m['mean'] - m['mean_two_loop']).abs()[m.metric == 'auc']
    diff = float(d.max()) if d.notna().any() else float('nan')
    print(f"{int(d.notna().sum())} AUC rows compared")
    print(f"one SAE (topk, width {a.hidden}) sae_infer: two-loop {w2:.2f}s wall ({c2:.2f}s cpu), compact {w1:.2f}s wall ({c1:.2f}s cpu)")
    print(f"speedup={w2 / w1:.2f} max_auc_diff={diff:.2e}")


if __name__ == '__main__': main()
