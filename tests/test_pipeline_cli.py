"""End-to-end checks of the `sae_concept_dynamics` command: bad input gives one line and exit status 2."""
import subprocess, sys
from pathlib import Path

import pytest

from cli_checks import BIN, run as _run, assert_one_line_error


def run(*args):
    "Run the `sae_concept_dynamics` console script; return (exit code, stdout, stderr)."
    return _run('sae_concept_dynamics', *args)


@pytest.fixture(autouse=True)
def needs_script():
    if not (BIN/'sae_concept_dynamics').exists(): pytest.skip('console script not installed (pip install -e .)')


def test_unknown_preset(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--preset', 'huge')
    assert_one_line_error(rc, err, '--preset', 'quick')


def test_bad_seeds(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--seeds', 'a,b')
    assert_one_line_error(rc, err, '--seeds')


def test_bad_device(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--device', 'tpu')
    assert_one_line_error(rc, err, '--device')


def test_bad_data(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--data', tmp_path/'missing_folder')
    assert_one_line_error(rc, err, '--data')


def test_help_lists_flags():
    p = subprocess.run([str(BIN/'sae_concept_dynamics'), '--help'], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0
    for flag in ('--out', '--preset', '--data', '--device', '--seeds'): assert flag in p.stdout
