"""The seed preset on full-MNIST-sized data: timed slices of every stage, extrapolated to the whole preset, against its compute floor.

The store: 60,000 / 10,000 digits made from the 5,000 embedded digits by small random shifts (up to 2 px) and rotations
(up to 12 degrees), run through the example store's MLP oracle (`write_activation_store` of the activations chapter).
It is FOR TIMING ONLY: its digits repeat the embedded ones, so its scientific answers mean nothing. It is built once and
cached under $SCD_CACHE (default ~/.cache/sae_concept_dynamics), with the digits also written as MNIST IDX files so
`--full` can run the real pipeline (`run_pipeline(preset='seed', data=<that folder>)`) on it.

Stages timed (each a slice, scaled by the preset's counts from `training.PRESETS['seed']` and
`pipeline.PIPELINE_PRESETS['seed']`):
- training: a few steps of each bank shape (vanilla bank of 20 lambdas and TopK bank of 7 k's, widths 256 and 512), stepped
  by `train_bank` as the trainer steps it, times the preset's steps; the same for the random-oracle control's banks
  (`random_oracle_grid`: three lambdas, three k's); plus per-SAE snapshot and final-metric writing;
- infer: `infer_saes` on SAEs of each type and width, with the seed targets (raw, codes, recon, residual) for trained SAEs
  and (raw, codes) for the random-init control; the raw-activation probes are counted once when infer shares them
  (the random-oracle control is judged by its verdicts alone: no infer);
- random-init sweeps (`train_sweep(epochs=0)`), the random oracle's store, the lineage step (per snapshot: codes on both
  splits and every latent's concept AUC, as `snapshot_measures`; `dynamics_saes` sparsities per type x every seed x
  the trainer's snapshots: step 0 and `n_snapshots` log-spaced);
- the verdicts: matched-null draws (`null_draws`, latents chosen on the preset's `select_rows` training rows) timed at each
  TopK k per width, times the preset's draws and its distinct nulls (TopK: one per k and width; vanilla: the L0 grid points
  its seeds land on per lambda, measured on the quick run's vanilla SAEs when one exists); the SAEs' own statistics cost
  about one draw each; the random-oracle control's SAEs the same, with nulls on its own store; the rest of analysis (`analyze_run` on a small run, scaled linearly by the number of SAEs).
  The ablation experiment is not timed here.
The floor: the preset's training FLOPs (10 x batch x d x hidden per SAE step, as bench_sweep.py counts them; both trained
grids: the study's and the random-oracle control's) at this machine's fp32 matmul peak, measured in the same run as ../shared/peers/matmul_peak.py does (median of
10 square matmuls; the best of n = 2048, 1024).
Training is also timed with `precision='bf16'` (bfloat16 matmuls under autocast), and the preset's total with those
slices is printed before the last line; the last line stays fp32, the default.
TopK vs reference: ../shared/peers/ref_sae.py's plain TopK SAE (4,000 x 256 rows, width 512, k = 32, batch 1024, 30
epochs, Adam 1e-3) against the package's TopK bank of one on the same rows (the embedded store's relu2), in samples
actually used per second (best wall of `--repeats`).
Peak memory: the process's peak resident set. Disk: the size of a quick run folder (`--quick_run`, default runs/quick)
when one exists.

    python bench/bench_scale.py [--quick] [--rows 60000] [--test_rows 10000] [--steps 6] [--infer_saes 2] [--full]

`--quick` runs a small version (6,000 / 1,000 rows, fewer steps and epochs) to check the benchmark end to end; its
numbers are not the seed preset's. On a shared machine wall times are noisy: compare ratios from one run.
The last line is `seed_preset_min=<minutes> seed_preset_vs_floor=<ratio> peak_rss_mb=<MB> quick_run_mb=<MB>
topk_vs_reference=<package samples/s over reference>`.
"""
import argparse, math, resource, shutil, statistics, sys, tempfile, time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]

def peers_dir()->Path:
    "The peer benchmark folder: $PEERS_DIR, else ../shared/peers next to the project (or next to the folder holding it)."
    import os
    for p in ([Path(os.environ['PEERS_DIR'])] if 'PEERS_DIR' in os.environ else []) + [ROOT.parent/'shared'/'peers', ROOT.parent.parent/'shared'/'peers']:
        if (p/'ref_sae.py').exists(): return p
    raise SystemExit("../shared/peers/ref_sae.py not found: set PEERS_DIR to the peer benchmark folder")

