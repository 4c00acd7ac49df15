"""Average ranks of SAE codes: sorting only the nonzeros against sorting every column (`block_ranks` with `dense=1` / `dense=0`).

`average_ranks` (every per-latent AUC, every null draw, every probe's test AUC) ranks a block of columns by whichever is
cheaper; `block_ranks` switches at `dense=0.3` (fraction nonzero). This prints both costs at several densities, measured
in the same run (ratios, not absolute times, are what carry from machine to machine), checks that both give the same
ranks, and ends with the density from which sorting every column is the faster of the two.

    python bench/bench_ranks.py [--rows 10000] [--width 512] [--repeats 5]
"""
import argparse, time, torch
from sae_concept_dynamics.metrics import block_ranks

def by_nonzeros(v): return block_ranks(v, block=v.numel(), dense=1.)   # every block: sort only the nonzeros
def by_sorting(v): return block_ranks(v, block=v.numel(), dense=0.)    # every block: sort each column whole

def codes(n, w, frac, g):
    "TopK-like codes: `frac` of each row's latents nonzero (continuous values, some negative), the rest exact zeros."
    k = max(1, round(frac * w))
    idx = torch.rand(n, w, generator=g).topk(k, -1).indices
    return torch.zeros(n, w).scatter_(1, idx, torch.randn(n, k, generator=g))[None]

def seconds(f, v, repeats):
    f(v); best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter(); f(v); best = min(best, time.perf_counter() - t)
    return best

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rows', type=int, default=10_000); ap.add_argument('--width', type=int, default=512)
    ap.add_argument('--repeats', type=int, default=5)
    a = ap.parse_args()
    g = torch.Generator().manual_seed(0)
    print(f"{a.rows} rows x {a.width} latents, best of {a.repeats}, {torch.get_num_threads()} threads")
    print(f"{'nonzero':>8} {'nonzeros_s':>11} {'sorted_s':>9} {'sorted/nonzeros':>16}")
    cross = None
    for frac in (0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0):
        v = codes(a.rows, a.width, frac, g)
        assert torch.equal(by_nonzeros(v), by_sorting(v)), "the two rankings differ"
        t1, t2 = seconds(by_nonzeros, v, a.repeats), seconds(by_sorting, v, a.repeats)
        if cross is None and t2 < t1: cross = frac
        print(f"{frac:8.2f} {t1:11.4f} {t2:9.4f} {t2 / t1:16.2f}")
    print(f"sorted_faster_from_density={cross} dense_speedup={t1 / t2:.2f}")
