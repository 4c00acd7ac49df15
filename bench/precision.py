"""bf16 and tf32 training against fp32: the same quick run trained each way, compared SAE by SAE, verdict by verdict and state by state.

Runs (or resumes) the quick pipeline twice on the embedded digits, `--precision fp32` into `--fp32_run` and `--precision
bf16` into `--bf16_run`, then compares:
- every trained SAE's final FVU and mean L0 (from its sweep's saes.csv; final metrics are computed in float32 either way);
- every null-calibrated verdict (SAE x concept, analysis/retention.csv): the share that agree, and the retained rates;
- the training steps' wall time (pipeline.json), as a ratio: bf16 matmuls pay off only on hardware with bf16 units;
- for bf16 and for tf32 (`--precision tf32`, a third run into `--tf32_run`): how many verdicts (analysis/retention.csv) and
  states (analysis/states.csv, when the run wrote it) change against fp32. tf32 changes float32 matmuls on CUDA only: on a
  machine without CUDA it is fp32 exactly, the tf32 run is not made, and the script says so.
On a machine that is busy with other work the time ratio is noise; the answers are not.

    python bench/precision.py [--fp32_run runs/quick_fp32] [--bf16_run runs/quick_bf16] [--tf32_run runs/quick_tf32]

Last line: `verdict_agreement=<share> seed_pair_agreement=<share of verdicts two fp32 seeds share> fvu_max_abs_diff=<FVU> l0_max_rel_diff=<share> retain_fp32=<share> retain_bf16=<share> train_speedup=<fp32 s / bf16 s> verdicts_changed_bf16=<n> states_changed_bf16=<n> verdicts_changed_tf32=<n> states_changed_tf32=<n>`
(tf32: `cpu-noop` without CUDA).
"""
import argparse
from pathlib import Path
import numpy as np, pandas as pd, torch
from sae_concept_dynamics.core import read_json
from sae_concept_dynamics.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[1]


def saes(run:Path)->pd.DataFrame:
    return pd.concat([pd.read_csv(f) for f in sorted((run/'saes').glob('*/results/saes.csv'))], ignore_index=True)


def train_seconds(run:Path)->float:
    steps = read_json(run/'pipeline.json')['steps']
    return sum(v for k, v in steps.items() if k.startswith('train ') and isinstance(v, (int, float)))


def changed(run_a:Path, run_b:Path)->tuple:
    "Verdicts (retention.csv) and states (states.csv; nan when either run lacks it) that differ between two runs, SAE x concept."
    def n(f, on, col):
        if not ((run_a/'analysis'/f).exists() and (run_b/'analysis'/f).exists()): return float('nan')
        m = pd.read_csv(run_a/'analysis'/f).merge(pd.read_csv(run_b/'analysis'/f), on=on, suffixes=('_a', '_b'))
        return int((m[f'{col}_a'] != m[f'{col}_b']).sum())
    return n('retention.csv', ['sae_id', 'concept'], 'verdict'), n('states.csv', ['sae_id', 'concept'], 'state')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--fp32_run', default=str(ROOT/'runs'/'quick_fp32')); p.add_argument('--bf16_run', default=str(ROOT/'runs'/'quick_bf16'))
    p.add_argument('--tf32_run', default=str(ROOT/'runs'/'quick_tf32'))
    a = p.parse_args()
    runs = {}
    for prec in ('fp32', 'bf16') + (('tf32',) if torch.cuda.is_available() else ()):
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
    ch = {'bf16': changed(runs['fp32'], runs['bf16'])}
    if 'tf32' in runs: ch['tf32'] = changed(runs['fp32'], runs['tf32'])
    else: print("tf32: not run: no CUDA device here, and on the CPU tf32 is fp32 exactly (a no-op)")
    for k, (v, st) in ch.items(): print(f"{k} against fp32: {v} verdicts and {st} states (SAE x concept) change")
    tf = ch.get('tf32')
    tail = f"verdicts_changed_tf32={tf[0]} states_changed_tf32={tf[1]}" if tf else "verdicts_changed_tf32=cpu-noop states_changed_tf32=cpu-noop"
    print(f"verdict_agreement={agree:.4f} seed_pair_agreement={seed_agree:.4f} fvu_max_abs_diff={s.dfvu.max():.5f} l0_max_rel_diff={s.dl0.max():.4f} "
          f"retain_fp32={ret['fp32']:.4f} retain_bf16={ret['bf16']:.4f} train_speedup={speed:.2f} "
          f"verdicts_changed_bf16={ch['bf16'][0]} states_changed_bf16={ch['bf16'][1]} {tail}")


if __name__ == '__main__':
    main()
