"""What every command-line test checks: run a console script of this package, and bad input ends in one `error:` line."""
import re, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def entry_points():
    "Console script name -> 'module:function', as pyproject.toml of this checkout declares them."
    txt = (ROOT/'pyproject.toml').read_text()
    block = txt.split('[project.scripts]', 1)[1].split('\n[', 1)[0]
    return dict(re.findall(r'^(\w+)\s*=\s*"([\w.]+:[\w.]+)"', block, re.M))


def script(cmd):
    "Python code that runs console script `cmd` of this checkout the way the installed script does (argv[0] is its name)."
    mod, fn = entry_points()[cmd].split(':')
    return f"import sys; sys.argv[0] = {cmd!r}; from {mod} import {fn}; sys.exit({fn}())"


def run(cmd, *args, python=None, fresh=False):
    """Run console script `cmd` of this checkout with CLI args; return (exit code, stdout, stderr).
    In this process (`call`: the console path without a new interpreter's 3-5 s of imports) unless `fresh` or `python` (that code) asks
    for a fresh interpreter; `test_commands.test_console_scripts_exit_2_with_one_line` keeps the installed-script path covered."""
    if python is None and not fresh: return call(cmd, *args)
    argv = [sys.executable, '-c', python or script(cmd)]
    p = subprocess.run([*argv, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr


def assert_one_line_error(rc, err, *words):
    "Exit status 2, no traceback, exactly one `error:` line, and it names each of `words`."
    assert rc == 2, err
    assert 'Traceback' not in err, err
    lines = [l for l in err.splitlines() if l.startswith('error:')]
    assert len(lines) == 1, err
    for w in words: assert w in lines[0], lines[0]


def call(cmd, *args):
    "Run console script `cmd`'s entry point in this process (its `.main`, the console path); return (exit code, stdout, stderr)."
    import contextlib, importlib, io, traceback
    mod, fn = entry_points()[cmd].split(':')
    f = getattr(importlib.import_module(mod), fn)
    out, err, rc = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: f.main([str(a) for a in args])
        except SystemExit as e: rc = e.code if isinstance(e.code, int) else 1
        except Exception: rc = 1; traceback.print_exc()
    return rc, out.getvalue(), err.getvalue()
