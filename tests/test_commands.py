"""Every command, the same way: one vocabulary of flags, `--version`, `--quiet`; called from Python bad input raises
`InputError`; from the console it prints one `error:` line and exits 2. Each argument is checked with a bad value."""
import json, shutil
from pathlib import Path

import pandas as pd
import pytest

from sae_concept_dynamics.core import InputError
from sae_concept_dynamics.fixtures import tiny_store
from sae_concept_dynamics.ablation import TABLE_MEASURES
from cli_checks import entry_points, run, call, assert_one_line_error

COMMANDS = sorted(entry_points())


@pytest.fixture(scope='module')
def store(tmp_path_factory):
    "A tiny but real activation store."
    return tiny_store(tmp_path_factory.mktemp('cmd')/'store').path


@pytest.mark.parametrize('cmd', COMMANDS)
def test_version_and_help(cmd):
    rc, out, err = call(cmd, '--version')
    assert rc == 0 and cmd in out and 'sae-concept-dynamics' in out, (out, err)
    rc, out, err = call(cmd, '--help')
    assert rc == 0, err
    assert '--quiet' in out and '--version' in out, out
    assert '--out' not in out.replace('--out-dir', '') or cmd == 'sae_concept_dynamics'   # one spelling of output folders


TRAIN_SAES = {'sae_trainer', 'sae_ablation'}   # the commands that train SAEs, and so choose their type


@pytest.mark.parametrize('cmd', COMMANDS)
def test_sae_type_vocabulary(cmd):
    "A command that trains SAEs takes `--sae_type` with the four types; no other command takes it."
    rc, out, err = call(cmd, '--help')
    assert rc == 0, err
    assert ('--sae-type' in out) == (cmd in TRAIN_SAES), out
    if cmd in TRAIN_SAES: assert all(t in out for t in ('vanilla', 'topk', 'batchtopk', 'jumprelu')), out


def test_commands_raise_from_python(tmp_path):
    from sae_concept_dynamics import training, ablation, infer, activations, pipeline
    (tmp_path/'f').write_text('x')
    for fn in (lambda: training.sae_trainer(log_dir='no/such/store'),
                 lambda: ablation.sae_trainer(log_dir='no/such/store'),
                 lambda: infer.sae_infer(log_dir=str(tmp_path), threshold=2.),
                 lambda: activations.mnist_activation_logger(log_dir=str(tmp_path/'a'), data='nowhere'),
                 lambda: ablation.sae_ablation(log_dir='no/such/store'),
                 lambda: pipeline.sae_concept_dynamics(out_dir=str(tmp_path/'f'))):
        with pytest.raises(InputError): fn()


def test_trainer_console_errors(store, tmp_path):
    (tmp_path/'f').write_text('x')
    base = ('--log_dir', store, '--out_dir', tmp_path/'s', '--quiet')
    assert_one_line_error(*call('sae_trainer', '--log_dir', tmp_path/'nostore')[::2], 'manifest.json missing')
    for args, words in [(('--sae_type', 'relu'), ('--sae_type', 'vanilla')), (('--sae_type', 'topk', '--k_fracs', '1.5'), ('--k_fracs',)),
                        (('--sae_type', 'topk', '--ks', '0'), ('--k_fracs',)), (('--hidden', '0'), ('--hidden',)),
                        (('--hidden', 'wide'), ('--hidden',)), (('--lambdas', '-1'), ('--lambdas',)), (('--seeds', 'a'), ('--seeds',)),
                        (('--seeds', '-2'), ('--seeds',)), (('--epochs', '-1'), ('--epochs',)), (('--batch_size', '0'), ('--batch_size',)),
                        (('--lr', '0'), ('--lr',)), (('--layer', 'fc9'), ('fc9',)), (('--preset', 'huge'), ('--preset',)),
                        (('--device', 'tpu'), ('--device',)), (('--precision', 'fp16'), ('--precision',)), (('--ablate_concept', 'digit_42'), ('digit_42',)),
                        (('--ablate_concept', 'digit_4', '--ablate_mode', 'prune'), ('--ablate_mode',)),
                        (('--ablate_concept', 'digit_4', '--ablate_from', '-1'), ('--ablate_from',))]:
        assert_one_line_error(*call('sae_trainer', *base, *args)[::2], *words)
    assert_one_line_error(*call('sae_trainer', '--log_dir', store, '--out_dir', tmp_path/'f', '--quiet')[::2], '--out_dir', 'not a folder')
    assert_one_line_error(*call('sae_trainer', '--log_dir', store, '--out_dir', tmp_path/'f'/'sub', '--quiet')[::2], '--out_dir', 'not a folder', 'is a file')


def test_store_manifest_missing_fields(store, tmp_path):
    for field in ('checksum', 'layers', 'concepts', 'data'):
        d = tmp_path/field; shutil.copytree(store, d)
        m = json.loads((d/'manifest.json').read_text()); del m[field]; (d/'manifest.json').write_text(json.dumps(m))
        assert_one_line_error(*call('sae_trainer', '--log_dir', d, '--out_dir', tmp_path/'o', '--quiet')[::2], repr(field))


