"""The tree shows the architecture, and imports flow one way.

cli -> runner -> steps -> actions -> the part packages, in this order (a package may import only
those to its right) -> the shared top-level modules. Every import counts, also one inside a
function or under TYPE_CHECKING: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "consolidate"

# The part packages, highest first: each may import only the ones after it.
LAYERS = ["report", "assess", "validate", "analysis", "compose", "edits", "schema"]
# Top-level modules any package may import.
SHARED = {
    *("errors", "workspace", "journal", "playbook", "globs", "failpoints", "logs"),
    *("gitio", "dockerio"),  # the two adapters
}
# The spine, highest first: each may import the ones after it, the packages and SHARED.
SPINE = ["__main__", "cli", "outputs", "demo", "render", "runner", "preflight", "steps", "actions"]
MAX_TOP_LEVEL = 15


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """The modules of `modules` this file imports, wherever the import statement sits.
    `from pkg import mod` depends on `pkg.mod`; `from pkg import name` on `pkg`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            subs = {f"{base}.{a.name}" for a in node.names} & modules
            found.update(subs if subs else {base})
    return (found & modules) - {name}


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports."""
    files = {
        module_name(p, root): p
        for p in root.rglob("*.py")
        if "sample" not in p.relative_to(root).parts
    }
    return {m: imports_of(p, m, set(files)) for m, p in files.items()}


def group(module: str) -> str:
    """`consolidate.compose.edit` -> "compose"; `consolidate.cli` -> "cli"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def rank(g: str) -> tuple[int, int]:
    """(tier, position): the spine above the packages above the shared modules."""
    if g in SPINE:
        return 0, SPINE.index(g)
    if g in LAYERS:
        return 1, LAYERS.index(g)
    return 2, 0


def direction_problems(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for module, targets in sorted(graph.items()):
        source = group(module)
        for target in sorted(targets):
            dest = group(target)
            if source == dest or dest == "__init__":
                continue
            if source in SHARED and dest not in SHARED:
                out.append(f"{module} imports {target}: shared modules import only shared ones")
            elif rank(dest) <= rank(source) and not (source in SHARED and dest in SHARED):
                out.append(f"{module} imports {target}: against {' -> '.join(SPINE + LAYERS)}")
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle once, found by a depth-first walk."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    return found


def test_imports_flow_one_way() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 50  # the walk found the tree
    assert direction_problems(graph) == []
    assert circles(graph) == []


def test_every_module_belongs_to_a_known_part() -> None:
    groups = {group(m) for m in import_graph(PACKAGE)}
    unknown = groups - set(SPINE) - set(LAYERS) - SHARED - {"__init__"}
    assert unknown == set(), "add the new part to LAYERS, SPINE or SHARED, and to the README"


def test_top_level_is_the_spine_and_packages_say_what_they_own() -> None:
    top = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(top) <= MAX_TOP_LEVEL, sorted(top)
    for name in [*LAYERS, "steps", "actions"]:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text("utf-8")))
        assert doc and "May import" in doc, f"consolidate/{name}/__init__.py"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "consolidate"
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def test_the_check_finds_a_circle_and_an_import_against_the_order(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "errors.py": "",
            "gitio.py": "from consolidate.compose import edit\n",
            "compose/__init__.py": "",
            "compose/edit.py": "def f():\n    from consolidate.analysis.scan import x\n",
            "analysis/__init__.py": "",
            "analysis/scan.py": "from . import graph\nx = 1\n",
            "analysis/graph.py": "from consolidate.analysis import scan\n",
        },
    )
    graph = import_graph(root)
    assert graph["consolidate.analysis.scan"] == {"consolidate.analysis.graph"}
    problems = direction_problems(graph)
    assert problems == [
        "consolidate.compose.edit imports consolidate.analysis.scan: against "
        + " -> ".join(SPINE + LAYERS),
        "consolidate.gitio imports consolidate.compose.edit: shared modules import only shared ones",
    ]
    assert circles(graph) == [
        ["consolidate.analysis.graph", "consolidate.analysis.scan", "consolidate.analysis.graph"]
    ]
