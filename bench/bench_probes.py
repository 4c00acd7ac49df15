"""Batched torch probes vs scikit-learn on the seed protocol: 10 digit concepts, stratified 5-fold CV, 20 SAEs of width 512.

Codes come from a trained sweep when `--sweep` names one (the first 20 finished SAEs of width 512); otherwise a bank of
20 ReLU SAEs (L1 from 1e-3 to 0.3 on unit-norm inputs, log-spaced) is trained here for a few epochs on the embedded store's `relu2`
activations, so the codes have the sparsity pattern of real SAE codes (`--random` uses untrained random SAEs instead).
Both backends fit the same problems on the same folds with the same objective and stopping rule (max |gradient| < tol).
Prints both wall times, their ratio and the largest AUC disagreement; the last line is `speedup=<x> max_auc_diff=<d>`.

    python bench/bench_probes.py [--store DIR (default: the example store)] [--n_sae 20] [--sklearn_sae 20] [--random] [--device cpu]

`--device` moves the torch backend's problems to that device (auto, cpu or cuda); scikit-learn always runs on the CPU.
"""
import argparse, time
from pathlib import Path

import numpy as np
import torch

from sae_concept_dynamics.activations import ActivationStore
from sae_concept_dynamics.fixtures import example_store
from sae_concept_dynamics.core import resolve_device
from sae_concept_dynamics.probes import probe_folds, fit_probes


def quick_bank_codes(x_train, x_eval, n_sae=20, hidden=512, epochs=8, seed=0):
    "Train a bank of vanilla ReLU SAEs (one L1 coefficient each) for a few epochs; return codes on x_eval (S, N, H)."
    g = torch.Generator().manual_seed(seed)
    d = x_train.shape[1]
    scale = x_train.pow(2).sum(1).mean().sqrt()
    xt, xe = x_train / scale, x_eval / scale
    W_dec = torch.nn.functional.normalize(torch.randn(n_sae, hidden, d, generator=g), dim=-1).requires_grad_()
    W_enc = W_dec.detach().transpose(1, 2).clone().requires_grad_()
    b_enc = torch.zeros(n_sae, hidden, requires_grad=True)
    b_dec = xt.mean(0).repeat(n_sae, 1).requires_grad_()
    lams = torch.logspace(-3, np.log10(0.3), n_sae)
    opt = torch.optim.Adam([W_enc, W_dec, b_enc, b_dec], lr=1e-3)
    encode = lambda x: torch.relu(torch.einsum('nd,sdh->snh', x, W_enc) - torch.einsum('sd,sdh->sh', b_dec, W_enc)[:, None] + b_enc[:, None])
    for ep in range(epochs):
        for idx in torch.randperm(len(xt), generator=g).split(128):
            z = encode(xt[idx]); xh = torch.einsum('snh,shd->snd', z, W_dec) + b_dec[:, None]
            recon = (xh - xt[idx]).pow(2).sum(-1).mean(-1)
            l1 = (z * W_dec.norm(dim=-1)[:, None]).sum(-1).mean(-1)
            loss = (recon + lams * l1).sum()
            opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad(): return encode(xe)


def sweep_codes(sweep, store, x_eval, n_sae):
    "Codes of the first `n_sae` finished width-512 SAEs of a trained sweep."
    from sae_concept_dynamics.training import list_saes, load_sae
    from sae_concept_dynamics.infer import sae_outputs
    t = list_saes(sweep)
    t = t[(t.hidden == 512) & [(Path(p)/'final.pt').exists() for p in t.path]].head(n_sae)
    if len(t) < n_sae: raise SystemExit(f"sweep {sweep} has only {len(t)} finished SAEs of width 512")
    return torch.cat([sae_outputs(load_sae(p), x_eval)[0] for p in t.path]), list(t.config_id)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--store', default=None)
    ap.add_argument('--sweep', default=None, help='trained SAE sweep to take the 20 SAEs from')
    ap.add_argument('--n_sae', type=int, default=20)
    ap.add_argument('--sklearn_sae', type=int, default=None, help='time scikit-learn on this many SAEs only and scale (default: all)')
    ap.add_argument('--random', action='store_true', help='untrained random SAEs instead of quickly trained ones')
    ap.add_argument('--tol', type=float, default=1e-5)
    ap.add_argument('--repeats', type=int, default=3, help='torch timing: best of this many runs')
    ap.add_argument('--device', default='cpu', help='device of the torch backend: auto, cpu or cuda')
    a = ap.parse_args()
    torch.manual_seed(0)
    st = ActivationStore(a.store) if a.store else example_store()
    x_tr, x_te = st.get('relu2', 'train'), st.get('relu2', 'test')
    t0 = time.time()
    if a.sweep: codes, source = sweep_codes(a.sweep, st, x_te, a.n_sae)
    elif a.random: codes, source = quick_bank_codes(x_tr, x_te, a.n_sae, epochs=0), 'random-init ReLU SAEs'
    else: codes, source = quick_bank_codes(x_tr, x_te, a.n_sae), 'ReLU SAEs trained 8 epochs here'
    l0 = (codes > 0).float().sum(-1).mean(-1)
    print(f"codes: {tuple(codes.shape)} from {source} ({time.time()-t0:.1f}s); L0 per SAE {l0.min():.0f}..{l0.max():.0f} of 512")
    digits = st.concepts('test')[:, :10]
    folds = probe_folds(digits, 'cv', n_splits=5, seed=0)
    n_problems = a.n_sae * len(folds.kept) * folds.n_folds
    print(f"protocol: {len(folds.kept)} digit concepts x 5 stratified folds x {a.n_sae} SAEs = {n_problems} logistic probes "
          f"on {len(x_te)} test digits, C=1, tol={a.tol}, torch threads {torch.get_num_threads()}")
    dev = resolve_device(a.device)
    codes_dev = codes.to(dev)
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    times = []
    for _ in range(a.repeats + (dev.type == 'cuda')):  # on CUDA one more run, untimed, warms the kernels up
        sync(); t0, c0 = time.time(), time.process_time()
        res_t = fit_probes(codes_dev, digits, folds, 'torch', tol=a.tol); sync(); times.append(time.time() - t0); cpu_t = time.process_time() - c0
    if dev.type == 'cuda': times = times[1:]
    t_torch = min(times)
    ns = a.sklearn_sae or a.n_sae
    t0, c0 = time.time(), time.process_time()
    res_s = fit_probes(codes[:ns], digits, folds, 'sklearn', tol=a.tol)
    t_sk, cpu_s = (time.time() - t0) * a.n_sae / ns, (time.process_time() - c0) * a.n_sae / ns
    diff = np.nanmax(np.abs(res_t[:ns, ..., 0] - res_s[..., 0]))
    other = np.nanmax(np.abs(res_t[:ns, ..., 1:] - res_s[..., 1:]))
    print(f"torch batched on {dev}: {t_torch:.2f}s wall (best of {a.repeats}: {', '.join(f'{t:.2f}' for t in times)}; last run {cpu_t:.2f}s CPU)")
    print(f"scikit-learn : {t_sk:.2f}s wall ({cpu_s:.2f}s CPU)" + (f" (measured on {ns} SAEs, scaled to {a.n_sae})" if ns != a.n_sae else ''))
    print(f"mean CV AUC torch {np.nanmean(res_t[..., 0]):.4f} sklearn {np.nanmean(res_s[..., 0]):.4f}; "
          f"max |diff| AUC {diff:.4f}, other metrics {other:.4f}")
    print(f"speedup={t_sk / t_torch:.1f} max_auc_diff={diff:.4f}")


if __name__ == '__main__': main()
