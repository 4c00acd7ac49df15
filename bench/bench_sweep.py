"""SAE bank vs one SAE at a time, with the same training code: the seed preset's 20-lambda vanilla grid at hidden 512.

Both sides call `sae_concept_dynamics.training.train_bank` on the embedded store's default layer (scaled to unit mean
squared norm, `b_dec` at the mean, unit-norm decoder, Adam, same batches): (a) one `SAEBank` of 20 members, stepped the
way the trainer steps it (on CPU in parts of `auto_member_chunk` members, on CUDA whole), (b) 20 banks of one, trained one
after the other. No snapshots, no files, history kept the same way on both sides. For reference it also times the bank
stepped whole on CPU (its codes then outgrow the cache), and bank vs loop at the quick preset's shape (8 lambdas, width 256,
batch 128), where per-step overhead rather than memory traffic dominates.
Model FLOPs per step and member = 10 * B * d * H (encoder forward + weight gradient, decoder forward + code gradient +
weight gradient; the inputs need no gradient); GFLOP/s is compared
with the fp32 matmul peak of this machine measured in the same run (best of square matmuls). Peak memory: CUDA peak
allocation, or the process's peak resident set on CPU. On a shared machine wall times are noisy: CPU time is printed too.
The last line is `speedup=<bank vs loop> peak_fraction=<bank GFLOP/s / peak> peak_mem_mb=<MB>`.

    python bench/bench_sweep.py [--store DIR (default: the example store)] [--epochs 5] [--n_lams 20] [--hidden 512] [--device auto] [--skip_quick]
"""
import argparse, resource, time

import numpy as np
import torch

from sae_concept_dynamics.activations import ActivationStore
from sae_concept_dynamics.fixtures import example_store
from sae_concept_dynamics.core import resolve_device
from sae_concept_dynamics.sae import SAEBank, input_scale
from sae_concept_dynamics.training import PRESETS, TrainSettings, auto_member_chunk, train_bank, steps_per_epoch


def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()


def matmul_peak(dev, sizes=(1024, 2048), reps=5):
    "Best fp32 GFLOP/s of square matmuls on `dev`: by wall time, and by CPU time per thread (robust to a shared machine)."
    best, best_cpu = 0., 0.
    for n in sizes:
        a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
        a @ b; sync(dev)
        for _ in range(3):  # best of 3 rounds of `reps` matmuls (a round is long enough for process_time)
            t, c = time.perf_counter(), time.process_time()
            for _ in range(reps): a @ b
            sync(dev)
            best = max(best, reps * 2 * n ** 3 / (time.perf_counter() - t) / 1e9)
            best_cpu = max(best_cpu, reps * 2 * n ** 3 / max(time.process_time() - c, 1e-9) * torch.get_num_threads() / 1e9)
    return best, best_cpu


