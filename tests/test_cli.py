"""End-to-end tests of the `mnist_activation_logger` command: exit codes, one-line errors, nothing lost."""
import json, shutil, subprocess, sys
from pathlib import Path

import numpy as np
import pytest

from sae_concept_dynamics.data import IDX_FILES, load_embedded, write_idx
from sae_concept_dynamics.activations import ActivationStore
from cli_checks import run, assert_one_line_error

@pytest.fixture(scope='module')
def idx_folder(tmp_path_factory):
    "Four small IDX files (300 train / 100 test embedded digits), the layout of a full MNIST download."
    d = tmp_path_factory.mktemp('idx')
    for split, (fi, fl) in IDX_FILES.items():
        s = load_embedded(split); n = 300 if split == 'train' else 100
        write_idx(s.images[:n], d/(fi + '.gz')); write_idx(s.labels[:n], d/(fl + '.gz'))
    return d


@pytest.fixture(scope='module')
def store(idx_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp('store')/'acts'
    rc, o, e = run('mnist_activation_logger', '--log_dir', out, '--data', idx_folder, '--epochs', 2)
    assert rc == 0, e
    assert 'test accuracy' in o
    return out


def test_idx_folder_run_writes_a_valid_store(store, idx_folder):
    st = ActivationStore(store)
    assert st.manifest['data']['source'] == f'idx:{idx_folder}'
    assert st.get('relu1').shape == (300, 512) and st.get('relu2', 'test').shape == (100, 256)
    assert st.concepts('train').shape == (300, len(st.concept_names))


def test_same_config_reuses_the_store(store):
    before = (store/'manifest.json').read_text()
    rc, o, e = run('mnist_activation_logger', '--log_dir', store, '--data', Path(json.loads(before)['data']['source'][4:]), '--epochs', 2)
    assert rc == 0, e
    assert (store/'manifest.json').read_text() == before  # nothing recomputed


def test_other_config_is_refused_without_overwrite(store, idx_folder):
    before = (store/'manifest.json').read_text()
    rc, o, e = run('mnist_activation_logger', '--log_dir', store, '--data', idx_folder, '--epochs', 2, '--seed', 5)
    assert_one_line_error(rc, e, 'another configuration', '--overwrite')
    assert (store/'manifest.json').read_text() == before  # the old store is intact
    ActivationStore(store)


def test_unknown_data(tmp_path):
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--data', 'fashion')[::2], 'unknown', 'embedded')


def test_idx_folder_missing_a_file(idx_folder, tmp_path):
    d = tmp_path/'idx'; shutil.copytree(idx_folder, d); (d/'t10k-images-idx3-ubyte.gz').unlink()
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--data', d)[::2], 'lacks t10k-images')


def test_idx_wrong_magic_and_truncated(idx_folder, tmp_path):
    d = tmp_path/'idx'; shutil.copytree(idx_folder, d)
    f = d/'train-labels-idx1-ubyte.gz'
    write_idx(np.zeros((300, 2), np.uint8), f)  # labels file that holds a 2-D array: wrong shape
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--data', d)[::2], 'labels')
    f.unlink(); raw = bytes([0, 0, 0x0D, 1]) + (300).to_bytes(4, 'big') + bytes(300)
    (d/'train-labels-idx1-ubyte').write_bytes(raw)  # float type code: wrong magic
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--data', d)[::2], 'magic number')
    (d/'train-labels-idx1-ubyte').write_bytes(bytes([0, 0, 8, 1]) + (300).to_bytes(4, 'big') + bytes(299))
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--data', d)[::2], 'truncated')


def test_unknown_layer_lists_valid_names(tmp_path):
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--layers', 'relu1,conv7')[::2], 'conv7', 'relu2')
    assert not (tmp_path/'a').exists()  # failed before writing anything


def test_unwritable_log_dir(tmp_path):
    (tmp_path/'file').write_text('x')
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'file'/'sub', '--epochs', 1)[::2], '--log_dir', 'not a folder', 'is a file')


def test_bad_flag_values(tmp_path):
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--arch', 'vit')[::2], '--arch')
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--device', 'tpu')[::2], '--device')
    assert_one_line_error(*run('mnist_activation_logger', '--log_dir', tmp_path/'a', '--epochs', -1)[::2], 'epochs')


def test_torchvision_offline_names_the_alternatives(tmp_path, monkeypatch):
    from sae_concept_dynamics.data import load_torchvision, InputError
    with pytest.raises(InputError, match='--data embedded'):
        load_torchvision('train', root=tmp_path, download=False)
