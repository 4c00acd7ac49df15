"""Check what the docs build can check without Quarto: nbdev's notebook processing runs on every page and each
exported chapter's processed page carries its show_doc output."""
import json, re, sys
from pathlib import Path
from nbdev.config import get_config
from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
from nbdev.serve import proc_nbs

def main():
    cfg = get_config()
    refresh_quarto_yml()
    nbdev_sidebar()
    cache = Path(proc_nbs(n_workers=1, force=True))
    nbs = sorted(p for p in cfg.nbs_path.rglob('*.ipynb') if not any(part.startswith(('.', '_')) for part in p.relative_to(cfg.nbs_path).parts))
    bad = []
    for nb in nbs:
        rel = nb.relative_to(cfg.nbs_path)
        out = cache/rel
        if not out.exists(): bad.append(f"{rel}: no processed page"); continue
        src = nb.read_text()
        docs = [''.join(o.get('data', {}).get('text/markdown', '')) for c in json.loads(out.read_text())['cells'] for o in c.get('outputs', [])]
        n_api = sum(d.lstrip().startswith('---') and '### ' in d for d in docs)
        if '#| default_exp' in src and '#| export' in src and n_api == 0: bad.append(f"{rel}: processed page has no show_doc output")
        print(f"  {rel}: {n_api} documented objects")
    print(f"processed {len(nbs)} pages into {cache}")
    if bad: sys.exit("docs check failed:\n" + "\n".join(bad))

if __name__ == '__main__': main()
