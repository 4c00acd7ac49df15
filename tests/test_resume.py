"""A `sae_trainer` process killed (SIGKILL) mid-bank resumes from the bank's last checkpoint when the same command runs
again, and ends with the parameters, history and snapshots of an uninterrupted run, bit for bit; the checkpoint is
deleted once the bank's SAEs are written."""
import json, os, signal, subprocess, sys, time
from pathlib import Path

import pytest
import torch

from sae_concept_dynamics.fixtures import tiny_store
from sae_concept_dynamics.training import list_saes

TRAINER = 'import sys; from sae_concept_dynamics.ablation import sae_trainer; sae_trainer(argv=sys.argv[1:])'
# the same command, recording the first step the process trains: proof that it resumed instead of starting again
RECORDING = '''import sys, json
from sae_concept_dynamics import training, ablation
first, train_bank = [], training.train_bank
rec = training.TrainCallback(after_step=lambda t: first or first.append(t.step))
training.train_bank = lambda *a, cbs=(), **k: train_bank(*a, cbs=[*cbs, rec], **k)
ablation.sae_trainer(argv=sys.argv[1:])
print(json.dumps(first))'''
CASES = {'topk': ['--sae_type', 'topk', '--k_fracs', '0.1,0.25'],
         'latent_ablation': ['--sae_type', 'vanilla', '--lambdas', '0.01,0.1', '--ablate_concept', 'digit_4',
                             '--ablate_mode', 'latent', '--ablate_from', '5']}


@pytest.fixture(scope='module')
def store(tmp_path_factory):
    return tiny_store(tmp_path_factory.mktemp('resume')/'store').path


def start(code, store, out, case):
    "The trainer on a 600-step bank (20 epochs of 30 batches), checkpointing every 10 steps, in one thread."
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    args = ['--log_dir', store, '--out_dir', out, '--hidden', '16', '--epochs', '20', '--batch_size', '20', '--device', 'cpu',
            '--quiet', '--checkpoint_steps', '10', *CASES[case]]
    return subprocess.Popen([sys.executable, '-c', code, *map(str, args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(p):
    out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err
    return out


# three 600-step trainer processes per case (about 35 s): the TopK case runs in the fast set, the latent-ablation case in the slow set
@pytest.mark.parametrize('case', [pytest.param(c, marks=[pytest.mark.slow] if c != 'topk' else []) for c in CASES])
def test_killed_bank_resumes_bit_identical(store, tmp_path, case):
    whole, cut = tmp_path/'whole', tmp_path/'cut'
    finish(start(TRAINER, store, whole, case))
    p, ckpt = start(TRAINER, store, cut, case), cut/'resume_h16_s0.pt'
    t0 = time.time()
    while not ckpt.exists() and p.poll() is None and time.time() - t0 < 300: time.sleep(0.005)
    time.sleep(0.3)                                                    # a few more steps, a later checkpoint perhaps
    p.send_signal(signal.SIGKILL); p.communicate()
    assert ckpt.exists() and not list(cut.glob('*/final.pt')), 'killed before the first checkpoint or after the bank'
    step = torch.load(ckpt, weights_only=True)['step']
    assert 10 <= step < 600 and step % 10 == 0
    first = json.loads(finish(start(RECORDING, store, cut, case)).strip().splitlines()[-1])
    assert first == [step], (first, step)                              # the rerun trained from the checkpoint's step on
    assert not ckpt.exists()
    a, b = list_saes(whole), list_saes(cut)
    assert list(a.config_id) == list(b.config_id) and (b.status == 'done').all()
    for pa, pb in zip(a.path, b.path):
        for f in ('final.pt', 'snapshots.pt'):
            ta, tb = torch.load(Path(pa)/f, weights_only=True), torch.load(Path(pb)/f, weights_only=True)
            assert ta['state'].keys() == tb['state'].keys()
            for n in ta['state']: assert torch.equal(ta['state'][n], tb['state'][n]), (pa, f, n)
        assert (Path(pa)/'history.csv').read_bytes() == (Path(pb)/'history.csv').read_bytes()