from sae_concept_dynamics.core import DEFAULT_CACHE
from sae_concept_dynamics.data import MNISTSplit, load_embedded, write_idx
from sae_concept_dynamics.activations import ActivationStore, write_activation_store
from sae_concept_dynamics.fixtures import example_store
from sae_concept_dynamics.oracle import load_oracle, build_oracle
from sae_concept_dynamics.sae import SAEBank, input_scale
from sae_concept_dynamics import training
from sae_concept_dynamics.training import PRESETS, TrainSettings, train_bank, steps_per_epoch
from sae_concept_dynamics.pipeline import PIPELINE_PRESETS

NOTE = "augmented store (shifted/rotated copies of the 5,000 embedded digits): for timing only, its answers mean nothing"


# ---------------------------------------------------------------- the store
def augment(split:MNISTSplit, n:int, seed:int=0, max_shift:float=2., max_deg:float=12.)->MNISTSplit:
    "`n` digits made from `split` by small random shifts and rotations (the originals first)."
    g = torch.Generator().manual_seed(seed)
    reps = math.ceil(n / len(split))
    src = torch.from_numpy(split.images).float()[:, None].repeat(reps, 1, 1, 1)[:n] / 255.
    labels = np.tile(split.labels, reps)[:n]
    ang = (torch.rand(n, generator=g) * 2 - 1) * math.radians(max_deg)
    sh = (torch.rand(n, 2, generator=g) * 2 - 1) * max_shift * 2 / 28
    ang[:len(split)] = 0; sh[:len(split)] = 0
    theta = torch.stack([torch.stack([ang.cos(), -ang.sin(), sh[:, 0]], 1), torch.stack([ang.sin(), ang.cos(), sh[:, 1]], 1)], 1)
    out = []
    for i in range(0, n, 8192):
        t = theta[i:i + 8192]
        out.append(F.grid_sample(src[i:i + 8192], F.affine_grid(t, (len(t), 1, 28, 28), align_corners=False), align_corners=False))
    imgs = (torch.cat(out)[:, 0] * 255).round().clamp(0, 255).to(torch.uint8).numpy()
    return MNISTSplit(imgs, labels, split.split, 'embedded-augmented-for-timing')


def augmented_store(n_train:int, n_test:int)->tuple:
    "The cached augmented store (built on first use) and the folder of its digits as MNIST IDX files."
    path = DEFAULT_CACHE/f'augmented_store_{n_train}_{n_test}'
    idx = DEFAULT_CACHE/f'augmented_idx_{n_train}_{n_test}'
    if not (path/'manifest.json').exists():
        ex = example_store()
        model, cfg = load_oracle(ex.path/'oracle.pt')
        tr, te = augment(load_embedded('train'), n_train, 0), augment(load_embedded('test'), n_test, 1)
        write_activation_store(path, model, cfg, tr, te, list(ex.layers), extra_manifest=dict(note=NOTE))
        for s, (im, lb) in dict(train=(tr.images, tr.labels), test=(te.images, te.labels)).items():
            from sae_concept_dynamics.data import IDX_FILES
            write_idx(im, idx/f'{IDX_FILES[s][0]}.gz'); write_idx(lb.astype(np.uint8), idx/f'{IDX_FILES[s][1]}.gz')
    return ActivationStore(path), idx


# ---------------------------------------------------------------- helpers
def matmul_peak(sizes=(2048, 1024), reps:int=10)->float:
    "fp32 GFLOP/s of C = A @ B: median of `reps` timed matmuls per size (as ../shared/peers/matmul_peak.py), best size."
    best = 0.
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        for _ in range(3): a @ b
        ts = []
        for _ in range(reps):
            t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
        best = max(best, 2 * n ** 3 / statistics.median(ts) / 1e9)
    return best


def timed(fn):
    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)      # GPU work finished inside the timing
    sync(); t = time.perf_counter(); r = fn(); sync(); return time.perf_counter() - t, r


def rss_mb()->float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(p)->float:
    p = Path(p)
    return sum(f.stat().st_size for f in p.rglob('*') if f.is_file()) / 2**20 if p.is_dir() else float('nan')


def grid_knobs(preset:str='seed', random_oracle:bool=False)->dict:
    "lams and k_fracs of the preset's trained grid, or of its random-oracle control (`random_oracle_grid` over the trained grid)."
    P, PP = PRESETS[preset], PIPELINE_PRESETS[preset]
    g = {**P, **PP['random_oracle_grid']} if random_oracle else P
    return dict(lams=tuple(g['lams']), k_fracs=tuple(g['k_fracs']))


