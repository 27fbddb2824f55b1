"""No import cycle in clspd_geo.video and clspd_geo.police.

Every module of both packages is imported in a fresh interpreter, in alphabetical and in
reverse order (a cycle breaks whichever of its modules is imported first, with a partially
initialised module); and the imports between their modules, read from the source, form a
graph without a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("clspd_geo.video", "clspd_geo.police")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        folder = ROOT.joinpath(*package.split("."))
        names += [_module_name(p) for p in folder.rglob("*.py")]
    return sorted(names)


def test_the_packages_have_modules():
    names = _modules()
    assert "clspd_geo.video.siting.exact_solver" in names
    assert "clspd_geo.police.sectors" in names and len(names) > 15


@pytest.mark.parametrize("order", ["alphabetical", "reverse"])
def test_every_module_imports_in_a_fresh_interpreter(order):
    names = _modules()
    if order == "reverse":
        names = names[::-1]
    code = "import importlib, sys\nfor n in sys.argv[1:]:\n    importlib.import_module(n)\n"
    res = subprocess.run([sys.executable, "-c", code, *names], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr


def _internal_imports(path: Path, names: set[str]) -> set[str]:
    """Modules of ``names`` that the module at ``path`` imports (at any depth of its code)."""
    me = _module_name(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in names and t != me}
    return found


def test_imports_between_modules_form_no_cycle():
    names = set(_modules())
    graph = {}
    for package in PACKAGES:
        for p in ROOT.joinpath(*package.split(".")).rglob("*.py"):
            graph[_module_name(p)] = _internal_imports(p, names)
    # A package's __init__ may import its own modules; its modules must not import it back
    # (they import the module that owns a name instead).
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                cycle = stack[stack.index(m):] + [m]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
