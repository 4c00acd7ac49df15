"""End-to-end checks of the `sae_concept_dynamics` command: bad input gives one line and exit status 2."""
import subprocess, sys
from pathlib import Path

import pytest

from cli_checks import run as _run, assert_one_line_error


def run(*args):
    "Run the `sae_concept_dynamics` console script; return (exit code, stdout, stderr)."
    return _run('sae_concept_dynamics', *args)


def test_unknown_preset(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--preset', 'huge')
    assert_one_line_error(rc, err, '--preset', 'quick')


def test_bad_seeds(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--seeds', 'a,b')
    assert_one_line_error(rc, err, '--seeds')


def test_bad_device(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--device', 'tpu')
    assert_one_line_error(rc, err, '--device')


def test_bad_precision(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--precision', 'fp16')
    assert_one_line_error(rc, err, '--precision')


def test_bad_data(tmp_path):
    rc, out, err = run('--out', tmp_path/'run', '--data', tmp_path/'missing_folder')
    assert_one_line_error(rc, err, '--data')


def test_help_lists_flags():
    rc, out, err = run('--help')
    assert rc == 0, err
    for flag in ('--out-dir', '--preset', '--data', '--device', '--seeds', '--quiet', '--version'): assert flag in out


def test_out_is_an_existing_file(tmp_path):
    (tmp_path/'f').write_text('x')
    assert_one_line_error(*run('--out', tmp_path/'f')[::2], 'not a folder')
    assert_one_line_error(*run('--out_dir', tmp_path/'f')[::2], 'not a folder')


def test_out_dir_is_not_writable(tmp_path):
    (tmp_path/'f').write_text('x')
    assert_one_line_error(*run('--out_dir', tmp_path/'f'/'sub')[::2], 'not a folder')


def test_negative_seed(tmp_path):
    assert_one_line_error(*run('--out_dir', tmp_path/'r', '--seeds', '-1')[::2], '--seeds')
