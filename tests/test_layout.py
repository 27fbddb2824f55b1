"""Facts of the layout any reader can check: no import cycle, modules of a readable size,
no private name used across modules, no policy in the app layer, README matches the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "clspd_geo"
PURE_DATA = {"clspd_geo/schemas.py", "clspd_geo/vocab.py"}
"""Modules that are tables of the data model, allowed to be long."""
MAX_LINES = 600


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _library_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(LIBRARY.rglob("*.py"))}


def _imports(path: Path, module: str) -> set[str]:
    """Return the clspd_geo modules ``module`` imports (anywhere in the file)."""
    tree = ast.parse(path.read_text("utf-8"))
    known = _library_modules()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("clspd_geo")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([node.module] if node.module else []))
            if not base.startswith("clspd_geo"):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in known else base)
    return {m for m in out if m in known and m != module}


def _graph() -> dict[str, set[str]]:
    mods = _library_modules()
    graph = {m: _imports(p, m) for m, p in mods.items()}
    # A package's __init__ importing its own submodules is not a dependency of those
    # submodules on the package: leave parent -> child edges out of the cycle search, and
    # turn child -> parent-package edges into edges to what the parent re-exports from.
    return {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}


def test_no_import_cycle_in_the_library():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "cycles d'import : " + " ; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_search_finds_a_cycle(tmp_path):
    # The check above can fail: two modules importing each other are found.
    a = tmp_path / "clspd_geo" / "a.py"
    a.parent.mkdir()
    a.write_text("from clspd_geo import b\n")
    (tmp_path / "clspd_geo" / "b.py").write_text("from clspd_geo import a\n")
    (tmp_path / "clspd_geo" / "__init__.py").write_text("")
    globals_backup = (ROOT, LIBRARY)
    try:
        globals()["ROOT"], globals()["LIBRARY"] = tmp_path, tmp_path / "clspd_geo"
        with pytest.raises(AssertionError, match="clspd_geo.a -> clspd_geo.b -> clspd_geo.a"):
            test_no_import_cycle_in_the_library()
    finally:
        globals()["ROOT"], globals()["LIBRARY"] = globals_backup


def test_no_module_over_the_size():
    long = []
    for path in sorted([*LIBRARY.rglob("*.py"), *(ROOT / "ui").glob("*.py"),
                        *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]):
        rel = str(path.relative_to(ROOT))
        n = len(path.read_text("utf-8").splitlines())
        limit = 400 if rel.startswith("ui/") else MAX_LINES
        if n > limit and rel not in PURE_DATA:
            long.append(f"{rel} ({n} lignes)")
    assert not long, long


def test_no_private_name_used_outside_its_module():
    mods = _library_modules()
    bad = []
    for path in [*mods.values(), *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        tree = ast.parse(path.read_text("utf-8"))
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clspd_geo"):
                for a in node.names:
                    # An internal module (``_format``, ``_geojson``) is there to be imported
                    # by its package's modules; a private function or class is not.
                    internal_module = f"{node.module}.{a.name}" in mods
                    if a.name.startswith("_") and not internal_module and a.name != "__version__":
                        bad.append(f"{path.relative_to(ROOT)} importe {a.name}")
                    aliases.add(a.asname or a.name)
            elif isinstance(node, ast.Import):
                aliases |= {(a.asname or a.name).split(".")[0] for a in node.names
                            if a.name.startswith("clspd_geo")}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and node.value.id in aliases):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    assert not bad, bad


APP_FORBIDDEN_MODULES = ("clspd_geo.store", "clspd_geo.access.release",
                         "clspd_geo.access.policy")


def _app_files() -> list[Path]:
    return sorted([*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")])


def _policy_problems(path: Path) -> list[str]:
    from clspd_geo.access import policy

    roles = set(policy.ROLE_CODES)
    tree = ast.parse(path.read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            if name.startswith(APP_FORBIDDEN_MODULES):
                out.append(f"{path.name}:{node.lineno} importe {name}")
        if isinstance(node, ast.Attribute) and node.attr in {"restrict", "open_store",
                                                            "GeoPackageStore",
                                                            "PostGISStore", "MATRIX"}:
            out.append(f"{path.name}:{node.lineno} utilise {node.attr}")
        # A role rule: a comparison with a role code, or a collection of role codes. (A
        # string equal to a role code elsewhere, such as the action field "police", is not.)
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                for leaf in ast.walk(side):
                    if isinstance(leaf, ast.Constant) and leaf.value in roles:
                        out.append(f"{path.name}:{node.lineno} compare au rôle « {leaf.value} »")
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            codes = [e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in roles]
            if len(codes) >= 2:
                out.append(f"{path.name}:{node.lineno} liste les rôles {codes}")
    return out


def test_app_layer_holds_no_policy():
    problems = [p for path in _app_files() for p in _policy_problems(path)]
    assert not problems, problems


def test_the_policy_check_can_fail(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("from clspd_geo.store import open_store\n"
                    "from clspd_geo.access import release\n"
                    "x = release.restrict\n"
                    "if role == 'police':\n    pass\n"
                    "EDITORS = ('elu', 'police')\n")
    problems = _policy_problems(page)
    assert any("clspd_geo.store" in p for p in problems)
    assert any("restrict" in p for p in problems)
    assert any("« police »" in p for p in problems)
    assert any("liste les rôles" in p for p in problems)


def test_readme_where_things_are_matches_the_tree():
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^- `([\w/.]+/)`", section, flags=re.M))
    folders = {"ui/", "pages/", "tests/", "data/", "benchmarks/", "docs/", "scripts/",
               "static/", "clspd_geo/"}
    folders |= {f"clspd_geo/{p.name}/" for p in LIBRARY.iterdir()
                if p.is_dir() and (p / "__init__.py").exists()}
    folders |= {f"clspd_geo/video/{p.name}/" for p in (LIBRARY / "video").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()}
    assert listed == folders, (sorted(folders - listed), sorted(listed - folders))
