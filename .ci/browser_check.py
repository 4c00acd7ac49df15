"""The explorers in a real browser: a notebook showing every explorer on a finished run is served by Voila and driven by
Playwright on Debian's chromium. For each explorer one control is changed as a person would (a dropdown), and its output must
redraw (the image's bytes or the listing's text change) within REDRAW_S seconds; a widget that raises fails the check.
The latent pages (`LatentBrowser.to_html`) are opened too and must fit a 1280-pixel-wide screen. Screenshots go to --shots.

  python .ci/browser_check.py --run runs/quick --shots <folder>"""
import argparse, hashlib, json, os, re, socket, subprocess, sys, tempfile, time
from pathlib import Path

REDRAW_S = 90 # seconds a redraw may take after a control changes (a DynamicsPlayer measures an SAE's snapshots on first choice)
LOAD_S = 600 # seconds for the page to execute the notebook and show every explorer
WIDTH = 1280 # screen width the latent pages must fit

# explorer class -> (labels of the dropdown to change, first found with two options or more ('|' between them), button clicked after it or None, what must redraw: 'img' or a CSS selector of text)
CONTROLS = {'SweepExplorer': ('k|λ|λ / k|seed', None, 'img'), 'LatentBrowser': ('concept', None, 'img'), 'DynamicsPlayer': ('follow', None, 'img'),
            'CoDiscardView': ('SAE type', None, 'img'), 'MatchView': ('concept', None, 'img'), 'AblationView': ('mode|concept|view|measure', None, 'img')}

CELLS = ['''import traceback, ipywidgets as W
from IPython.display import display
from sae_concept_dynamics.explorer import *
RUN = RUN_PATH
errors = W.HTML(value=''); errors.add_class('scd-errors')
def guard(name, ex):
    "Record any exception a redraw raises in the `scd-errors` widget (and raise it as usual)."
    draw = ex.draw
    def _draw(*a, **k):
        try: return draw(*a, **k)
        except Exception:
            errors.value += f"<pre>{name}: {traceback.format_exc()}</pre>"; raise
    ex.draw = _draw
    ex.widget.add_class('scd-' + name)
    return ex
display(errors)''']
def _cell(n): return f'''try: display(guard({n!r}, {n}.from_dir(RUN)).widget)
except Exception: errors.value += f"<pre>{n}: {{traceback.format_exc()}}</pre>"; raise'''
CELLS += [_cell(n) for n in CONTROLS]


