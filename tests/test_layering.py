"""The layering of ``hub/``, enforced: each domain owns its records, and dependencies point one way.

- Only the app's route table imports the workspace (the dashboard, the audit page, the navigation).
- Screens (views, pages, workspace modules) build no queries: every query lives in a domain's services.
- No two domain packages import each other outside their screens (a screen that combines domains may
  import several domains' services; a domain's core may not reach back).
- Templates link by route name (``url(...)``); the few hand-written language paths left are counted.
- No module passes 500 lines.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "hub"
SCREENS = {"views", "pages", "workspace"}  # module (or package) names of the pages people see
QUERY_CALLS = {"execute", "scalars", "scalar"}
MAX_LINES = 500
MAX_HAND_WRITTEN_PATHS = 25
HAND_WRITTEN = re.compile(r"""["'(]/(feeds/)?\{\{ ?lang ?\}\}/""")  # a path written with its language
NOT_A_DOMAIN = {"migrations", "demo", "templates", "static", "workspace"}


def _modules(*roots: Path) -> list[Path]:
    return sorted(
        path
        for root in roots
        for path in root.rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def _is_screen(path: Path) -> bool:
    """A page module: views, pages, a domain's workspace, and hub/workspace itself but for its services."""
    parts = path.relative_to(HUB).with_suffix("").parts
    if parts[0] == "workspace":
        return not parts[-1].endswith("services")
    return any(part in SCREENS or part.startswith("workspace") for part in parts[1:])


def _imported(path: Path) -> set[str]:
    """Every ``hub.x.y`` module (or name) the file imports at run time. Imports under
    ``if TYPE_CHECKING:`` are left out: they name a related model for a relationship's annotation
    and load nothing."""
    names: set[str] = set()
    nodes: list[ast.AST] = [ast.parse(path.read_text())]
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            nodes.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        nodes.extend(ast.iter_child_nodes(node))
    return {name for name in names if name == "hub" or name.startswith("hub.")}


def _domains() -> set[str]:
    return {
        p.name
        for p in HUB.iterdir()
        if p.is_dir() and p.name not in NOT_A_DOMAIN and not p.name.startswith("_")
    }


def test_only_the_route_table_imports_the_workspace() -> None:
    importers = [
        str(path.relative_to(ROOT))
        for path in _modules(HUB, ROOT / "connectors")
        if not path.is_relative_to(HUB / "workspace")
        and path != HUB / "app.py"
        and any(name == "hub.workspace" or name.startswith("hub.workspace.") for name in _imported(path))
    ]
    assert importers == []


def query_lines(source: str) -> list[int]:
    """Lines that build or run a query: ``select(...)``, ``session.execute/scalars/scalar(...)``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "select")
            or (isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_CALLS)
        )
    ]


def test_screens_build_no_queries() -> None:
    screens = [
        path for path in _modules(HUB) if path.relative_to(HUB).parts[0] != "demo" and _is_screen(path)
    ]
    assert len(screens) > 20  # the rule applies to something
    found = [f"{path.relative_to(ROOT)}:{n}" for path in screens for n in query_lines(path.read_text())]
    assert found == []


def core_imports() -> dict[str, dict[str, set[str]]]:
    """domain -> other domain -> the core modules of the first that import the second."""
    domains = _domains()
    edges: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in _modules(HUB):
        parts = path.relative_to(HUB).parts
        if len(parts) < 2 or parts[0] not in domains or _is_screen(path):
            continue
        for name in _imported(path):
            other = name.split(".")[1] if "." in name else ""
            if other in domains and other != parts[0]:
                edges[parts[0]][other].add(str(path.relative_to(ROOT)))
    return edges


def test_no_two_domains_import_each_other_outside_their_screens() -> None:
    edges = core_imports()
    cycles = sorted(
        f"{a} <-> {b}: {sorted(edges[a][b])} / {sorted(edges[b][a])}"
        for a in edges
        for b in edges[a]
        if a < b and a in edges.get(b, {})
    )
    assert cycles == []


def test_the_readers_see_what_the_checks_forbid(tmp_path: Path) -> None:
    """The import and query readers find what they look for, so the checks above can fail."""
    module = tmp_path / "views.py"
    module.write_text(
        "from hub.workspace import routes\nif TYPE_CHECKING:\n    from hub.pilots import models\n"
        "x = select(1)\ny = session.scalars(x).all()\n"
    )
    assert _imported(module) == {"hub.workspace", "hub.workspace.routes"}
    assert query_lines(module.read_text()) == [4, 5]
    assert HAND_WRITTEN.search('<a href="/{{ lang }}/pilots/{{ p.id }}">') and HAND_WRITTEN.search(
        'action="/{{ lang }}/coordinator/pilots"'
    )
    assert not HAND_WRITTEN.search('<a href="{{ url("pilot", pilot_id=p.id) }}">')


def hand_written_paths() -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((HUB / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HAND_WRITTEN.search(line)
    ]


def test_templates_link_by_route_name() -> None:
    paths = hand_written_paths()
    assert len(paths) <= MAX_HAND_WRITTEN_PATHS, "\n".join(paths)


def test_no_module_passes_500_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules(HUB, ROOT / "connectors")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