def test_infer_console_errors(store, tmp_path):
    (tmp_path/'f').write_text('x')
    assert_one_line_error(*call('sae_infer', '--log_dir', tmp_path, '--threshold', '2')[::2], '--threshold')
    assert_one_line_error(*call('sae_infer', '--log_dir', tmp_path, '--threshold', '0.3')[::2], '--threshold')
    assert_one_line_error(*call('sae_infer', '--log_dir', tmp_path, '--probe_ks', '0')[::2], '--probe_ks')
    assert_one_line_error(*call('sae_infer', '--log_dir', tmp_path, '--targets', 'pixels')[::2], '--targets')
    assert_one_line_error(*call('sae_infer', '--log_dir', tmp_path, '--protocol', 'loo')[::2], '--protocol')
    assert_one_line_error(*call('sae_infer', '--log_dir', tmp_path/'f')[::2], 'not a folder')
    assert_one_line_error(*call('sae_infer', '--log_dir', tmp_path)[::2], 'sweep.json')


def test_ablation_console(store, tmp_path):
    (tmp_path/'f').write_text('x')
    base = ('--log_dir', store, '--quiet')
    for args, words in [(('--sae_type', 'gated'), ('--sae_type',)), (('--seeds', 'a,b'), ('--seeds',)), (('--modes', 'prune'), ('prune',)),
                        (('--steps', '0'), ('--steps',)), (('--hidden', '0'), ('--hidden',)), (('--lam', '0'), ('--lam',)),
                        (('--sae_type', 'topk', '--k_active', '0'), ('--k_active',)), (('--concept', 'digit_42'), ('digit_42',)),
                        (('--ablate_from', '500', '--steps', '300'), ('--ablate_from',)), (('--device', 'tpu'), ('--device',))]:
        assert_one_line_error(*call('sae_ablation', *base, '--out_dir', tmp_path/'x', *args)[::2], *words)
    assert_one_line_error(*call('sae_ablation', *base, '--out_dir', tmp_path/'f')[::2], '--out_dir', 'not a folder')
    rc, out, err = call('sae_ablation', *base, '--out_dir', tmp_path/'v', '--sae_type', 'vanilla', '--modes', 'data', '--seeds', '0',
                       '--steps', '12', '--hidden', '16')
    assert rc == 0, err
    st = json.loads((tmp_path/'v'/'experiment.json').read_text())['settings']
    assert (st['sae_type'], st['modes'], st['seeds'], st['steps'], st['hidden']) == ('vanilla', ['data'], [0], 12, 16)   # the flags arrived
    t = pd.read_csv(tmp_path/'v'/'summary.csv')
    assert set(t['at']) == {'window_end', 'final'} and set(t['mode']) == {'data'} and set(t.view) == {'clean'}
    assert set(t.target) == set(st['concepts']) and set(t.measure) <= set(TABLE_MEASURES) and (t.n == 1).all()
    assert t[['ablated', 'control', 'diff']].notna().all().all()
    assert (t['diff'] - (t.ablated - t.control)).abs().max() < 1e-9      # one seed: the difference of the two values
    assert (t.ablated_lo == t.ablated).all() and (t.ablated_hi == t.ablated).all() and t.p.isna().all()   # no interval, no test


def test_logger_console_errors(tmp_path):
    (tmp_path/'f').write_text('x')
    assert_one_line_error(*call('mnist_activation_logger', '--log_dir', tmp_path/'a', '--seed', '-1')[::2], '--seed')
    assert_one_line_error(*call('mnist_activation_logger', '--log_dir', tmp_path/'a', '--layers', 'relu1,,fc9')[::2], 'fc9')
    assert_one_line_error(*call('mnist_activation_logger', '--log_dir', tmp_path/'f', '--epochs', '1')[::2], '--log_dir', 'not a folder')


def test_console_scripts_exit_2_with_one_line(tmp_path):
    "The installed-script path (a fresh interpreter) for one bad input per command, the interpreters started side by side."
    from concurrent.futures import ThreadPoolExecutor
    (tmp_path/'f').write_text('x')
    cases = [(('sae_trainer', '--log_dir', tmp_path/'nostore'), 'manifest.json missing'), (('sae_infer', '--log_dir', tmp_path, '--threshold', '2'), '--threshold'),
             (('sae_ablation', '--log_dir', tmp_path/'nostore'), 'manifest.json missing'),
             (('mnist_activation_logger', '--log_dir', tmp_path/'a', '--seed', '-1'), '--seed'), (('sae_concept_dynamics', '--out', tmp_path/'f'), 'not a folder'),
             (('sae_trainer', '--help'), None)]
    with ThreadPoolExecutor(3) as ex: results = list(ex.map(lambda c: run(*c[0], fresh=True), cases))
    for (argv, word), (rc, out, err) in zip(cases, results):
        if word is None: assert rc == 0 and '--ablate-concept' in out and '--k-fracs' in out, err
        else: assert_one_line_error(rc, err, word)
