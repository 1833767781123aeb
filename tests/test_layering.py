"""The import layering of ARCHITECTURE.md's "Target layering", read from the source.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING``.
A package of ``deltaworks_exec`` is the first name below it (a top-level module is
its own package); no two of them may reach each other. No two files of the project
may import each other, directly or around a loop. Outside the simulator, only the
package ``deltaworks_core.venues.simulator`` itself may be imported, never one of
its submodules.
"""

from __future__ import annotations

import ast
import graphlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("deltaworks_core", "deltaworks_pipelines", "deltaworks_exec")
SIMULATOR = "deltaworks_core.venues.simulator"
Graph = dict[str, set[str]]


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(module: str, path: Path) -> Iterator[str]:
    """Every dotted name ``path`` imports, relative imports made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(root: Path, files: Iterable[Path]) -> Graph:
    """Module -> the project modules it imports (the longest known module of each name)."""
    modules = {module_name(root, path): path for path in files}
    graph: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        for imported in imported_names(name, path):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                graph[name].add(imported)  # a module importing its own package is no loop
    return graph


def loop(graph: Graph) -> list[str] | None:
    """One import loop of ``graph`` (each imports the next, the last is the first), or ``None``."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(reversed(exc.args[1]))  # graphlib lists each node before its importer
    return None


@cache
def project_graph() -> Graph:
    files = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    files += [*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    return import_graph(ROOT, files)


def exec_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "deltaworks_exec" and len(parts) > 1 else None


def in_simulator(module: str) -> bool:
    return module == SIMULATOR or module.startswith(SIMULATOR + ".")


def test_no_two_packages_of_deltaworks_exec_reach_each_other() -> None:
    packages: Graph = defaultdict(set)
    why: dict[tuple[str, str], str] = {}
    for module, imported in project_graph().items():
        for target in imported:
            a, b = exec_package(module), exec_package(target)
            if a and b and a != b:
                packages[a].add(b)
                why.setdefault((a, b), f"{module} imports {target}")
    found = loop(packages)
    assert found is None, (
        "package loop "
        + " -> ".join(found)
        + ": "
        + "; ".join(why[(a, b)] for a, b in itertools.pairwise(found))
    )


def test_no_import_loop_between_files_outside_the_simulator() -> None:
    graph = {m: {t for t in ts if not in_simulator(t)} for m, ts in project_graph().items()}
    found = loop({m: ts for m, ts in graph.items() if not in_simulator(m)})
    assert found is None, "import loop " + " -> ".join(found)


def test_the_simulator_is_used_through_its_package_only() -> None:
    graph = project_graph()
    reaching_in = sorted(
        f"{module} imports {target}"
        for module, imported in graph.items()
        if not in_simulator(module)
        for target in imported
        if target.startswith(SIMULATOR + ".")
    )
    assert not reaching_in, "simulator submodules imported from outside: " + "; ".join(reaching_in)
    inside = {m: {t for t in ts if in_simulator(t)} for m, ts in graph.items() if in_simulator(m)}
    found = loop(inside)
    assert found is None, "import loop in the simulator " + " -> ".join(found)


def test_the_graph_sees_imports_in_functions_under_type_checking_and_relative(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg.b import g\n    return g\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import c\n"
    )
    (package / "c.py").write_text("from .a import f\n")
    graph = import_graph(tmp_path, package.rglob("*.py"))
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.a"}}
    assert sorted(loop(graph) or []) == ["pkg.a", "pkg.a", "pkg.b", "pkg.c"]
