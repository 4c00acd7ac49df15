"""Render every documentation page to plain HTML without Quarto, so a person (or a headless browser) can look at it:
nbdev's notebook processing (`proc_nbs`, which also runs `show_doc`), then nbconvert. Quarto-only markup is handled the
way Quarto would: `#|` directive lines are dropped from code, `#| hide` / `include: false` cells vanish, `echo: false`
cells show only their output, and the front matter becomes the page title. Fails if a page is missing or empty.

    python .ci/docs_html.py [--out _docs_html]
"""
import argparse, json, re, shutil, sys
from pathlib import Path

import nbformat

def _front_matter(src:str)->dict:
    "A processed page's YAML front matter (title, description, ...)."
    import yaml
    try: fm = yaml.safe_load(src.strip().strip('-'))
    except yaml.YAMLError: return {}
    return fm if isinstance(fm, dict) else {}

def _directives(src:str)->dict:
    "The `#|` directives of a code cell as {name: value}."
    out = {}
    for l in src.splitlines():
        m = re.match(r'#\|\s*([\w-]+)\s*:?\s*(.*)$', l)
        if m: out[m.group(1)] = m.group(2).strip() or 'true'
    return out

KEYS = dict(code={'id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'}, markdown={'id', 'cell_type', 'metadata', 'source', 'attachments'},
            raw={'id', 'cell_type', 'metadata', 'source', 'attachments'})

def clean_page(nb):
    "Apply Quarto's meaning of directives and front matter to a processed notebook (in place)."
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'):
            fm = _front_matter(c.source)
            if fm: cells.append(nbformat.v4.new_markdown_cell(f"# {fm.get('title', '')}\n\n> {fm.get('description', '')}".rstrip('> \n')))
            continue
        for k in [k for k in c if k not in KEYS[c.cell_type]]: del c[k]   # nbdev's own marks (e.g. has_sd) are not nbformat
        c.metadata.pop('execution', None)                                   # nor are its timings
        if c.cell_type == 'code':
            d = _directives(c.source)
            if d.get('hide') == 'true' or d.get('include') == 'false' or 'default_exp' in d: continue
            c.source = '\n'.join(l for l in c.source.splitlines() if not l.lstrip().startswith('#|')).strip('\n')
            tags = c.metadata.setdefault('tags', [])
            if d.get('echo') == 'false' or not c.source: tags.append('remove_input')
            if d.get('output') == 'false': c.outputs = []
            if not c.source and not c.outputs: continue
        cells.append(c)
    nb.cells = cells
    return nb

def render(out_dir:Path)->list:
    "Process every page with nbdev and write one HTML file per page; return the problems found."
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from nbdev.config import get_config
    from nbdev.serve import proc_nbs
    cfg = get_config()
    cache = Path(proc_nbs(n_workers=1, force=True))
    exp = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    exp.register_preprocessor(TagRemovePreprocessor(remove_input_tags=('remove_input',), enabled=True), True)
    pages = sorted(p for p in cfg.nbs_path.rglob('*.ipynb') if not any(part.startswith(('.', '_')) for part in p.relative_to(cfg.nbs_path).parts))
    bad, links = [], []
    for nb_path in pages:
        rel = nb_path.relative_to(cfg.nbs_path); proc = cache/rel
        if not proc.exists(): bad.append(f"{rel}: nbdev produced no processed page"); continue
        nb = clean_page(nbformat.read(proc, as_version=4))
        if not nb.cells: bad.append(f"{rel}: the page is empty"); continue
        html, _ = exp.from_notebook_node(nb, resources={'metadata': {'name': rel.stem}})
        text = re.sub(r'<[^>]+>', ' ', html.split('<body', 1)[-1])
        if len(text.split()) < 20: bad.append(f"{rel}: the page renders almost no text ({len(text.split())} words)")
        f = out_dir/rel.with_suffix('.html'); f.parent.mkdir(parents=True, exist_ok=True); f.write_text(html)
        links.append(f'<li><a href="{rel.with_suffix(".html")}">{rel.with_suffix("")}</a></li>')
        print(f"  {rel} -> {f} ({len(html) // 1024} KiB)")
    for d in cfg.nbs_path.rglob('images'):                           # figures the pages link to
        if d.is_dir() and not any(p.startswith(('.', '_')) for p in d.relative_to(cfg.nbs_path).parts): shutil.copytree(d, out_dir/d.relative_to(cfg.nbs_path), dirs_exist_ok=True)
    (out_dir/'pages.html').write_text('<html><body><h1>Pages</h1><ul>' + ''.join(links) + '</ul></body></html>')
    return bad

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default='_docs_html', help='folder for the HTML pages')
    out = Path(ap.parse_args().out).resolve(); out.mkdir(parents=True, exist_ok=True)
    bad = render(out)
    print(f"wrote HTML pages to {out}")
    if bad: sys.exit("docs HTML check failed:\n" + "\n".join(bad))

if __name__ == '__main__': main()
