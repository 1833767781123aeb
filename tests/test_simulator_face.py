"""The simulator is used only through its public face, ``deltaworks_core.venues.simulator``."""

from __future__ import annotations

import ast
from pathlib import Path

import deltaworks_core.venues.simulator as simulator

ROOT = Path(__file__).resolve().parent.parent
FACE = "deltaworks_core.venues.simulator"
INSIDE = ROOT / "deltaworks_core" / "venues" / "simulator"
SOURCES = ("deltaworks_core", "deltaworks_exec", "deltaworks_pipelines", "tests", "benchmarks")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _absolute(node: ast.ImportFrom, module: str) -> str:
    """The absolute module an ``from ... import`` names (resolving relative imports)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")[: -node.level]
    return ".".join([*base, node.module] if node.module else base)


def face_violations(source: str, module: str) -> list[str]:
    """Imports in ``module`` of simulator submodules, or of names the face does not export."""
    found = []
    for node in ast.walk(ast.parse(source, module)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module)
            names = [target]
            if target == FACE:
                names += [f"{FACE}.{a.name}" for a in node.names if a.name not in simulator.__all__]
        else:
            continue
        found += [f"{module}:{node.lineno} {n}" for n in names if n.startswith(FACE + ".")]
    return found


def test_nothing_outside_the_simulator_imports_its_submodules() -> None:
    files = [
        path
        for source in SOURCES
        for path in (ROOT / source).rglob("*.py")
        if not path.is_relative_to(INSIDE)
    ]
    assert len(files) > 100
    violations = [
        v for path in files for v in face_violations(path.read_text(), _module_name(path))
    ]
    assert violations == []


def test_the_check_sees_submodule_imports() -> None:
    probe = (
        "from deltaworks_core.venues.simulator.engine import ExchangeEngine\n"
        "from deltaworks_core.venues.simulator import server\n"
        "import deltaworks_core.venues.simulator.dialects\n"
        "from .simulator.server import SimulatorServer\n"
        "from deltaworks_core.venues.simulator import ExchangeEngine as Fine\n"
    )
    found = face_violations(probe, "deltaworks_core.venues.probe")
    assert [v.split(" ")[1] for v in found] == [
        f"{FACE}.engine",
        f"{FACE}.server",
        f"{FACE}.dialects",
        f"{FACE}.server",
    ]
