"""The seed preset on one GPU: quick preset GPU vs CPU, the seed preset from timed slices, the bank step vs its matmul floor, GPU use.

Parts (one run, about 8 minutes on an H100/H200):
- quick: `run_pipeline(preset='quick')` on the embedded digits, once with `device='cuda'` and once with `device='cpu'` (all the
  machine's CPU threads); `quick_gpu_vs_cpu` is the GPU's wall over the CPU's.
- seed preset: `bench/bench_scale.py`'s slices (training steps of each bank shape inside `train_bank`, infer, nulls, lineage
  measures, random-init and random-oracle stages, analysis) with the store's tensors on the GPU, extrapolated to the whole
  preset by `bench_scale.extrapolate` (`seed_preset_gpu_min`). The store is bench_scale's augmented 60,000-row store.
- step_vs_matmul: the seed preset's widest vanilla bank (20 lambdas, width 512, batch 1024) trained by `train_bank` (its CUDA
  graph included), seconds per step between a step after the warm-up and the last, against six batched fp32 matmuls of its
  encoder shape (S x B x d @ S x d x H) timed alone in the same run.
- gpu_util: `nvidia-smi --query-gpu=utilization.gpu` (or pynvml when importable) sampled every 0.5 s in a thread while the GPU
  parts run; the median.

    python bench/bench_gpu.py [--dry_cpu] [--skip_quick | --skip_cpu_quick] [--steps 200]

`--dry_cpu` runs the same code with tiny sizes on the CPU (the 'tiny' pipeline preset, a 3,000-row store, a few steps), to
check the script where there is no GPU; its numbers mean nothing. Without `--dry_cpu` on a machine without CUDA it prints one
line and exits 0. The last line is
`quick_gpu_vs_cpu=<ratio> seed_preset_gpu_min=<minutes> step_vs_matmul=<ratio> gpu_util=<median %>`.
"""
import argparse, shutil, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scale as bs                                                    # noqa: E402
from sae_concept_dynamics.sae import SAEBank, input_scale                   # noqa: E402
from sae_concept_dynamics.training import PRESETS, TrainSettings, TrainCallback, train_bank   # noqa: E402


class UtilSampler:
    "GPU utilisation (%) sampled in a thread: pynvml when importable, else nvidia-smi; no samples without either."
    def __init__(self, period:float=0.5):
        self.period, self.samples, self.on, self.stop_ = period, [], False, threading.Event()
        try:
            import pynvml
            pynvml.nvmlInit(); h = pynvml.nvmlDeviceGetHandleByIndex(0)
            self.read = lambda: float(pynvml.nvmlDeviceGetUtilizationRates(h).gpu)
        except Exception:
            self.read = self._smi
        self.thread = threading.Thread(target=self._run, daemon=True); self.thread.start()

    @staticmethod
    def _smi()->float:
        r = subprocess.run(['nvidia-smi', '--query-gpu=utilization.gpu', '--format=csv,noheader,nounits'], capture_output=True, text=True, timeout=5)
        return float(r.stdout.split()[0])

    def _run(self):
        while not self.stop_.wait(self.period):
            if not self.on: continue
            try: self.samples.append(self.read())
            except Exception: self.read = None; return                    # no reader on this machine: no samples

    def median(self)->float: return statistics.median(self.samples) if self.samples else float('nan')
    def close(self): self.stop_.set(); self.thread.join(timeout=2)


def sync(dev):
    if torch.device(dev).type == 'cuda': torch.cuda.synchronize()


def timed(fn, dev):
    sync(dev); t = time.perf_counter(); r = fn(); sync(dev)
    return time.perf_counter() - t, r


def quick_preset(preset:str, dev:str, tmp:Path)->float:
    "Seconds of the whole pipeline preset on `dev`."
    from sae_concept_dynamics.pipeline import run_pipeline
    sec, _ = timed(lambda: run_pipeline(tmp/f'quick_{dev}', preset=preset, device=dev, progress=False), dev)
    print(f"  {preset} preset on {dev}: {sec:.1f}s", flush=True)
    return sec


