#!/usr/bin/env python
"""Import circles in the sim package, between modules and between subpackages.

Every import of a sim module is an edge: relative (``from . import x``, ``from ..runs import x``)
or absolute, at the top of a file or inside a function (a lazy import still ties the two modules
together), and ``importlib.import_module("sim....")`` with a literal name. A circle is a strongly
connected component of more than one node. A package's ``__init__`` importing its own submodules
and imports under ``if TYPE_CHECKING:`` are not counted. Exit status 1 if there is a circle.

    .venv/bin/python bench/import_cycles.py [sim] [-v]     # -v: also list the subpackage graph
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

args = [a for a in sys.argv[1:] if a != "-v"]
root = Path(args[0] if args else Path(__file__).resolve().parent.parent / "sim").resolve()
pkg_root = root.parent

def modname(path: Path) -> str:
    parts = list(path.relative_to(pkg_root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)

modules = {modname(p): p for p in root.rglob("*.py")}
edges = {m: set() for m in modules}

def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def resolve(name):
    # longest prefix that is a module
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None

for m, p in modules.items():
    is_pkg = p.name == "__init__.py"
    tree = ast.parse(p.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:      # `if TYPE_CHECKING:` imports never run
            continue
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = m.split(".") if is_pkg else m.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("sim"):
                continue
            for a in node.names:          # `from . import x` may name a submodule
                full = f"{mod}.{a.name}"
                targets.append(full if full in modules else mod)
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("sim")]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" \
                and node.args and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("sim"):
            targets = [node.args[0].value]
        for t in targets:
            r = resolve(t)
            if r and r != m:
                edges[m].add(r)

def sccs(graph):
    index, low, stack, on, out, i = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            out.append(comp)
    for v in graph:
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]

def sub(m):
    parts = m.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else m

# a package's __init__ importing its own children is not a circle of the layout
mod_graph = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in edges.items()}
sub_graph = {}
for m, ts in edges.items():
    sub_graph.setdefault(sub(m), set()).update(sub(t) for t in ts if sub(t) != sub(m))
for k in list(sub_graph):
    for t in sub_graph[k]:
        sub_graph.setdefault(t, set())
bad = False
for title, g in (("modules", mod_graph), ("subpackages", sub_graph)):
    cyc = sccs(g)
    print(f"{title}: {len(g)} nodes, {sum(len(v) for v in g.values())} edges, circles: {len(cyc)}")
    for c in cyc:
        bad = True
        print("   ", " <-> ".join(sorted(c)))
if "-v" in sys.argv:
    for k in sorted(sub_graph):
        print(f"  {k} -> {', '.join(sorted(sub_graph[k]))}")
sys.exit(1 if bad else 0)
