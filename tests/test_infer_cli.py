"""End-to-end tests of the `sae_infer` command: bad input gives one `error:` line and exit code 2; results survive reruns."""
import json, shutil, subprocess, sys
from pathlib import Path

import pytest

from sae_concept_dynamics.fixtures import tiny_store

from cli_checks import run, assert_one_line_error


def infer(*args):
    "Run `sae_infer` with CLI arguments; return (exit code, stdout, stderr)."
    return run('sae_infer', *args)   # in this process (cli_checks.run)


def test_missing_folder(tmp_path):
    assert_one_line_error(*infer('--log_dir', tmp_path/'nowhere')[::2], 'not a folder')


def test_bad_ks(tmp_path):
    assert_one_line_error(*infer('--log_dir', tmp_path, '--ks', '1,two')[::2], '--probe_ks')   # --ks is the old name of --probe_ks


def test_bad_backend(tmp_path):
    assert_one_line_error(*infer('--log-dir', tmp_path, '--backend', 'jax')[::2], 'backend')


@pytest.fixture(scope='module')
def sweep(tmp_path_factory):
    "A tiny store and a two-SAE sweep trained on it by `sae_trainer`."
    root = tmp_path_factory.mktemp('infer')
    tiny_store(root/'store')
    rc, out, err = run('sae_trainer', '--log_dir', root/'store', '--sae_type', 'vanilla', '--hidden', '32',
                       '--lambdas', '1e-3,1e-2', '--epochs', '2', '--out_dir', root/'sweep', '--device', 'cpu', '--quiet')
    assert rc == 0, err
    return root


def test_sweep_runs_and_resumes(sweep):
    rc, out, err = infer('--log_dir', sweep/'sweep', '--ks', '1,2', '--protocol', 'holdout')
    assert rc == 0, err
    res = sweep/'sweep'/'results'
    for f in ('concepts.csv', 'saes.csv', 'best_latents.csv', 'neurons.npz'): assert (res/f).exists(), f
    import pandas as pd
    assert len(pd.read_csv(res/'saes.csv')) == 2
    marks = {p: p.stat().st_mtime for p in res.glob('partial/*/done.json')}
    rc, out, err = infer('--log_dir', sweep/'sweep', '--ks', '1,2', '--protocol', 'holdout')
    assert rc == 0 and marks == {p: p.stat().st_mtime for p in res.glob('partial/*/done.json')}


def test_store_changed(sweep, tmp_path):
    store = tmp_path/'store'
    shutil.copytree(sweep/'store', store)
    m = json.loads((store/'manifest.json').read_text()); m['checksum'] = 'not-the-same'
    (store/'manifest.json').write_text(json.dumps(m))
    assert_one_line_error(*infer('--log_dir', sweep/'sweep', '--store', store)[::2], 'changed since')


def test_no_finished_sae(sweep, tmp_path):
    sw = tmp_path/'sweep'
    shutil.copytree(sweep/'sweep', sw)
    for f in sw.rglob('final.pt'): f.unlink()
    assert_one_line_error(*infer('--log_dir', sw)[::2], 'no finished SAE')


def test_bad_shard(tmp_path):
    assert_one_line_error(*infer('--log_dir', tmp_path, '--shard', '3/2')[::2], '--shard')


def test_two_shards_at_once(sweep, tmp_path):
    "Two shards run at the same time write disjoint partial results; a run without --shard merges them into one process's tables."
    import pandas as pd
    one, two = tmp_path/'one', tmp_path/'two'
    shutil.copytree(sweep/'sweep', one, ignore=shutil.ignore_patterns('results')); shutil.copytree(sweep/'sweep', two, ignore=shutil.ignore_patterns('results'))
    code = 'import sys; from sae_concept_dynamics.infer import sae_infer; sae_infer(argv=sys.argv[1:])'
    args = ['--ks', '1', '--protocol', 'holdout', '--device', 'cpu']
    procs = [subprocess.Popen([sys.executable, '-c', code, '--log_dir', str(two), '--shard', f'{i}/2', *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (0, 1)]
    for p in procs: assert p.wait(timeout=600) == 0, p.stderr.read()
    assert not (two/'results'/'concepts.csv').exists()
    assert len(list((two/'results'/'partial').glob('*/done.json'))) == 2
    for d in (two, one): assert infer('--log_dir', d, *args)[0] == 0
    a, b = (pd.read_csv(d/'results'/'concepts.csv') for d in (one, two))
    pd.testing.assert_frame_equal(a, b)
