"""What every command-line test checks: run a console script of this package, and bad input ends in one `error:` line."""
import subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(cmd, *args, python=None):
    "Run console script `cmd` (or, with `python`, that code under this interpreter) with CLI args; return (exit code, stdout, stderr)."
    argv = [sys.executable, '-c', python] if python else [str(BIN/cmd)]
    p = subprocess.run([*argv, *map(str, args)], capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def assert_one_line_error(rc, err, *words):
    "Exit status 2, no traceback, exactly one `error:` line, and it names each of `words`."
    assert rc == 2, err
    assert 'Traceback' not in err, err
    lines = [l for l in err.splitlines() if l.startswith('error:')]
    assert len(lines) == 1, err
    for w in words: assert w in lines[0], lines[0]