def notebook(run:Path, path:Path):
    "Write the notebook Voila serves: one cell per explorer, each tagged with a CSS class `scd-<name>`."
    cells = [dict(cell_type='code', metadata={}, execution_count=None, outputs=[], source=c.replace('RUN_PATH', repr(str(run)))) for c in CELLS]
    nb = dict(nbformat=4, nbformat_minor=5, cells=cells,
              metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')))
    path.write_text(json.dumps(nb, indent=1))


def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def digest(page, root, what):
    "SHA-256 of the explorer's image bytes (what='img') or of the text of `what` inside the explorer."
    if what != 'img': return hashlib.sha256(root.locator(what).first.inner_text().encode()).hexdigest()
    return page.evaluate("""async el => { const b = await (await fetch(el.src)).arrayBuffer();
        return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b))).map(x => x.toString(16).padStart(2, '0')).join(''); }""",
                         root.locator('img').first.element_handle())


def errors_shown(page):
    t = page.locator('.scd-errors').inner_text() if page.locator('.scd-errors').count() else ''
    tb = page.locator('[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output pre:has-text("Traceback")')
    return t.strip() + ('\n'.join(tb.all_inner_texts()) if tb.count() else '')


def drive_explorers(page, url, shots:Path)->list:
    "Open the Voila page, change one control per explorer, wait for its redraw; return one result line per explorer."
    page.goto(url, timeout=LOAD_S * 1000, wait_until='domcontentloaded')
    for n in CONTROLS: page.wait_for_selector(f'.scd-{n} img', timeout=LOAD_S * 1000, state='attached')
    page.wait_for_timeout(2000)
    if errors_shown(page): raise AssertionError(f"an explorer raised while opening:\n{errors_shown(page)}")
    page.screenshot(path=str(shots/'explorers_before.png'), full_page=True)
    lines = []
    for n, (label, button, what) in CONTROLS.items():
        root = page.locator(f'.scd-{n}')
        root.scroll_into_view_if_needed()
        before = digest(page, root, what)
        label = root.evaluate('''(r, labels) => { for (const want of labels) for (const s of r.querySelectorAll('select')) {
            const l = s.parentElement.querySelector('label');
            if (l && l.textContent.trim() === want && s.options.length > 1) { s.setAttribute('data-scd-control', want); return want; } }
            return null; }''', label.split('|'))
        if not label: raise AssertionError(f"{n}: no dropdown labelled {CONTROLS[n][0]!r} with two options or more on the page")
        sel = root.locator(f'select[data-scd-control="{label}"]')
        options = sel.locator('option').all_inner_texts()
        current = sel.evaluate('s => s.options[s.selectedIndex].text')
        choice = next((o for o in options if o != current), None)
        if choice is None: raise AssertionError(f"{n}: the '{label}' control has one option ({current}): this run cannot drive it")
        t0 = time.time()
        sel.select_option(label=choice)
        if button: root.locator('button', has_text=button).click()
        while digest(page, root, what) == before:
            if errors_shown(page): raise AssertionError(f"{n} raised after '{label}' -> {choice}:\n{errors_shown(page)}")
            if time.time() - t0 > REDRAW_S: raise AssertionError(f"{n}: no redraw within {REDRAW_S}s after '{label}' {current} -> {choice}")
            page.wait_for_timeout(200)
        dt = time.time() - t0
        root.screenshot(path=str(shots/f'{n}.png'))
        lines.append(f"{n:15s} '{label}' {current} -> {choice}: {'image' if what == 'img' else 'text'} redrawn in {dt:.1f}s")
        print(lines[-1], flush=True)
    if errors_shown(page): raise AssertionError(f"an explorer raised:\n{errors_shown(page)}")
    page.screenshot(path=str(shots/'explorers_after.png'), full_page=True)
    return lines


def check_latent_pages(page, run:Path, shots:Path)->list:
    "Write the latent pages of the run's first SAE and check the index and one page fit WIDTH pixels."
    from sae_concept_dynamics.explorer import LatentBrowser, read_run
    idx = LatentBrowser(read_run(run)).to_html(shots/'latents')
    page.set_viewport_size(dict(width=WIDTH, height=900))
    pages = [idx, sorted(p for p in idx.parent.glob('*.html') if p.name != 'index.html')[0]]
    lines = []
    for p in pages:
        page.goto(p.resolve().as_uri())
        w = page.evaluate('document.documentElement.scrollWidth')
        page.screenshot(path=str(shots/f'latent_{p.stem}.png'), full_page=True)
        assert w <= WIDTH, f"{p.name} is {w}px wide, more than a {WIDTH}px screen"
        lines.append(f"latent page {p.name}: {w}px wide (screen {WIDTH}px)")
        print(lines[-1], flush=True)
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--run', required=True, help='a finished run directory (sae_concept_dynamics --out_dir)')
    ap.add_argument('--shots', default=None, help='folder for the screenshots (default: a new temporary folder)')
    ap.add_argument('--chromium', default='/usr/bin/chromium')
    ap.add_argument('--only', default=None, help='comma-separated explorers to drive (default: all)')
    a = ap.parse_args()
    if a.only:
        for n in set(CONTROLS) - set(a.only.split(',')): del CONTROLS[n]
        del CELLS[1:]; CELLS.extend(_cell(n) for n in CONTROLS)
    run, shots = Path(a.run).resolve(), Path(a.shots or tempfile.mkdtemp(prefix='scd_shots_')).resolve()
    shots.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix='scd_voila_'))
    notebook(run, work/'explorers.ipynb')
    port, t0 = free_port(), time.time()
    log = open(work/'voila.log', 'w')
    voila = subprocess.Popen([sys.executable, '-m', 'voila', 'explorers.ipynb', '--no-browser', f'--port={port}', '--Voila.ip=127.0.0.1',
                              '--show_tracebacks=True', f'--VoilaExecutor.timeout={LOAD_S}', '--VoilaConfiguration.http_keep_alive_timeout=30'],
                             cwd=work, stdout=log, stderr=subprocess.STDOUT)
    from playwright.sync_api import sync_playwright
    ok = False
    try:
        for _ in range(120):
            try: socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
            except OSError: time.sleep(0.5)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=a.chromium, args=['--no-sandbox', '--disable-dev-shm-usage'])
            page = b.new_page(viewport=dict(width=WIDTH, height=900))
            page.on('pageerror', lambda e: print(f"page error: {e}", flush=True))
            try: lines = drive_explorers(page, f'http://127.0.0.1:{port}/', shots)
            except Exception:
                (shots/'explorers_failed.html').write_text(page.content()); page.screenshot(path=str(shots/'explorers_failed.png'), full_page=True)
                raise
            lines += check_latent_pages(page, run, shots)
            b.close()
        ok = True
    finally:
        voila.terminate()
        try: voila.wait(10)
        except subprocess.TimeoutExpired: voila.kill()
        log.close()
        if not ok: print((work/'voila.log').read_text()[-4000:], file=sys.stderr)
    print(f"browser check: {len(CONTROLS)} explorers redrawn, latent pages fit {WIDTH}px; screenshots in {shots} ({time.time() - t0:.0f}s)")


if __name__ == '__main__':
    main()