def grid_shapes(preset:str='seed', random_oracle:bool=False)->list:
    "(sae_type, hidden, members per bank, banks) of the preset's training grid per sweep type (or of its random-oracle control)."
    P, PP = PRESETS[preset], PIPELINE_PRESETS[preset]
    g, out = grid_knobs(preset, random_oracle), []
    for t in (PP['random_oracle_types'] if random_oracle else PP['sae_types']):
        S = len(g['lams']) if t in ('vanilla', 'jumprelu') else len(g['k_fracs'])
        for h in P['hidden']: out.append((t, h, S, len(PP['seeds'])))
    return out


def make_bank(sae_type:str, h:int, S:int, x:torch.Tensor, preset:str='seed', random_oracle:bool=False)->SAEBank:   # on x's device
    g = grid_knobs(preset, random_oracle)
    act = training.SAE_TYPES[sae_type]
    ks = [max(1, min(h, round(f * h))) for f in g['k_fracs']][:S] if act in ('topk', 'batchtopk') else None
    lams = list(g['lams'])[:S] if act in ('relu', 'jumprelu') else None
    return SAEBank(x.shape[1], h, n_members=S, activation=act, lams=lams, ks=ks, seeds=0, dead_rows=len(x), device=x.device).init_b_dec(x)


# ---------------------------------------------------------------- stages
def time_training(x:torch.Tensor, steps:int, batch:int, lr:float, precision:str='fp32', random_oracle:bool=False, device=None)->tuple:
    "Seconds per step of each bank shape of the seed grid or its random-oracle control (a few steps, after one warm-up step), and the banks."
    per, banks, x = {}, {}, x if device is None else x.to(device)
    for t, h, S, _ in grid_shapes(random_oracle=random_oracle):
        bank = make_bank(t, h, S, x, random_oracle=random_oracle)
        s = TrainSettings(lr=lr, epochs=1, batch_size=batch, l1_warmup_frac=0., lr_decay_frac=0., precision=precision)
        train_bank(bank, x[:batch], s)                                  # warm-up: one step
        sec, _ = timed(lambda: train_bank(bank, x[:steps * batch], s))
        n = steps_per_epoch(steps * batch, batch)
        per[(t, h)] = sec / n; banks[(t, h)] = bank
        print(f"  train {t:8s} bank of {S:2d} x width {h} ({precision}): {sec / n * 1e3:7.1f} ms/step ({n} steps)", flush=True)
    return per, banks


@torch.no_grad()
def final_pass(sae:SAEBank, x:torch.Tensor, batch_size:int=4096)->dict:
    "The trainer's closing measure of one SAE: FVU, mean L0 and dead fraction over every row, in batches."
    sae.eval(); err = l0 = 0.; fired = torch.zeros(sae.hidden, dtype=torch.bool, device=x.device)
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size]; xh, z = sae(xb)
        err += float((xh[0] - xb).pow(2).sum()); l0 += float((z[0] != 0).sum()); fired |= (z[0] != 0).any(0)
    return dict(fvu=err / max(float((x - x.mean(0)).pow(2).sum()), 1e-30), l0=l0 / len(x), dead_frac=float((~fired).float().mean()))


def time_finalize(bank:SAEBank, x:torch.Tensor, n_snap:int)->float:
    "Seconds to write one SAE's snapshots and final checkpoint, as the trainer does."
    from sae_concept_dynamics.core import save_torch
    tmp = Path(tempfile.mkdtemp())
    def go():   # as for a followed SAE (the others write no snapshots): all steps in one float16 file
        m = bank.member(0).fold_input_scale(1.)
        cks = [m.checkpoint() for j in range(n_snap + 1)]                 # pack_snapshots stores them in float16
        save_torch(training.pack_snapshots(cks, list(range(n_snap + 1)), 1.), tmp/training.SNAPSHOT_FILE)
        save_torch(dict(m.checkpoint(), step=n_snap, input_scale=1.), tmp/'final.pt')
        final_pass(m, x)
    sec, _ = timed(go); shutil.rmtree(tmp)
    return sec


