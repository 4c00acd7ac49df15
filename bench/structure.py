"""Structure of the package, read from its own source (AST): imports that point up the chapter order, the longest
exported function, and the places that call `.backward()`. Ends with one line:
`upward_imports=<n> longest_function=<lines> backward_calls=<n>`."""
import ast, re, sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent/'sae_concept_dynamics'
NBS = PKG.parent/'nbs'


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
    print(f"upward_imports={len(upward)} longest_function={longest[1]} backward_calls={len(backward)}")
    return 0 if (not upward and longest[1] <= 50 and len(backward) == 2) else 1


if __name__ == '__main__': sys.exit(main())
