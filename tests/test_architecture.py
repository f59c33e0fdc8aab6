"""The package's rules of the house, read from the source with ast (nothing is imported):

* no import circles, between the modules of sim/ or between its subpackages;
* no module of sim/ over :data:`MAX_LINES` lines;
* sim/registry.py imports nothing from sim (plugins import it without the model);
* modules of sim/life never import sim.model, and sim/cheetahs never imports sim.life (the model
  calls the life processes, which act on the cheetahs' arrays; never the other way round).

Every ``import`` and ``from ... import`` counts, relative or absolute, at the top of a file or
inside a function, a ``try`` or any other block (a lazy import still ties two modules together),
and so does ``importlib.import_module("sim. ...")`` with a literal name; imports under
``if TYPE_CHECKING:`` never run and do not count.

For the circles an import follows Python's semantics: importing ``sim.a.b`` first runs the
``__init__`` of package ``sim.a``, so the importer depends on that package too, unless the package
encloses the importer (it is then already being initialised). A package's ``__init__`` importing
its own submodules is an ordinary dependency.

``python tests/test_architecture.py`` prints the subpackages' import graph.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path


SIM = Path(__file__).resolve().parents[1] / "sim"
#: Longest module allowed [lines] (the project's ~600, with a margin).
MAX_LINES = 650


def _modules() -> dict[str, Path]:
    """Every module of sim by dotted name (a package by its own name, for its __init__.py)."""
    out = {}
    for path in sorted(SIM.rglob("*.py")):
        parts = list(path.relative_to(SIM.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of sim that ``name`` (a module, or an object in one) lives in; None outside sim."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_in(source: str, name: str, is_package: bool = False) -> set[str]:
    """The modules of sim that ``source``, the text of module ``name`` (a package's __init__ if
    ``is_package``), imports directly: every statement, anywhere in it."""
    tree = ast.parse(source)
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}
    package = name.split(".") if is_package else name.split(".")[:-1]
    targets: list[str] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:                 # `from . import x` may name a submodule
                full = f"{module}.{alias.name}"
                targets.append(full if full in MODULES else module)
        elif isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            targets.append(node.args[0].value)
    found = {_resolve(t) for t in targets if t == "sim" or t.startswith("sim.")}
    return {t for t in found if t is not None and t != name}


def imports_of(name: str) -> set[str]:
    """The modules of sim that module ``name`` imports directly (:func:`imports_in` of its file)."""
    path = MODULES[name]
    return imports_in(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def _enclosing(name: str) -> list[str]:
    """The packages that enclose ``name``, outermost first (sim.a.b -> sim, sim.a)."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def module_graph() -> dict[str, set[str]]:
    """Module -> the modules whose code runs when it is imported: each module it imports, with the
    packages enclosing that module except those that enclose the importer itself."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        own = set(_enclosing(name)) | ({name} if path.name == "__init__.py" else set())
        graph[name] = {m for t in imports_of(name) for m in (*_enclosing(t), t) if m not in own}
    return graph


def subpackage_of(name: str) -> str:
    """The subpackage (or top-level module) of sim that a module belongs to: sim.life.hunting -> sim.life."""
    return ".".join(name.split(".")[:2])


def subpackage_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Subpackage -> the other subpackages its modules import."""
    out: dict[str, set[str]] = {subpackage_of(m): set() for m in graph}
    for m, targets in graph.items():
        out[subpackage_of(m)] |= {subpackage_of(t) for t in targets} - {subpackage_of(m)}
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle of imports (a -> b -> ... -> a) for each strongly connected group of nodes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:                       # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    out = []
    for group in groups:                             # the shortest way from its first node back to it
        start = min(group)
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue:
            v = queue.popleft()
            nxt = sorted(graph[v] & group)
            if start in nxt:
                path = [v]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                out.append(path[::-1] + [start])
                break
            for w in nxt:
                if w not in came_from:
                    came_from[w] = v
                    queue.append(w)
    return out


def _show(found: list[list[str]]) -> str:
    return "\n".join(" -> ".join(c) for c in found)


def test_every_import_statement_is_seen():
    """The walk sees absolute, relative and lazy imports and import_module, not TYPE_CHECKING ones
    (a guard for the tests below)."""
    source = """
import numpy as np
import sim.registry
from typing import TYPE_CHECKING
from ..config.params import CheetahParams
from .. import numformat, world
from . import common
if TYPE_CHECKING:
    from ..model.model import ReintroductionModel
def lazy():
    from sim.analysis.stats import wilson_interval
    import importlib
    return importlib.import_module("sim.reporting.figures")
"""
    assert imports_in(source, "sim.validation.example") == {
        "sim.registry", "sim.config.params", "sim.numformat", "sim.world", "sim.validation.common",
        "sim.analysis.stats", "sim.reporting.figures"}
    assert imports_in("from .build import build_landscape", "sim.world", is_package=True) == {"sim.world.build"}


def test_circles_are_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert circles(graph) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_between_modules():
    found = circles(module_graph())
    assert not found, "import circles between modules of sim:\n" + _show(found)


def test_no_import_circles_between_subpackages():
    found = circles(subpackage_graph(module_graph()))
    assert not found, "import circles between subpackages of sim:\n" + _show(found)


def test_no_module_over_the_line_limit():
    lengths = {str(p.relative_to(SIM.parent)): len(p.read_text(encoding="utf-8").splitlines())
               for p in MODULES.values()}
    over = {p: n for p, n in sorted(lengths.items()) if n > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: " + ", ".join(f"{p} ({n})" for p, n in over.items())


def test_registry_imports_nothing_from_sim():
    assert imports_of("sim.registry") == set()


def test_life_never_imports_model_and_cheetahs_never_import_life():
    def inside(name: str, package: str) -> bool:
        return name == package or name.startswith(package + ".")

    forbidden = (("sim.life", "sim.model"), ("sim.cheetahs", "sim.life"))     # (importer, imported)
    bad = [f"{m} imports {t}" for m in sorted(MODULES) for t in sorted(imports_of(m))
           if any(inside(m, a) and inside(t, b) for a, b in forbidden)]
    assert not bad, "forbidden imports:\n" + "\n".join(bad)


if __name__ == "__main__":
    g = module_graph()
    sg = subpackage_graph(g)
    print(f"modules: {len(g)}, imports: {sum(map(len, g.values()))}, circles: {len(circles(g))}")
    print(f"subpackages: {len(sg)}, imports: {sum(map(len, sg.values()))}, circles: {len(circles(sg))}")
    for k in sorted(sg):
        print(f"  {k} -> {', '.join(sorted(sg[k]))}")
