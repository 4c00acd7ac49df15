"""SAELens round trip: train a tiny sweep of each SAE type, export it with `sae_export`, load each folder with SAELens's own
loader (`SAE.load_from_disk`) and check that SAELens's `encode`/`decode` give the package's codes and reconstructions.
Run in an environment with the `saelens` extra: python .ci/saelens_check.py [work_dir]"""
import sys, tempfile, time
from pathlib import Path

import torch
import sae_lens
from sae_concept_dynamics.fixtures import tiny_store
from sae_concept_dynamics.training import train_sweep, load_sae, list_saes
from sae_concept_dynamics.export import sae_export

TOL = 1e-5
GRIDS = {'vanilla': dict(lams='1e-3'), 'topk': dict(k_fracs='0.25'), 'batchtopk': dict(k_fracs='0.25'), 'jumprelu': dict(lams='1e-4')}

def check(st, sae_type, work, x):
    "Train, export and compare one type; returns (max code difference, max reconstruction difference, SAELens class name)."
    sweep = train_sweep(st, sae_type, work/sae_type, hidden='16', epochs=2, batch_size=64, progress=False, **GRIDS[sae_type])
    sae_export(log_dir=str(work/sae_type), out_dir=str(work/'export'/sae_type), quiet=True)
    cid = list_saes(work/sae_type).config_id[0]
    ours = load_sae(work/sae_type/cid)
    theirs = sae_lens.SAE.load_from_disk(str(work/'export'/sae_type/cid), device='cpu')
    with torch.no_grad():
        z0 = ours.encode(x)[0]; xh0 = ours.decode(z0)[0]
        z1 = theirs.encode(x); xh1 = theirs.decode(z1)
    dz, dx = (z1 - z0).abs().max().item(), (xh1 - xh0).abs().max().item()
    nz = (z0 != 0).float().sum(1).mean().item()
    assert nz > 0, f"{sae_type}: every code is zero, the comparison would say nothing"
    return dz, dx, type(theirs).__name__, nz

if __name__ == '__main__':
    t0 = time.time()
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    torch.manual_seed(0)
    st = tiny_store(work/'store')
    x = st.get(None, 'test')
    print(f"sae_lens {sae_lens.__version__}, torch {torch.__version__}; {x.shape[0]} test rows of width {x.shape[1]}")
    bad = []
    for t in GRIDS:
        dz, dx, cls, nz = check(st, t, work, x)
        ok = dz <= TOL and dx <= TOL
        print(f"{t:10s} -> SAELens {cls:22s} codes max |diff| {dz:.2e}, reconstructions max |diff| {dx:.2e}, L0 {nz:.1f}: {'ok' if ok else 'FAIL'}")
        if not ok: bad.append(t)
    print(f"SAELens round trip: {len(GRIDS) - len(bad)} passed, {len(bad)} failed ({time.time() - t0:.0f}s)")
    sys.exit(1 if bad else 0)
