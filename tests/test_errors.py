"""Errors and output of the seven commands: a folder flag naming a file is one line, an error raised while a progress bar is open
starts on a line of its own, and progress bars written to a log are a few plain lines instead of carriage-return redraws."""
import contextlib, importlib, inspect, io, shutil
from pathlib import Path

import pytest
from tqdm.auto import tqdm

from sae_concept_dynamics.core import command, InputError
from cli_checks import entry_points, run, call, assert_one_line_error

COMMANDS = ('mnist_activation_logger', 'sae_trainer', 'sae_infer', 'sae_concept_dynamics', 'sae_ablation', 'sae_export', 'sae_store')


def _function(cmd):
    mod, fn = entry_points()[cmd].split(':')
    return getattr(importlib.import_module(mod), fn)


def _folder_flags():
    "(command, flag) for every `*_dir` parameter of the seven commands."
    return [(c, p) for c in COMMANDS for p in inspect.signature(_function(c)).parameters if p.endswith('_dir')]


def test_every_command_has_a_folder_flag():
    assert set(entry_points()) == set(COMMANDS)
    assert {c for c, _ in _folder_flags()} == set(COMMANDS)


@pytest.mark.parametrize('cmd,flag', _folder_flags())
def test_folder_flag_naming_a_file_is_one_line(cmd, flag, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path/'a_file.json'; f.write_text('{}')
    assert_one_line_error(*call(cmd, f'--{flag}', f)[::2], f'--{flag}', 'not a folder')
    assert_one_line_error(*call(cmd, f'--{flag}', f/'sub')[::2], f'--{flag}', 'is a file')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a_file.json'] and f.read_text() == '{}'   # nothing written


@pytest.fixture(scope='module')
def sweep(tmp_path_factory):
    "A tiny trained vanilla sweep (one SAE) on a tiny store."
    from sae_concept_dynamics.fixtures import tiny_store
    from sae_concept_dynamics.training import train_sweep
    d = tmp_path_factory.mktemp('sweep')
    train_sweep(tiny_store(d/'store'), 'vanilla', d/'sae', hidden='16', lams='1e-3', epochs=1, batch_size=64, progress=False)
    return d/'sae'


def test_sae_export_out_dir_file_console(sweep, tmp_path):
    "The console script itself, as a person runs it: one line, exit 2, nothing exported."
    f = tmp_path/'out.txt'; f.write_text('x')
    assert_one_line_error(*run('sae_export', '--log_dir', sweep, '--out_dir', f)[::2], '--out_dir', 'not a folder')
    assert f.read_text() == 'x' and not (sweep/'saelens').exists()


class _Terminal(io.StringIO):
    "Standard error as a terminal: progress bars redraw in place with carriage returns."
    def isatty(self): return True


def _console(f, *args, tty=True):
    "Run `f.main(args)` with stderr captured (a terminal or a log); return (exit code, stderr)."
    err, rc = (_Terminal() if tty else io.StringIO()), 0
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try: f.main([str(a) for a in args])
        except SystemExit as e: rc = e.code
    return rc, err.getvalue()


@command
def _fails_mid_bar(n:int=40, # steps before the error
                  ):
    "Open a progress bar, advance it and fail with a one-line error while it is open."
    bar = tqdm(total=100, desc='work')
    for _ in range(n): bar.update()
    raise InputError('shard 3 is corrupt: delete it and rerun')


@pytest.mark.parametrize('tty', [True, False])
def test_error_while_a_bar_is_open_starts_a_new_line(tty):
    rc, err = _console(_fails_mid_bar, tty=tty)
    assert_one_line_error(rc, err, 'shard 3 is corrupt')
    assert '\nerror: shard 3 is corrupt' in err and err.endswith('rerun\n'), repr(err)
    assert '40/100' in err   # the bar's last state is still there, on its own line


def test_sae_infer_corrupt_checkpoint_error_on_its_own_line(sweep, tmp_path):
    "The case found by hand: sae_infer on a sweep with a corrupt final.pt printed its error glued to the progress bar."
    d = tmp_path/'sae'; shutil.copytree(sweep, d)
    ckpt = next(d.glob('*/final.pt')); ckpt.write_bytes(b'not a checkpoint')
    rc, err = _console(_function('sae_infer'), '--log_dir', d, '--probe_ks', '1', tty=True)
    assert rc == 2 and 'Traceback' not in err, err
    line = [l for l in err.replace('\r', '\n').splitlines() if 'error:' in l]
    assert len(line) == 1 and line[0].startswith('error: '), repr(err)


def test_bars_in_a_log_are_a_few_plain_lines(sweep, tmp_path):
    "stderr to a file (a pipe here): no carriage returns, a line when a bar starts and when it ends; --quiet prints no bar."
    from sae_concept_dynamics.fixtures import tiny_store
    store = tiny_store(sweep.parent/'store').path
    rc, out, err = run('sae_trainer', '--log_dir', store, '--out_dir', tmp_path/'a', '--hidden', 16, '--lambdas', '1e-3,1e-2', '--epochs', 3)
    assert rc == 0, err
    assert '\r' not in err and 0 < len(err.splitlines()) <= 6, repr(err)
    assert any('100%' in l for l in err.splitlines()), repr(err)
    rc, out, err = call('sae_trainer', '--log_dir', store, '--out_dir', tmp_path/'b', '--hidden', 16, '--lambdas', '1e-3', '--epochs', 1, '--quiet')
    assert rc == 0 and err == '', err


def test_user_tqdm_settings_take_precedence(monkeypatch):
    "A TQDM_* variable set by the user: the bars are left as tqdm makes them (redraws with carriage returns)."
    monkeypatch.setenv('TQDM_MININTERVAL', '0')
    rc, err = _console(_fails_mid_bar, tty=False)
    assert rc == 2 and '\r' in err and '\nerror: ' in err, repr(err)
