"""End-to-end tests of the `sae_store` and `sae_export` commands: a store from files, and bad input as one `error:` line with exit code 2."""
import json

import numpy as np
import pandas as pd
import pytest

from cli_checks import run, assert_one_line_error


def store(*args):
    "Run `sae_store` with CLI arguments; return (exit code, stdout, stderr)."
    return run('sae_store', *args)   # in this process (cli_checks.run)


def export(*args):
    "Run `sae_export` with CLI arguments; return (exit code, stdout, stderr)."
    return run('sae_export', *args)   # in this process (cli_checks.run)


@pytest.fixture
def files(tmp_path):
    "Planted activations and concept tables written as the command reads them."
    g = np.random.default_rng(0)
    for split, n in (('train', 120), ('test', 60)):
        a = g.random(n) < 0.4
        x = g.normal(size=(n, 8)).astype(np.float32); x[:, 0] += 3 * a
        np.save(tmp_path/f'{split}.npy', x)
        pd.DataFrame(dict(a=a, b=(~a).astype(int), size=g.normal(size=n))).to_csv(tmp_path/f'{split}.csv', index=False)
    return tmp_path


def args(d, **kw):
    "CLI arguments for the fixture's files, with overrides."
    a = dict(acts=f"{d/'train.npy'},{d/'test.npy'}", concepts=f"{d/'train.csv'},{d/'test.csv'}", log_dir=d/'store', concept_kinds='size=continuous')
    a.update(kw)
    return [s for k, v in a.items() if v is not None for s in (f'--{k}', v)]


def test_store_from_files(files):
    rc, out, err = store(*args(files))
    assert rc == 0, err
    m = json.loads((files/'store'/'manifest.json').read_text())
    assert m['oracle'] == 'none' and m['fidelity'].startswith('skipped')
    assert m['concept_kinds'] == dict(a='atomic', b='atomic', size='continuous')
    assert m['layers']['acts']['shape'] == dict(train=[120, 8], test=[60, 8])
    assert '3 concepts' in out
    assert_one_line_error(*store(*args(files))[::2], 'already holds', '--overwrite')
    assert store(*args(files), '--overwrite')[0] == 0


def test_kinds_csv(files):
    pd.DataFrame(dict(concept=['size'], kind=['continuous'])).to_csv(files/'kinds.csv', index=False)
    rc, _, err = store(*args(files, concept_kinds=None, kinds=files/'kinds.csv'))
    assert rc == 0, err
    from sae_concept_dynamics.activations import ActivationStore
    s = ActivationStore(files/'store')
    assert s.concept_kinds == dict(a='atomic', b='atomic', size='continuous')       # the file's kind reached the store
    size = s.concept_values('train')[:, s.concept_names.index('size')].numpy()       # and the quantity its values
    np.testing.assert_allclose(size, pd.read_csv(files/'train.csv')['size'].to_numpy(), rtol=1e-6)


def test_continuous_undefined_rows(files):
    "Empty cells of a continuous column: undefined there (its readouts skip them); an infinite value is one error line."
    for split in ('train', 'test'):
        c = pd.read_csv(files/f'{split}.csv'); c.loc[c.a, 'size'] = np.nan; c.to_csv(files/f'{split}.csv', index=False)   # size only where a is absent
    rc, _, err = store(*args(files))
    assert rc == 0, err
    from sae_concept_dynamics.activations import ActivationStore
    s = ActivationStore(files/'store'); j = s.concept_names.index('size')
    a = pd.read_csv(files/'train.csv').a.to_numpy()
    np.testing.assert_array_equal(s.concept_defined('train')[:, j], ~a)                 # defined exactly where the cell was filled
    assert s.concept_defined('train')[:, :j].all()
    c = pd.read_csv(files/'train.csv'); c.loc[0, 'size'] = np.inf; c.to_csv(files/'inf.csv', index=False)
    assert_one_line_error(*store(*args(files, concepts=f"{files/'inf.csv'},{files/'test.csv'}", log_dir=files/'s2'))[::2], 'infinite', 'size')


def test_missing_arguments(tmp_path):
    assert_one_line_error(*store('--log_dir', tmp_path/'s')[::2], '--acts', '--concepts')
    assert_one_line_error(*store('--acts', 'a.npy', '--concepts', 'a.csv,b.csv')[::2], 'two comma-separated files')


def test_bad_activations(files):
    np.save(files/'bad.npy', np.zeros((120, 8, 2), np.float32))
    assert_one_line_error(*store(*args(files, acts=f"{files/'bad.npy'},{files/'test.npy'}"))[::2], 'shape (120, 8, 2)')
    x = np.load(files/'train.npy'); x[5, 1] = np.nan; np.save(files/'nan.npy', x)
    assert_one_line_error(*store(*args(files, acts=f"{files/'nan.npy'},{files/'test.npy'}"))[::2], 'NaN')
    np.save(files/'str.npy', np.array([['a'] * 8] * 120))
    assert_one_line_error(*store(*args(files, acts=f"{files/'str.npy'},{files/'test.npy'}"))[::2], 'dtype')
    np.save(files/'short.npy', np.load(files/'train.npy')[:100])
    assert_one_line_error(*store(*args(files, acts=f"{files/'short.npy'},{files/'test.npy'}"))[::2], '120 rows', '100')
    (files/'junk.npy').write_text('not an array')
    assert_one_line_error(*store(*args(files, acts=f"{files/'junk.npy'},{files/'test.npy'}"))[::2], 'not a readable .npy')


def test_bad_concepts(files):
    assert_one_line_error(*store(*args(files, concept_kinds=None))[::2], "'size'", 'not boolean')
    c = pd.read_csv(files/'train.csv'); c.assign(a=False).to_csv(files/'nopos.csv', index=False)
    assert_one_line_error(*store(*args(files, concepts=f"{files/'nopos.csv'},{files/'test.csv'}"))[::2], "'a' has no positives")
    c.assign(size='big').to_csv(files/'text.csv', index=False)
    assert_one_line_error(*store(*args(files, concepts=f"{files/'text.csv'},{files/'test.csv'}"))[::2], "continuous concept 'size'")
    c.drop(columns='b').to_csv(files/'fewer.csv', index=False)
    assert_one_line_error(*store(*args(files, concepts=f"{files/'fewer.csv'},{files/'test.csv'}"))[::2], 'different columns')
    assert_one_line_error(*store(*args(files, concept_kinds='size=fuzzy'))[::2], 'unknown concept kind')


def test_export_errors(tmp_path):
    assert_one_line_error(*export()[::2], '--log_dir')
    assert_one_line_error(*export('--log_dir', tmp_path)[::2], 'sweep.json missing')