def time_infer(store:ActivationStore, banks:dict, n:int, ks, device=None)->dict:
    "Seconds per SAE of `infer_saes` for each (type, width): trained targets and control targets."
    from sae_concept_dynamics.infer import infer_saes
    tmp = Path(tempfile.mkdtemp()); out = {}
    for (t, h), bank in banks.items():
        idx = np.unique(np.linspace(0, bank.n_members - 1, n + 2)[1:-1].round().astype(int))  # interior members: typical sparsity
        members = {f'{t}_{h}_{i}': bank.member(int(i)).eval() for i in idx}
        e = pd.DataFrame(dict(sae_id=list(members), sae_type=t, hidden=h, layer=store.default_layer))
        for name, targets in (('trained', ('raw', 'codes', 'recon', 'residual')), ('control', ('raw', 'codes'))):
            sec, _ = timed(lambda: infer_saes(e, lambda row: members[row.sae_id], store, tmp/f'{t}_{h}_{name}', progress=False, ks=ks, targets=targets, device=device))
            out[(t, h, name)] = sec / len(e)
            print(f"  infer {t:8s} width {h} {name:7s}: {sec / len(e):6.1f} s/SAE ({len(e)} SAEs)", flush=True)
    shutil.rmtree(tmp)
    return out


def time_raw_probes(store:ActivationStore, ks)->float:
    "Seconds of the raw-activation probes of one store (shared by every SAE reading it), from a cold cache; 0 if infer does not share them."
    from sae_concept_dynamics import infer
    if not hasattr(infer, 'probe_tables'): return 0.
    infer.clear_raw_probes(store)
    x, c = store.get(None, 'test'), store.concepts('test')
    sec, _ = timed(lambda: infer.probe_tables(store, store.default_layer, x, torch.zeros(1, len(x), 1), None, c, store.concept_names, targets=('raw',), ks=ks))
    return sec


def time_random_oracle_store(store:ActivationStore, device='cpu')->float:
    "Seconds to record a random (untrained) oracle's activation store on the same digits."
    from sae_concept_dynamics.oracle import OracleConfig
    cfg = OracleConfig(**{k: v for k, v in store.manifest['oracle']['config'].items() if k in OracleConfig.__dataclass_fields__})
    tr = MNISTSplit(store.images('train'), store.labels('train').numpy(), 'train', 'timing')
    te = MNISTSplit(store.images('test'), store.labels('test').numpy(), 'test', 'timing')
    tmp = Path(tempfile.mkdtemp())
    sec, _ = timed(lambda: write_activation_store(tmp/'ro', build_oracle(cfg).to(device), cfg, tr, te, [store.default_layer]))   # the pipeline records only the layer its SAEs read
    shutil.rmtree(tmp)
    return sec


def time_init_sweep(store:ActivationStore, device='cpu')->float:
    "Seconds per SAE of writing untrained SAEs (the random-init control), one seed of the TopK grid."
    tmp = Path(tempfile.mkdtemp())
    sec, tab = timed(lambda: training.train_sweep(store, 'topk', tmp/'ri', preset='seed', seeds=(0,), epochs=0, progress=False, device=device))
    shutil.rmtree(tmp)
    return sec / max(1, len(tab))


def time_dynamics(store:ActivationStore, banks:dict, n_rows, device='cpu')->float:
    "Seconds of one snapshot of the lineage step (`snapshot_measures`: codes on both splits, every latent's concept AUC), averaged over the widths."
    from sae_concept_dynamics.metrics import concept_auc
    from sae_concept_dynamics.infer import sae_outputs
    x_tr, x_te = store.get(None, 'train', device)[:n_rows], store.get(None, 'test', device)[:n_rows]
    c_tr, c_te = store.concepts('train')[:n_rows].to(device), store.concepts('test')[:n_rows].to(device)
    secs = []
    for (t, h), bank in banks.items():
        m = bank.member(0).eval()
        def one():   # two snapshots ranked as one bank, as snapshot_measures ranks all of an SAE's snapshots
            z_tr, z_te = sae_outputs(m, x_tr, recon=False)[0], sae_outputs(m, x_te, recon=False)[0]
            concept_auc(torch.cat([z_tr, z_tr]), c_tr); concept_auc(torch.cat([z_te, z_te]), c_te)
        secs.append(timed(one)[0] / 2)
    return float(np.mean(secs))


