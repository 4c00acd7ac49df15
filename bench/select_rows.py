"""Choosing latents on a subset of the training rows: how far the verdict statistics move from choosing on every row.

On the augmented 60,000 / 10,000-row store of bench_scale.py (FOR TIMING ONLY: its digits repeat the embedded ones), trains
a vanilla bank (4 lambdas) and a TopK bank (4 k's) of width 256 for `--epochs` epochs, then computes every verdict statistic
(`bank_statistics`: atomic best-latent AUC, composite OR AUC, continuous Spearman; latents chosen on train, scored on the
whole test split) once with latents chosen on all training rows and once on a seeded subset of `--rows` rows (the seed
preset's `select_rows`). It does the same for `--draws` matched random dictionaries (the null) at k = 20 and compares their
q95. The statistics are scored on the same test rows both ways, so a difference comes only from which latents are chosen.

    python bench/select_rows.py [--rows 10000] [--epochs 2] [--draws 40]

Last line: `max_abs_diff=<statistic> mean_abs_diff=<statistic> null_q95_max_abs_diff=<statistic> speedup=<all rows s / subset s>`.
"""
import argparse, sys, time
from pathlib import Path
import numpy as np, pandas as pd, torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import augmented_store, NOTE
from sae_concept_dynamics.sae import SAEBank, input_scale
from sae_concept_dynamics.training import TrainSettings, train_bank
from sae_concept_dynamics.nulls import bank_statistics, concept_values, null_draws, null_quantiles, concept_spec, NULL_READOUTS
from sae_concept_dynamics.infer import row_budget


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--rows', type=int, default=10000); p.add_argument('--epochs', type=int, default=2); p.add_argument('--draws', type=int, default=40)
    a = p.parse_args()
    torch.manual_seed(0)
    store, _ = augmented_store(60000, 10000)
    print(f"{NOTE}\nstore: {store}", flush=True)
    names = store.concept_names
    x_tr, x_te = store.get(None, 'train'), store.get(None, 'test')
    c_tr, c_te = store.concepts('train'), store.concepts('test')
    v_tr, v_te = concept_values(store, 'train', names), concept_values(store, 'test', names)
    idx = row_budget(len(x_tr), a.rows, 0)
    s = input_scale(x_tr)
    S = TrainSettings(lr=1e-3, epochs=a.epochs, batch_size=1024)
    rows, t_all, t_sub = [], 0., 0.
    for act, kw in (('relu', dict(lams=[1e-4, 1e-3, 1e-2, 1e-1])), ('topk', dict(ks=[5, 13, 26, 64]))):
        bank = SAEBank(x_tr.shape[1], 256, n_members=4, activation=act, seeds=0, dead_rows=len(x_tr), **kw).init_b_dec(x_tr * s)
        train_bank(bank, x_tr * s, S)
        bank.eval()
        with torch.no_grad():
            z_tr, z_te = bank.encode(x_tr * s), bank.encode(x_te * s)
            t = time.perf_counter(); full = bank_statistics(z_tr, z_te, c_tr, c_te, names, v_tr, v_te, readouts=NULL_READOUTS); t_all += time.perf_counter() - t
            t = time.perf_counter(); sub = bank_statistics(z_tr[:, idx], z_te, c_tr[idx], c_te, names, v_tr[idx.numpy()], v_te, readouts=NULL_READOUTS); t_sub += time.perf_counter() - t
        m = full.merge(sub, on=['member', 'concept', 'kind', 'readout'], suffixes=('_all', '_sub'))
        rows.append(m.assign(sae=act, l0=m.member.map(dict(enumerate((z_te != 0).sum(-1).float().mean(-1).tolist())))))
        print(f"  {act}: L0 {[round(v) for v in (z_te != 0).sum(-1).float().mean(-1).tolist()]}", flush=True)
    d = pd.concat(rows)
    d['diff'] = (d.value_sub - d.value_all).abs()
    print("\n|statistic(subset) - statistic(all rows)| by readout:")
    print(d.groupby('readout')['diff'].agg(['count', 'mean', 'max', lambda v: (v > 0.005).mean()]).rename(columns={'<lambda_0>': 'share > 0.005'}).to_string(float_format='{:.4f}'.format))
    print(f"pairs whose chosen latent differs (value changed): {(d['diff'] > 0).mean():.1%}")
    kd = {n: dict(kind=r.kind, members=r.members) for n, r in concept_spec(names).set_index('concept').iterrows()}
    qa = null_quantiles(null_draws(x_tr, x_te, c_tr, c_te, names, 256, 20, a.draws, v_tr, v_te, kd, NULL_READOUTS))
    qs = null_quantiles(null_draws(x_tr[idx], x_te, c_tr[idx], c_te, names, 256, 20, a.draws, v_tr[idx.numpy()], v_te, kd, NULL_READOUTS))
    nq = qa.merge(qs, on=['concept', 'kind', 'readout'], suffixes=('_all', '_sub'))
    nd = (nq.q95_sub - nq.q95_all).abs()
    print(f"null (width 256, k 20, {a.draws} draws): |q95(subset) - q95(all rows)| mean {nd.mean():.4f}, max {nd.max():.4f}")
    print(f"statistics time: all rows {t_all:.1f}s, subset {t_sub:.1f}s")
    print(f"max_abs_diff={d['diff'].max():.4f} mean_abs_diff={d['diff'].mean():.5f} null_q95_max_abs_diff={nd.max():.4f} speedup={t_all / t_sub:.2f}")


if __name__ == '__main__':
    main()
