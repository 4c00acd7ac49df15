"""A store that did not come from the MNIST oracle, for CI: scikit-learn's bundled 8x8 digits through a tiny MLP
trained here in a few seconds, with concepts of all three kinds, written through the `sae_store` command.
Usage: python .ci/byo_store.py <folder>   (writes <folder>/{train,test}.npy, concepts CSVs and <folder>/store)"""
import sys
from pathlib import Path
import numpy as np, pandas as pd, torch
from sklearn.datasets import load_digits
from sae_concept_dynamics.activations import sae_store

def digits_split(seed=0):
    "load_digits scaled to [0, 1], shuffled, cut 80/20."
    d = load_digits(); rng = np.random.default_rng(seed); i = rng.permutation(len(d.target)); cut = int(0.8 * len(i))
    x, y = (d.data / 16.).astype(np.float32), d.target.astype(np.int64)
    return (x[i[:cut]], y[i[:cut]]), (x[i[cut:]], y[i[cut:]])

def tiny_mlp(x, y, hidden=32, epochs=60, seed=0):
    "A 64 -> hidden -> 10 ReLU MLP trained full-batch with Adam (a few seconds on CPU)."
    torch.manual_seed(seed)
    m = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    opt = torch.optim.Adam(m.parameters(), lr=1e-2); X, Y = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(epochs):
        opt.zero_grad(); torch.nn.functional.cross_entropy(m(X), Y).backward(); opt.step()
    return m.eval()

def concepts(x, y):
    "Atomic (one digit), composite (a union of digits) and continuous (ink) concepts."
    return pd.DataFrame({**{f'is_{c}': y == c for c in range(10)}, 'round': np.isin(y, [0, 6, 8, 9]), 'ink': x.mean(1)})

if __name__ == '__main__':
    out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
    (xtr, ytr), (xte, yte) = digits_split()
    m = tiny_mlp(xtr, ytr)
    with torch.no_grad():
        acc = float((m(torch.from_numpy(xte)).argmax(1).numpy() == yte).mean())
        for split, x in (('train', xtr), ('test', xte)): np.save(out/f'{split}.npy', m[:2](torch.from_numpy(x)).numpy())
    for split, x, y in (('train', xtr, ytr), ('test', xte, yte)): concepts(x, y).to_csv(out/f'{split}.csv', index=False)
    print(f"tiny MLP test accuracy {acc:.3f}")
    sae_store(argv=['--acts', f'{out}/train.npy,{out}/test.npy', '--concepts', f'{out}/train.csv,{out}/test.csv',
                    '--concept_kinds', 'round=composite,ink=continuous', '--log_dir', str(out/'store'), '--overwrite'])
