"""Two `sae_trainer --shard` processes started at once into one sweep folder train the same SAEs as one process."""
import os, subprocess, sys
from pathlib import Path

import torch

from sae_concept_dynamics.fixtures import tiny_store
from sae_concept_dynamics.training import list_saes, list_snapshots, read_sweep

PY = 'import sys; from sae_concept_dynamics.training import sae_trainer; sae_trainer(argv=sys.argv[1:])'
GRID = ['--sae_type', 'vanilla', '--hidden', '16,24', '--lambdas', '1e-3,1e-2', '--seeds', '0,1', '--epochs', '1',
        '--batch_size', '128', '--device', 'cpu', '--quiet', '--snapshots', 'vanilla_h16_lam0.01_s1']


def trainer(store, out, *extra):
    "Start `sae_trainer` on the test grid in a subprocess (one thread, so runs are bit-comparable)."
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    return subprocess.Popen([sys.executable, '-c', PY, '--log_dir', str(store), '--out_dir', str(out), *GRID, *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(p):
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    return out


def test_two_shards_at_once_equal_one_process(tmp_path):
    tiny_store(tmp_path/'store', n_train=300, n_test=100)
    shards = [trainer(tmp_path/'store', tmp_path/'sharded', '--shard', f'{i}/2') for i in range(2)]   # started together
    one = trainer(tmp_path/'store', tmp_path/'one')
    outs = [finish(p) for p in shards]; finish(one)
    a, b = list_saes(tmp_path/'sharded'), list_saes(tmp_path/'one')
    assert list(a.config_id) == list(b.config_id) and len(a) == 8 and (a.status == 'done').all()
    assert read_sweep(tmp_path/'sharded')['grid'] == read_sweep(tmp_path/'one')['grid']
    for pa, pb in zip(a.path, b.path):
        ta, tb = torch.load(Path(pa)/'final.pt'), torch.load(Path(pb)/'final.pt')
        for n in tb['state']: assert torch.equal(ta['state'][n], tb['state'][n]), (pa, n)
        assert list_snapshots(pa) == list_snapshots(pb)
    assert [len(list_snapshots(p)) > 1 for p in a.path] == [c == 'vanilla_h16_lam0.01_s1' for c in a.config_id]
    mtimes = [(Path(p)/'final.pt').stat().st_mtime_ns for p in a.path]
    merged = trainer(tmp_path/'store', tmp_path/'sharded'); finish(merged)                           # the unsharded rerun: nothing left
    assert (list_saes(tmp_path/'sharded').status == 'done').all()
    assert [(Path(p)/'final.pt').stat().st_mtime_ns for p in a.path] == mtimes                      # and it retrained none
