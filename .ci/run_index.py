"""Execute nbs/index.ipynb in place (outputs kept), so README.md can show what the commands print."""
from pathlib import Path
import os
from fastcore.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
p = Path(__file__).resolve().parent.parent/'nbs'/'index.ipynb'
os.chdir(p.parent)
nb = read_nb(p); sh = CaptureShell(); sh.run_all(nb, exc_stop=True); write_nb(nb, p)
print(f"executed {p}")