def time_nulls(store:ActivationStore, select_rows, device='cpu')->dict:
    "Seconds per matched-null draw and k (encode, rank, every verdict readout): each width's TopK k of the preset drawn together as `null_table` does, latents chosen on `select_rows` training rows."
    from sae_concept_dynamics.nulls import null_draws, concept_values, concept_spec, NULL_READOUTS
    from sae_concept_dynamics.infer import row_budget
    names = store.concept_names
    x_tr, x_te = store.get(None, 'train', device), store.get(None, 'test', device)
    c_tr, c_te = store.concepts('train').to(device), store.concepts('test').to(device)
    v_tr, v_te = concept_values(store, 'train', names), concept_values(store, 'test', names)
    idx = row_budget(len(x_tr), select_rows, 0)
    if idx is not None: x_tr, c_tr, v_tr = x_tr[idx], c_tr[idx], v_tr[idx.numpy()]
    kd = {n: dict(kind=r.kind, members=r.members) for n, r in concept_spec(names).set_index('concept').iterrows()}
    out = {}
    for h in PRESETS['seed']['hidden']:                                     # all k of a width together, as `null_table` draws them
        ks = sorted({max(1, min(h, round(f * h))) for f in PRESETS['seed']['k_fracs']})
        sec = timed(lambda: null_draws(x_tr, x_te, c_tr, c_te, names, h, ks, 2, v_tr, v_te, kd, NULL_READOUTS))[0]
        out.update({(h, k): sec / (2 * len(ks)) for k in ks})
    return out


def null_count(quick_run, preset:str='seed', random_oracle:bool=False)->tuple:
    "Distinct matched nulls of the preset (or of its random-oracle control, on its own store): TopK at each k per width; vanilla at each L0 grid point its seeds land on (per lambda, measured on a quick run's vanilla SAEs with the preset's grid and seed count; 2 without one); one per width for the vanilla random-init control."
    from sae_concept_dynamics.nulls import null_k
    P, PP = PRESETS[preset], PIPELINE_PRESETS[preset]
    per_cfg, src = 2., 'assumed (no quick run)'
    f = Path(quick_run)/'saes'/'vanilla'/'results'/'saes.csv'
    if f.exists():
        q = pd.read_csv(f); q = q[q.seed.isin(sorted(q.seed.unique())[:len(PP['seeds'])])].dropna(subset=['l0'])
        q['nk'] = [null_k('vanilla', int(h), None, l, PP['nulls']['grid']) for h, l in zip(q.hidden, q.l0)]
        per_cfg, src = float(q.groupby(['hidden', 'lam']).nk.nunique().mean()), f'measured on {f.parent.parent}'
    g, types = grid_knobs(preset, random_oracle), PP['random_oracle_types'] if random_oracle else PP['sae_types']
    n_topk = len(P['hidden']) * len(g['k_fracs']) if 'topk' in types else 0
    n_van = len(P['hidden']) * len(g['lams']) * per_cfg if 'vanilla' in types else 0
    return n_topk, n_van + (0 if random_oracle else len(P['hidden'])), per_cfg, src


def ladder_snapshots(preset:str='seed')->int:
    "Snapshot evaluations of the lineage step: `dynamics_saes` sparsities per type (over both widths), every seed, each at step 0 and the trainer's `n_snapshots`."
    P, PP = PRESETS[preset], PIPELINE_PRESETS[preset]
    n_cfg = lambda t: len(P['hidden']) * (len(P['lams']) if t in ('vanilla', 'jumprelu') else len(P['k_fracs']))
    return sum(min(PP['dynamics_saes'], n_cfg(t)) for t in PP['sae_types']) * len(PP['seeds']) * (P.get('n_snapshots', TrainSettings().n_snapshots) + 1)


def time_analysis(n_perm:int, n_boot:int, ks=(1, 2, 4, 8, 16, 32))->tuple:
    "Seconds of `analyze_run` on a small fake run (tiny trained sweeps on the embedded store; `ks` TopK sizes of 8 latents), and its number of SAEs."
    from sae_concept_dynamics.pipeline import analyze_run
    from sae_concept_dynamics.fixtures import fake_run
    tmp = Path(tempfile.mkdtemp())
    st = fake_run(tmp/'run', example_store(), ks=ks)
    sec, _ = timed(lambda: analyze_run(tmp/'run', st, n_perm=n_perm, n_boot=n_boot))
    shutil.rmtree(tmp)
    return sec, 6 + 2 * len(ks) + 4     # fake_run: 3 lambdas and len(ks) k's x 2 seeds, plus one untrained control per type and seed