def timed(fn, dev):
    sync(dev); t, c = time.perf_counter(), time.process_time()
    fn(); sync(dev)
    return time.perf_counter() - t, time.process_time() - c


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--store', default=None)
    p.add_argument('--layer', default=None)
    p.add_argument('--epochs', type=int, default=5, help='epochs of the seed preset (30) shortened to keep the run under ~3 minutes')
    p.add_argument('--batch_size', type=int, default=PRESETS['seed']['batch_size'])
    p.add_argument('--n_lams', type=int, default=20)
    p.add_argument('--hidden', type=int, default=512)
    p.add_argument('--device', default='auto')
    p.add_argument('--skip_quick', action='store_true', help='skip the quick-preset-shape comparison')
    a = p.parse_args()
    dev = resolve_device(a.device)
    st = ActivationStore(a.store) if a.store else example_store()
    x = st.get(a.layer, 'train', dev); x = x * input_scale(x)
    N, d = x.shape
    lams = list(PRESETS['seed']['lams'])
    lams = [lams[i] for i in np.linspace(0, len(lams) - 1, a.n_lams).round().astype(int)]
    s = TrainSettings(lr=PRESETS['seed']['lr'], epochs=a.epochs, batch_size=a.batch_size)
    steps = a.epochs * steps_per_epoch(N, a.batch_size)
    flop = 10 * a.batch_size * d * a.hidden * steps  # per member: 5 matmuls of 2*B*d*H each
    print(f"{dev}, {torch.get_num_threads()} threads; layer {st.check_layer(a.layer)} ({N} x {d}); {len(lams)} vanilla SAEs of width {a.hidden}; "
          f"{steps} steps of batch {a.batch_size}; {flop * len(lams) / 1e9:.0f} GFLOP per side")
    make = lambda ls, h=a.hidden: SAEBank(d, h, activation='relu', lams=ls, seeds=0, device=dev).init_b_dec(x)
    train_bank(make(lams[:2]), x, TrainSettings(lr=s.lr, epochs=1, batch_size=a.batch_size))  # warm-up
    peak, peak_cpu = matmul_peak(dev)
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    chunk = auto_member_chunk(make(lams), a.batch_size, dev)
    t_bank, c_bank = timed(lambda: train_bank(make(lams), x, s), dev)
    mem_bank = torch.cuda.max_memory_allocated() / 2**20 if dev.type == 'cuda' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    def loop(ls=lams, st=s, h=a.hidden):
        for l in ls: train_bank(make([l], h), x, st)
    t_loop, c_loop = timed(loop, dev)
    t_whole = timed(lambda: train_bank(make(lams), x, s, member_chunk=len(lams)), dev)[0] if chunk < len(lams) else t_bank
    peak2, peak_cpu2 = matmul_peak(dev)
    peak, peak_cpu = max(peak, peak2), max(peak_cpu, peak_cpu2)
    th = torch.get_num_threads()
    gf = lambda t: flop * len(lams) / t / 1e9
    gf_bank, gf_loop = gf(t_bank), gf(t_loop)
    print(f"fp32 matmul peak: {peak:.1f} GFLOP/s")
    print(f"bank of {len(lams)} (parts of {chunk}): wall {t_bank:.2f}s (cpu {c_bank:.2f}s), {gf_bank:.1f} GFLOP/s = {gf_bank / peak:.0%} of peak")
    if chunk < len(lams): print(f"bank of {len(lams)} stepped whole: wall {t_whole:.2f}s, {gf(t_whole):.1f} GFLOP/s = {gf(t_whole) / peak:.0%} of peak")
    print(f"one at a time: wall {t_loop:.2f}s (cpu {c_loop:.2f}s), {gf_loop:.1f} GFLOP/s = {gf_loop / peak:.0%} of peak")
    if dev.type == 'cpu':
        gf_bank_cpu = flop * len(lams) / (c_bank / th) / 1e9
        print(f"by CPU time per thread (what an unshared machine would give): peak {peak_cpu:.1f} GFLOP/s, bank {gf_bank_cpu:.1f} GFLOP/s = {gf_bank_cpu / peak_cpu:.0%} of peak")
    print(f"wall ratio {t_loop / t_bank:.2f}x, cpu-time ratio {c_loop / max(c_bank, 1e-9):.2f}x")
    Q = PRESETS['quick']
    if not a.skip_quick:
        sq = TrainSettings(lr=Q['lr'], epochs=1, batch_size=Q['batch_size'])
        tq_bank = timed(lambda: train_bank(make(list(Q['lams']), Q['hidden'][0]), x, sq), dev)[0]
        tq_loop = timed(lambda: loop(list(Q['lams']), sq, Q['hidden'][0]), dev)[0]
        print(f"quick preset shape ({len(Q['lams'])} x width {Q['hidden'][0]}, batch {Q['batch_size']}, 1 epoch): bank {tq_bank:.2f}s, one at a time {tq_loop:.2f}s, ratio {tq_loop / tq_bank:.2f}x")
    print(f"speedup={t_loop / t_bank:.2f} peak_fraction={gf_bank / peak:.3f} peak_mem_mb={mem_bank:.0f}")


if __name__ == '__main__':
    main()
