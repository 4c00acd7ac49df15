"""Structure of the package, read from its own source (AST): imports that point up the chapter order, the longest
exported function, the places that call `.backward()`, places that repeat a run of six or more lines, imports of another
module's private name (bench/ included) and exported lines over 160 characters. Ends with one line:
`upward_imports=<n> longest_function=<lines> backward_calls=<n> duplicate_pairs=<n> private_cross_imports=<n> long_lines=<n>`."""
import ast, re, sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent/'sae_concept_dynamics'
NBS = PKG.parent/'nbs'
BENCH = PKG.parent/'bench'
RUN, LONG = 6, 160   # a repeated run of lines; a long line


def chapter_order():
    "Module name -> its notebook's file name (the reading order), from the 'File to edit' header of each module."
    order = {}
    for f in PKG.glob('*.py'):
        m = re.search(r'File to edit: \.\./nbs/(\S+\.ipynb)', f.read_text())
        if m: order[f.stem] = m.group(1)
    return order


def imported_modules(tree):
    "(line, module) of every import of a package module, at any depth (inside functions too)."
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1 and mod: yield node.lineno, mod.split('.')[0]
            elif node.level == 1: yield from ((node.lineno, a.name) for a in node.names)
            elif mod.startswith('sae_concept_dynamics.'): yield node.lineno, mod.split('.')[1]
            elif mod == 'sae_concept_dynamics': yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith('sae_concept_dynamics.'): yield node.lineno, a.name.split('.')[1]
        elif isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', '')) in ('import_module', '__import__'):
            if node.args and isinstance(node.args[0], ast.Constant) and 'sae_concept_dynamics' in str(node.args[0].value):
                yield node.lineno, str(node.args[0].value).split('.')[-1]


def exported_names(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', '') == '__all__' for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def functions(tree, exported):
    "(name, lines) of every exported function and of every method of an exported class or patched onto one."
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            patched = any('patch' in ast.unparse(d) for d in node.decorator_list)
            if node.name in exported or (patched and not node.name.startswith('_')):
                yield node.name, node.end_lineno - node.lineno + 1
        elif isinstance(node, ast.ClassDef) and node.name in exported:
            for m in node.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)): yield f"{node.name}.{m.name}", m.end_lineno - m.lineno + 1


def _significant(line:str)->bool:
    "A line that counts towards a repeated run: not blank, a comment, lone punctuation or an import."
    return bool(line) and not line.startswith(('#', 'import ', 'from ')) and bool(re.search(r'\w', line))


def duplicate_pairs(files, n:int=RUN)->list:
    "Pairs of places that repeat a run of `n` or more significant lines (white space folded), one per maximal run."
    where = defaultdict(list)
    for f in files:
        sig = [(i, ' '.join(l.split())) for i, l in enumerate(f.read_text().splitlines(), 1)]
        sig = [(i, l) for i, l in sig if _significant(l)]
        for j in range(len(sig) - n + 1): where[tuple(l for _, l in sig[j:j + n])].append((f.name, j, sig[j][0]))
    runs = defaultdict(list)                                               # (file a, file b, offset) -> window starts in a
    for locs in where.values():
        for (fa, ja, la), (fb, jb, lb) in combinations(sorted(locs), 2):
            if fa == fb and abs(ja - jb) < n: continue                     # one run overlapping itself
            runs[(fa, fb, ja - jb)].append((ja, la, lb))
    out = []
    for (fa, fb, _), w in runs.items():
        w.sort(); start = 0
        for k in range(1, len(w) + 1):
            if k == len(w) or w[k][0] != w[k - 1][0] + 1:                 # a maximal run of consecutive windows
                out.append(f"{fa}:{w[start][1]} ~ {fb}:{w[start][2]} ({k - start + n - 1} lines)"); start = k
    return sorted(out)


def private_cross_imports(files, order)->list:
    "Imports of another package module's private name: `from .x import _name`, or `x._name` on an imported module."
    out = []
    for f in files:
        tree = ast.parse(f.read_text()); mods = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ''
                pkg = node.level == 1 or mod == 'sae_concept_dynamics' or mod.startswith('sae_concept_dynamics.')
                if not pkg: continue
                target = mod.split('.')[-1] if mod and mod != 'sae_concept_dynamics' else None
                for a in node.names:
                    if target is None: mods[a.asname or a.name] = a.name      # a module imported by name
                    elif target != f.stem and a.name.startswith('_') and not a.name.startswith('__'):
                        out.append(f"{f.parent.name}/{f.name}:{node.lineno} imports {target}.{a.name}")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith('sae_concept_dynamics.') and a.asname: mods[a.asname] = a.name.split('.')[-1]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in mods
                and mods[node.value.id] != f.stem and node.attr.startswith('_') and not node.attr.startswith('__')):
                out.append(f"{f.parent.name}/{f.name}:{node.lineno} uses {mods[node.value.id]}.{node.attr}")
    return sorted(set(out))


def long_lines(files, limit:int=LONG)->list:
    "Exported lines longer than `limit` characters."
    return [f"{f.name}:{i} ({len(l)} characters)" for f in files for i, l in enumerate(f.read_text().splitlines(), 1) if len(l) > limit]


def main():
    order = chapter_order()
    upward, longest, backward = [], ('', 0), []
    for f in sorted(PKG.glob('*.py')):
        if f.stem not in order: continue
        tree = ast.parse(f.read_text())
        for line, mod in imported_modules(tree):
            if mod in order and order[mod] > order[f.stem]: upward.append(f"{f.stem}.py:{line} imports {mod} ({order[mod]} comes after {order[f.stem]})")
            if mod == f.stem: upward.append(f"{f.stem}.py:{line} imports itself")
        for name, n in functions(tree, exported_names(tree)):
            if n > longest[1]: longest = (f"{f.stem}.{name}", n)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == 'backward':
                backward.append(f"{f.stem}.py:{node.lineno}")
    long_fns = sorted(((f"{f.stem}.{n}", l) for f in sorted(PKG.glob('*.py')) if f.stem in order
                       for n, l in functions(ast.parse(f.read_text()), exported_names(ast.parse(f.read_text())))), key=lambda t: -t[1])
    print(f"upward imports ({len(upward)}):"); [print('  ' + u) for u in upward]
    print("longest exported functions:"); [print(f"  {n}: {l} lines") for n, l in long_fns[:5]]
    print(f".backward() call sites ({len(backward)}):"); [print('  ' + b) for b in backward]
    mods = [f for f in sorted(PKG.glob('*.py')) if f.stem in order]
    dups, private, long = duplicate_pairs(mods), private_cross_imports(mods + sorted(BENCH.glob('*.py')), order), long_lines(mods)
    print(f"places repeating a run of {RUN} or more lines ({len(dups)}):"); [print('  ' + d) for d in dups[:20]]
    print(f"imports of another module's private name ({len(private)}):"); [print('  ' + p) for p in private]
    print(f"exported lines over {LONG} characters ({len(long)}):"); [print('  ' + l) for l in long[:20]]
    if len(long) > 20: print(f"  ... and {len(long) - 20} more")
    print(f"upward_imports={len(upward)} longest_function={longest[1]} backward_calls={len(backward)} "
          f"duplicate_pairs={len(dups)} private_cross_imports={len(private)} long_lines={len(long)}")
    return 0 if (not upward and longest[1] <= 50 and len(backward) == 2) else 1


if __name__ == '__main__': sys.exit(main())