class StepTimer(TrainCallback):
    "Wall time from the end of step `start` to the end of the last step (the device synchronised at both ends)."
    order = 1000
    def __init__(self, start:int): self.start, self.t0, self.t1 = start, None, None
    def after_step(self, t):
        if t.step == self.start: sync(t.x.device); self.t0 = time.perf_counter()
    def after_fit(self, t): sync(t.x.device); self.t1 = time.perf_counter()


def bank_step(x:torch.Tensor, S:int, h:int, batch:int, steps:int, warm:int=10)->float:
    "Seconds per step of a vanilla bank of S lambdas and width h inside `train_bank` (its first `warm` steps, capture included, not counted)."
    P = PRESETS['seed']
    bank = SAEBank(x.shape[1], h, n_members=S, lams=list(P['lams'])[:S], seeds=0, dead_rows=len(x), device=x.device).init_b_dec(x)
    s = TrainSettings(lr=P['lr'], epochs=1, batch_size=batch, n_snapshots=1)
    tm = StepTimer(warm - 1)
    train_bank(bank, x, s, steps=steps, cbs=[tm], snapshots=[])
    return (tm.t1 - tm.t0) / (steps - warm)


def matmul_time(S:int, B:int, d:int, h:int, dev, reps:int=50)->float:
    "Seconds of one fp32 batched matmul (S, B, d) @ (S, d, h), median of `reps`."
    a, w = torch.randn(S, B, d, device=dev), torch.randn(S, d, h, device=dev)
    for _ in range(5): torch.bmm(a, w)
    ts = []
    for _ in range(reps):
        sec, _ = timed(lambda: torch.bmm(a, w), dev); ts.append(sec)
    return statistics.median(ts)


def on_device(name:str, fn, dev:str):
    "fn(dev); if it fails on a GPU, one line saying so and fn('cpu') (the stage then counts at its CPU time)."
    try: return fn(dev)
    except Exception as e:
        if dev == 'cpu': raise
        print(f"  {name} failed on {dev} ({type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}); timed on the CPU instead", flush=True)
        return fn('cpu')


