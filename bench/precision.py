"""bf16 training against fp32: the same quick run trained both ways, compared SAE by SAE and verdict by verdict.

Runs (or resumes) the quick pipeline twice on the embedded digits, `--precision fp32` into `--fp32_run` and `--precision
bf16` into `--bf16_run`, then compares:
- every trained SAE's final FVU and mean L0 (from its sweep's saes.csv; final metrics are computed in float32 either way);
- every null-calibrated verdict (SAE x concept, analysis/retention.csv): the share that agree, and the retained rates;
- the training steps' wall time (pipeline.json), as a ratio: bf16 matmuls pay off only on hardware with bf16 units.
On a machine that is busy with other work the time ratio is noise; the answers are not.

    python bench/precision.py [--fp32_run runs/quick_fp32] [--bf16_run runs/quick_bf16]

Last line: `verdict_agreement=<share> seed_pair_agreement=<share of verdicts two fp32 seeds share> fvu_max_abs_diff=<FVU> l0_max_rel_diff=<share> retain_fp32=<share> retain_bf16=<share> train_speedup=<fp32 s / bf16 s>`.
"""
import argparse
from pathlib import Path
import numpy as np, pandas as pd
from sae_concept_dynamics.core import read_json
from sae_concept_dynamics.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[1]


def saes(run:Path)->pd.DataFrame:
    return pd.concat([pd.read_csv(f) for f in sorted((run/'saes').glob('*/results/saes.csv'))], ignore_index=True)


def train_seconds(run:Path)->float:
    steps = read_json(run/'pipeline.json')['steps']
    return sum(v for k, v in steps.items() if k.startswith('train ') and isinstance(v, (int, float)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--fp32_run', default=str(ROOT/'runs'/'quick_fp32')); p.add_argument('--bf16_run', default=str(ROOT/'runs'/'quick_bf16'))
    a = p.parse_args()
    runs = {}
    for prec in ('fp32', 'bf16'):
        runs[prec] = Path(getattr(a, f'{prec}_run'))
        if not (runs[prec]/'report.md').exists(): run_pipeline(runs[prec], preset='quick', progress=False, precision=prec)   # a finished run is read as it is
    s = saes(runs['fp32']).merge(saes(runs['bf16']), on='sae_id', suffixes=('_32', '_16'))
    s['dfvu'], s['dl0'] = (s.fvu_16 - s.fvu_32).abs(), (s.l0_16 - s.l0_32).abs() / s.l0_32.clip(lower=1e-9)
    print(f"{len(s)} trained SAEs: |FVU bf16 - fp32| mean {s.dfvu.mean():.5f} max {s.dfvu.max():.5f} (fp32 FVU median {s.fvu_32.median():.4f}); "
          f"relative |L0 change| mean {s.dl0.mean():.4f} max {s.dl0.max():.4f}")
    print(s.groupby('sae_type_32')[['dfvu', 'dl0']].agg(['mean', 'max']).to_string(float_format='{:.5f}'.format))
    r = {k: pd.read_csv(v/'analysis'/'retention.csv') for k, v in runs.items()}
    m = r['fp32'].merge(r['bf16'], on=['sae_id', 'concept'], suffixes=('_32', '_16'))
    agree = (m.verdict_32 == m.verdict_16).mean()
    print(f"verdicts: {len(m)} SAE x concept pairs, {agree:.2%} agree; "
          f"changed: {int((m.verdict_32 != m.verdict_16).sum())} ({m[m.verdict_32 != m.verdict_16].groupby('concept').size().to_dict()})")
    ret = {k: (v.verdict == 'retained').mean() for k, v in r.items()}
    f = r['fp32'].assign(cfg=lambda d: d.sae_type + d.hidden.astype(str) + d.lam.astype(str) + d.k.astype(str))
    piv = f.pivot_table(index=['cfg', 'concept'], columns='seed', values='verdict', aggfunc='first')
    seeds = list(piv.columns)
    seed_agree = float(np.mean([(piv[i] == piv[j]).mean() for n, i in enumerate(seeds) for j in seeds[n + 1:]]))
    print(f"for scale: two fp32 seeds of the same configuration agree on {seed_agree:.2%} of verdicts (mean over seed pairs)")
    print(f"retained: fp32 {ret['fp32']:.2%}, bf16 {ret['bf16']:.2%}")
    t32, t16 = train_seconds(runs['fp32']), train_seconds(runs['bf16'])
    print(f"training steps: fp32 {t32:.0f}s, bf16 {t16:.0f}s (pipeline.json of the latest call; a call that resumed a finished run records 0)")
    speed = t32 / t16 if t32 > 0 and t16 > 0 else float('nan')
    print(f"verdict_agreement={agree:.4f} seed_pair_agreement={seed_agree:.4f} fvu_max_abs_diff={s.dfvu.max():.5f} l0_max_rel_diff={s.dl0.max():.4f} "
          f"retain_fp32={ret['fp32']:.4f} retain_bf16={ret['bf16']:.4f} train_speedup={speed:.2f}")


if __name__ == '__main__':
    main()
