"""humectl's import graph as a whole: no cycle at all (not only between layers, which lint-imports
checks), and no humectl import hidden inside a function to dodge one, outside the CLI's lazy
subcommands and the console entry point."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "humectl"

# Where a humectl import may sit inside a function, and why (docs: the README's layer rules).
LAZY_ALLOWED = {
    "cli": "subcommands and the in-process emulator load when a command needs them (start-up time)",
    "entry.py": "the console script imports the CLI after its quick paths (--version)",
    "__init__.py": "the library's exports resolve on first use (PEP 562 __getattr__): import humectl stays light",
}


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module, each sorted: a module is in one when
    something it imports (directly or not) imports it back."""
    found: list[list[str]] = []
    placed: set[str] = set()
    for module in sorted(graph.modules):
        if module in placed:
            continue
        component = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if component:
            members = sorted({module, *component})
            placed.update(members)
            found.append(members)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    # Every import counts: at module level, inside functions and under TYPE_CHECKING.
    graph = grimp.build_graph("humectl", cache_dir=None)
    assert len(graph.modules) > 100  # the whole package was read
    found = cycles(graph)
    loops = [
        [*(graph.find_shortest_chain(c[0], c[1]) or ()), *(graph.find_shortest_chain(c[1], c[0]) or ())[1:]]
        for c in found
    ]
    assert not found, "import cycles: " + "; ".join(
        f"{component} (e.g. {' -> '.join(loop)})" for component, loop in zip(found, loops, strict=True)
    )


def test_the_cycle_finder_finds_cycles() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.e", "p.f")]:
        graph.add_import(importer=importer, imported=imported)
    graph.add_import(importer="p.d", imported="p.e")
    assert cycles(graph) == [["p.a", "p.b", "p.c"]]
    graph.add_import(importer="p.f", imported="p.d")
    assert cycles(graph) == [["p.a", "p.b", "p.c"], ["p.d", "p.e", "p.f"]]


def _imports_in_functions(source: str) -> list[tuple[int, str]]:
    """(line, module) of every humectl import (statement, or importlib/__import__ call with a literal
    name) inside a function or lambda of ``source``; a relative import counts as humectl's."""
    found: list[tuple[int, str]] = []
    for scope in ast.walk(ast.parse(source)):
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        for node in ast.walk(scope):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
                names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                names = names or ["humectl?"]  # a computed name: it could be ours
            found.extend((node.lineno, n) for n in names if n.startswith(("humectl", ".")))
    return sorted(set(found))


def _is_dynamic_import(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("import_module", "__import__")


def _allowed(relative: str) -> bool:
    return relative in LAZY_ALLOWED or relative.split("/", 1)[0] in LAZY_ALLOWED


def test_no_humectl_import_inside_a_function_outside_the_cli() -> None:
    offenders = []
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if _allowed(relative):
            continue
        checked += 1
        for line, module in _imports_in_functions(path.read_text(encoding="utf-8")):
            offenders.append(f"humectl/{relative}:{line} imports {module}")
    assert checked > 90
    assert not offenders, "imports inside functions (move them to the top; break the cycle if one appears): " + (
        ", ".join(offenders)
    )


def test_the_finder_finds_imports_in_functions() -> None:
    source = (
        "import humectl.core\n"  # module level: fine
        "from humectl.core import text\n"
        "import json\n"
        "def f():\n"
        "    import json\n"  # not ours: fine (a heavy third-party library may load late)
        "    from humectl.load import rules\n"
        "    class C:\n"
        "        def g(self):\n"
        "            import humectl.io.client as client\n"
        "async def h():\n"
        "    from . import sibling\n"
        "    importlib.import_module('humectl.ops.plan')\n"
        "    __import__(name)\n"
        "k = lambda: importlib.import_module('humectl.x')\n"
    )
    assert _imports_in_functions(source) == [
        (6, "humectl.load"),
        (9, "humectl.io.client"),
        (11, "."),
        (12, "humectl.ops.plan"),
        (13, "humectl?"),
        (14, "humectl.x"),
    ]
    assert _allowed("cli/running.py") and _allowed("entry.py") and not _allowed("emulator/app.py")