def seed_preset_minutes(a, dev:str, sampler:UtilSampler)->float:
    "The seed preset's minutes on `dev`, extrapolated from bench_scale's slices with the store's tensors on `dev`."
    P, PP = PRESETS['seed'], bs.PIPELINE_PRESETS['seed']
    store, _ = bs.augmented_store(a.rows, a.test_rows)
    x_raw = store.get(None, 'train', dev); x = x_raw * input_scale(x_raw); a.d = x.shape[1]
    print("seed preset slices:", flush=True)
    per_step, banks = bs.time_training(x, a.seed_steps, P['batch_size'], P['lr'], device=dev)
    per_ro, _ = bs.time_training(x, a.seed_steps, P['batch_size'], P['lr'], random_oracle=True, device=dev)
    finalize = bs.time_finalize(banks[('vanilla', max(P['hidden']))], x_raw, TrainSettings().n_snapshots)
    t_raw = bs.time_raw_probes(store, PP['ks'])
    infer = on_device('infer', lambda dv: bs.time_infer(store, {k: b.to(dv) for k, b in banks.items()}, 1, PP['ks'], device=dv), dev)
    t_ro = on_device('random oracle store', lambda dv: bs.time_random_oracle_store(store, device=dv), dev)
    t_init = on_device('random-init sweep', lambda dv: bs.time_init_sweep(store, device=dv), dev)
    t_dyn = on_device('lineage measures', lambda dv: bs.time_dynamics(store, {k: b.to(dv) for k, b in banks.items()}, PP['lineage']['n_rows'], device=dv), dev)
    t_null = on_device('null draws', lambda dv: bs.time_nulls(store, PP['nulls'].get('select_rows'), device=dv), dev)
    t_ana = bs.time_analysis(PP['n_perm'], PP['n_boot'], (2, 8) if a.dry_cpu else (1, 2, 3, 4, 6, 8))
    q = bs.ROOT/'runs'/'quick'
    rows, *_ = bs.extrapolate(a, a.rows, per_step, finalize, infer, t_ro, t_init, t_dyn, t_ana, t_raw, t_null, bs.null_count(q), per_ro,
                              bs.null_count(q, random_oracle=True))
    total = sum(s for _, s in rows); w = max(len(n) for n, _ in rows)
    for name, sec in rows: print(f"  {name:{w}s} {sec / 60:8.2f} min  {sec / total:6.1%}")
    return total / 60


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dry_cpu', action='store_true', help='the same code with tiny sizes on the CPU (checks the script; numbers mean nothing)')
    p.add_argument('--skip_cpu_quick', action='store_true', help="do not time the quick preset on the CPU (quick_gpu_vs_cpu is then nan)")
    p.add_argument('--skip_quick', action='store_true', help='do not run the quick preset at all (quick_gpu_vs_cpu is then nan)')
    p.add_argument('--steps', type=int, default=None, help='steps of the bank-step timing (default 200; --dry_cpu 14)')
    a = p.parse_args()
    if not a.dry_cpu and not torch.cuda.is_available():
        print("bench_gpu: no CUDA GPU on this machine, nothing measured (run with --dry_cpu to check the script on the CPU)")
        return
    dev = 'cpu' if a.dry_cpu else 'cuda'
    a.rows, a.test_rows, a.seed_steps = (3000, 1000, 2) if a.dry_cpu else (60000, 10000, 30)
    steps, preset = a.steps or (14 if a.dry_cpu else 200), 'tiny' if a.dry_cpu else 'quick'
    name = 'cpu (dry run)' if a.dry_cpu else torch.cuda.get_device_name(0)
    print(f"torch {torch.__version__}, {name}, {torch.get_num_threads()} CPU threads", flush=True)
    sampler, tmp = UtilSampler(), Path(tempfile.mkdtemp())
    try:
        S, h, B = len(PRESETS['seed']['lams']), max(PRESETS['seed']['hidden']), PRESETS['seed']['batch_size']
        if a.dry_cpu: S, h, B = 4, 64, 128
        store, _ = bs.augmented_store(a.rows, a.test_rows)
        x_raw = store.get(None, 'train', dev); x = x_raw * input_scale(x_raw)
        sampler.on = True
        t_step = bank_step(x, S, h, B, steps)
        t_mm = matmul_time(S, B, x.shape[1], h, dev)
        print(f"bank step (vanilla, {S} x width {h}, batch {B}, inside train_bank): {t_step * 1e3:.2f} ms; "
              f"one batched matmul of its encoder shape: {t_mm * 1e3:.3f} ms", flush=True)
        print("quick preset:" + (" skipped (--skip_quick)" if a.skip_quick else ""), flush=True)
        q_gpu = float('nan') if a.skip_quick else quick_preset(preset, dev, tmp)
        seed_min = seed_preset_minutes(a, dev, sampler)
        sampler.on = False
        q_cpu = float('nan') if a.skip_cpu_quick or a.skip_quick else quick_preset(preset, 'cpu', tmp)
    finally:
        sampler.close(); shutil.rmtree(tmp, ignore_errors=True)
    if a.dry_cpu: print("(--dry_cpu: tiny sizes on the CPU; these numbers check the script, they are not a GPU's)")
    print(f"quick_gpu_vs_cpu={q_gpu / q_cpu:.2f} seed_preset_gpu_min={seed_min:.2f} step_vs_matmul={t_step / (6 * t_mm):.2f} "
          f"gpu_util={sampler.median():.0f}")


if __name__ == '__main__':
    main()