def topk_vs_reference(epochs:int, repeats:int)->tuple:
    "Samples/s of the package's TopK bank of one and of the peers' plain reference TopK SAE on 4,000 x 256 rows."
    sys.path.insert(0, str(peers_dir()))
    import common as C, ref_sae
    X = example_store().get('relu2', 'train').contiguous()
    N, B = len(X), C.BATCH
    def pkg():
        x = X * input_scale(X)
        bank = SAEBank(X.shape[1], C.HIDDEN, activation='topk', ks=[C.TOPK_K], seeds=[0]).init_b_dec(x)
        train_bank(bank, x, TrainSettings(lr=C.LR, epochs=epochs, batch_size=B, l1_warmup_frac=0., lr_decay_frac=0.))
    ref = lambda: ref_sae.train_ref(X, 'topk', epochs=epochs)
    pkg(); ref()                                                         # warm-up
    t_pkg = min(timed(pkg)[0] for _ in range(repeats)); t_ref = min(timed(ref)[0] for _ in range(repeats))
    pkg_samples = epochs * min(N, steps_per_epoch(N, B) * B)            # rows the package actually uses per epoch
    ref_samples = epochs * N                                             # the reference keeps the last partial batch
    return pkg_samples / t_pkg, ref_samples / t_ref


# ---------------------------------------------------------------- extrapolation
def extrapolate(a, n_train:int, per_step:dict, finalize:float, infer:dict, t_ro_store:float, t_init:float, t_dyn:float, t_ana:tuple, t_raw:float=0.,
                t_null:dict=None, n_nulls:tuple=None, per_step_ro:dict=None, n_nulls_ro:tuple=None)->tuple:
    "Stage table (seconds) of the whole seed preset, and its training FLOPs."
    P, PP = PRESETS['seed'], PIPELINE_PRESETS['seed']
    steps = P['epochs'] * steps_per_epoch(n_train, P['batch_size'])
    d = a.d
    rows, flop = [], 0.
    n_grid = {}
    for t, h, S, nb in grid_shapes():
        sec = nb * steps * per_step[(t, h)] + nb * S * finalize
        rows.append((f'train {t} width {h} ({nb} banks of {S}, {steps} steps)', sec))
        flop += nb * S * steps * 10 * P['batch_size'] * d * h
        n_grid[(t, h)] = nb * S
    ro_shapes = grid_shapes(random_oracle=True)
    n_ro = sum(nb * S for t, h, S, nb in ro_shapes)
    rows.append((f'train random-oracle sweeps ({n_ro} SAEs: banks of {"/".join(str(S) for S in sorted({S for *_, S, _ in ro_shapes}))})',
                 sum(nb * steps * per_step_ro[(t, h)] + nb * S * finalize for t, h, S, nb in ro_shapes)))
    flop_ro = sum(nb * S * steps * 10 * P['batch_size'] * d * h for t, h, S, nb in ro_shapes)
    rows.append(('random oracle store', t_ro_store))
    n_init = {(t, h): len(PP['seeds']) for (t, h) in n_grid}               # the random-init control: one knob per type, width and seed
    rows.append((f'random-init sweeps ({sum(n_init.values())} untrained SAEs)', sum(n_init.values()) * t_init))
    rows.append(('raw-activation probes (once: the trained store)', t_raw))
    full_targets = set(PP['targets']) == {'raw', 'codes', 'recon', 'residual'}
    rows.append((f'infer trained ({sum(n_grid.values())} SAEs, targets {",".join(PP["targets"])})',
                 sum(n * infer[(t, h, 'trained' if full_targets else 'control')] for (t, h), n in n_grid.items())))
    rows.append((f'infer random-init ({sum(n_init.values())} SAEs, raw+codes)', sum(n * infer[(t, h, 'control')] for (t, h), n in n_init.items())))
    n_snap = ladder_snapshots()
    rows.append((f'dynamics (lineage step: {n_snap} snapshots, {PP["lineage"]["n_rows"] or "all"} rows per split)', n_snap * t_dyn))
    if t_null:
        n_topk, n_van, _, _ = n_nulls
        nd = PP['nulls']['n_draws']; hs = sorted({h for h, _ in t_null})
        per_w = {h: np.mean([v for (hh, _), v in t_null.items() if hh == h]) for h in hs}
        rows.append((f'matched nulls ({n_topk} TopK + about {n_van:.0f} vanilla (width, k), {nd} draws each)',
                     nd * (sum(t_null.values()) * n_topk / len(t_null) + n_van * np.mean(list(per_w.values())))))
        n_stat = sum(n_grid.values()) + sum(n_init.values())
        rows.append((f'verdict statistics ({n_stat} trained and random-init SAEs)', n_stat * np.mean(list(t_null.values()))))
        r_topk, r_van = n_nulls_ro[:2]
        rows.append((f'random-oracle verdicts ({n_ro} SAEs; nulls on its store: {r_topk} TopK + about {r_van:.0f} vanilla, {nd} draws each)',
                     nd * (sum(t_null.values()) * r_topk / len(t_null) + r_van * np.mean(list(per_w.values()))) + n_ro * np.mean(list(t_null.values()))))
    n_saes = sum(n_grid.values()) + sum(n_init.values()) + n_ro
    rows.append((f'analysis (n_perm {PP["n_perm"]}, scaled from {t_ana[1]} to {n_saes} SAEs)', t_ana[0] * n_saes / t_ana[1]))
    return rows, flop + flop_ro, flop


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='small rows, few steps: checks the benchmark end to end')
    p.add_argument('--rows', type=int, default=None, help='training rows of the augmented store (default 60000; --quick 6000)')
    p.add_argument('--test_rows', type=int, default=None, help='test rows (default 10000; --quick 1000)')
    p.add_argument('--steps', type=int, default=None, help='timed training steps per bank shape (default 6; --quick 2)')
    p.add_argument('--infer_saes', type=int, default=None, help='SAEs per (type, width) in the infer slice (default 2; --quick 1)')
    p.add_argument('--topk_epochs', type=int, default=None, help='epochs of the TopK comparison (default 30, as the peers; --quick 3)')
    p.add_argument('--repeats', type=int, default=None, help='timed repeats of the TopK comparison (default 3; --quick 1)')
    p.add_argument('--quick_run', default=str(ROOT/'runs'/'quick'), help='a quick run folder whose disk use to report')
    p.add_argument('--full', action='store_true', help='run the whole seed preset on the augmented store instead of extrapolating')
    a = p.parse_args()
    q = a.quick
    n_train, n_test = a.rows or (6000 if q else 60000), a.test_rows or (1000 if q else 10000)
    steps, topk_epochs, repeats = a.steps or (2 if q else 6), a.topk_epochs or (3 if q else 30), a.repeats or (1 if q else 3)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {NOTE}", flush=True)
    t_store, (store, idx) = timed(lambda: augmented_store(n_train, n_test))
    print(f"store: {store} ({t_store:.1f}s)", flush=True)
    peak = matmul_peak()
    print(f"fp32 matmul peak: {peak:.1f} GFLOP/s", flush=True)
    P, PP = PRESETS['seed'], PIPELINE_PRESETS['seed']
    x_raw = store.get(None, 'train'); x = x_raw * input_scale(x_raw); a.d = x.shape[1]
    if a.full:
        from sae_concept_dynamics.pipeline import run_pipeline
        out = Path(tempfile.mkdtemp())/'seed'
        total, _ = timed(lambda: run_pipeline(out, preset='seed', data=str(idx), device='cpu', progress=True))
        rows = [('whole seed preset (run_pipeline)', total)]
        fl = lambda shapes: sum(nb * S * P['epochs'] * steps_per_epoch(n_train, P['batch_size']) * 10 * P['batch_size'] * a.d * h for t, h, S, nb in shapes)
        flop_one = fl(grid_shapes()); flop = flop_one + fl(grid_shapes(random_oracle=True))
        print(f"seed run folder: {folder_mb(out):.0f} MB")
    else:
        print("training slices:", flush=True)
        per_step, banks = time_training(x, steps, P['batch_size'], P['lr'])
        print("random-oracle control's training slices:", flush=True)
        per_ro, _ = time_training(x, steps, P['batch_size'], P['lr'], random_oracle=True)
        finalize = time_finalize(banks[('vanilla', 512)], x_raw, P.get('n_snapshots', TrainSettings().n_snapshots))
        print(f"  snapshots + final checkpoint per SAE: {finalize:.2f}s", flush=True)
        print("infer slices:", flush=True)
        t_raw = time_raw_probes(store, PP['ks']); print(f"  raw-activation probes of a store (shared by its SAEs): {t_raw:.1f}s", flush=True)
        infer = time_infer(store, banks, a.infer_saes or (1 if q else 2), PP['ks'])
        t_ro = time_random_oracle_store(store); print(f"random oracle store: {t_ro:.1f}s", flush=True)
        t_init = time_init_sweep(store); print(f"random-init SAE: {t_init:.2f}s per SAE", flush=True)
        t_dyn = time_dynamics(store, banks, PP['lineage']['n_rows']); print(f"dynamics: {t_dyn:.1f}s per snapshot", flush=True)
        sel = PP['nulls'].get('select_rows')
        t_null = time_nulls(store, sel)
        n_nulls = null_count(a.quick_run)
        per_w = {h: v for (h, _), v in t_null.items()}
        print(f"matched-null draw (latents chosen on {sel or 'all'} training rows; each width's TopK k drawn together): "
              + ', '.join(f"width {h} {v:.2f}s per draw and k" for h, v in per_w.items()), flush=True)
        print(f"  nulls: {n_nulls[0]} TopK; vanilla {n_nulls[3]}: {n_nulls[2]:.2f} L0 grid points per lambda over {len(PP['seeds'])} seeds", flush=True)
        t_ana = time_analysis(PP['n_perm'], PP['n_boot'], (2, 8) if q else (1, 2, 3, 4, 6, 8)); print(f"analysis: {t_ana[0]:.1f}s on {t_ana[1]} SAEs", flush=True)
        n_nulls_ro = null_count(a.quick_run, random_oracle=True)
        rows, flop, flop_one = extrapolate(a, n_train, per_step, finalize, infer, t_ro, t_init, t_dyn, t_ana, t_raw, t_null, n_nulls, per_ro, n_nulls_ro)
        print("training slices with --precision bf16 (matmuls in bfloat16; the run's answers move: bench/precision.py):", flush=True)
        per_bf16, _ = time_training(x, steps, P['batch_size'], P['lr'], 'bf16')
        per_ro_bf16, _ = time_training(x, steps, P['batch_size'], P['lr'], 'bf16', random_oracle=True)
        rows_bf16 = extrapolate(a, n_train, per_bf16, finalize, infer, t_ro, t_init, t_dyn, t_ana, t_raw, t_null, n_nulls, per_ro_bf16, n_nulls_ro)[0]
    total = sum(s for _, s in rows)
    floor = flop / (peak * 1e9)
    print(f"\nseed preset on {n_train:,} / {n_test:,} rows{' (extrapolated from the slices above)' if not a.full else ''}:")
    w = max(len(n) for n, _ in rows)
    for name, sec in rows: print(f"  {name:{w}s} {sec / 60:8.1f} min  {sec / total:6.1%}")
    print(f"  {'total':{w}s} {total / 60:8.1f} min")
    print(f"training FLOPs: {flop / 1e12:.0f} TFLOP (trained grid {flop_one / 1e12:.0f} + random-oracle grid {(flop - flop_one) / 1e12:.0f}); "
          f"floor at {peak:.0f} GFLOP/s: {floor / 60:.1f} min (trained grid alone {flop_one / peak / 1e9 / 60:.1f} min)")
    if not a.full:
        tb = sum(s for _, s in rows_bf16); tr = lambda rs: sum(s for n, s in rs if n.startswith('train '))
        print(f"with --precision bf16: training {tr(rows_bf16) / 60:.1f} min (fp32 {tr(rows) / 60:.1f}); whole preset {tb / 60:.1f} min, "
              f"{tb / floor:.2f}x the fp32 floor")
    print("TopK SAE, 4,000 x 256 rows, width 512, k 32, batch 1024:", flush=True)
    sp_pkg, sp_ref = topk_vs_reference(topk_epochs, repeats)
    print(f"  package {sp_pkg / 1e3:.1f}k samples/s, plain reference {sp_ref / 1e3:.1f}k samples/s ({topk_epochs} epochs, best of {repeats})")
    qmb = folder_mb(a.quick_run)
    if not math.isfinite(qmb): print(f"no quick run at {a.quick_run}: quick_run_mb=nan (run sae_concept_dynamics --out {a.quick_run} first)")
    if q: print("(--quick: small store and few steps; these numbers check the benchmark, they are not the seed preset's)")
    print(f"seed_preset_min={total / 60:.1f} seed_preset_vs_floor={total / floor:.2f} peak_rss_mb={rss_mb():.0f} "
          f"quick_run_mb={qmb:.0f} topk_vs_reference={sp_pkg / sp_ref:.2f}")


if __name__ == '__main__':
    main()
