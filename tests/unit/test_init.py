"""humectl (the package): the library API exported with a sorted ``__all__``, imported lazily, typed
(py.typed), every module named in the README's module map and mirrored by a test file."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import humectl

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "humectl"


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in (RUF022): CONSTANTS, then Classes, then the rest."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert humectl.__all__ == sorted(humectl.__all__, key=isort_key)
    assert len(set(humectl.__all__)) == len(humectl.__all__)
    for name in humectl.__all__:
        assert getattr(humectl, name) is not None, name
    assert set(humectl.__all__) <= set(dir(humectl))


def test_the_exports_are_the_library_objects() -> None:
    from humectl.core import errors
    from humectl.decide import planner
    from humectl.load import manifests as manifest
    from humectl.model import plan
    from humectl.ops import session

    assert humectl.Session is session.Session
    assert humectl.load_manifests is manifest.load_manifests
    assert humectl.Plan is plan.Plan and humectl.build_plan is planner.build_plan
    assert humectl.HumectlError is errors.HumectlError
    public_errors = {
        n
        for n in dir(errors)
        if isinstance(getattr(errors, n), type) and issubclass(getattr(errors, n), errors.HumectlError)
    }
    assert public_errors <= set(humectl.__all__)  # every error of the tree is exported


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        humectl.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_humectl_loads_no_http_client_emulator_or_diff_library() -> None:
    heavy = ("httpx", "deepdiff", "humectl.emulator", "humectl.ops.session", "click")
    code = f"import sys, humectl; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_validate_loads_no_http_client_emulator_or_diff_library(tmp_path: Path) -> None:
    (tmp_path / "evi.yaml").write_text("prompts:\n  - name: p\n    text: hi\n", encoding="utf-8")
    code = (
        "import sys\nfrom humectl.cli.app import main\ntry:\n    main(['validate', sys.argv[1]])\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "print(sorted(m for m in ('httpx', 'deepdiff', 'humectl.emulator', 'humectl.ops.session') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def _modules() -> list[str]:
    """Every module of the package with logic, as ``render/text``, outside the emulator (its own server,
    tested in tests/emulator/)."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("").as_posix()
        if rel.startswith("emulator") or rel.endswith("__main__") or rel == "__init__" or "__pycache__" in rel:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for node in tree.body):
            continue  # nothing but data and imports
        out.append(rel.removesuffix("/__init__"))
    return out


def test_every_module_has_its_test_file() -> None:
    tests = {p.stem for p in (ROOT / "tests").rglob("test_*.py")}
    missing = []
    for module in _modules():
        # A kind's module is driven through the registry by tests/unit/test_kinds.py.
        stem = "test_core_kinds" if module.startswith("core/kinds/") else "test_" + module.replace("/", "_")
        if not any(t == stem or t.startswith(stem + "_") for t in tests):
            missing.append(f"{module} (tests/unit/{stem}.py)")
    assert not missing, "modules without a test file: " + ", ".join(missing)


def _readme_map() -> list[str]:
    """The paths the README's module map names under ``humectl/`` (``cli/app.py``, ``cli/commands/``), in
    order: the tree in the first code block after "## Development" that starts with ``humectl/``, each
    entry one line, indented two spaces per level."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## Development") :].split("```\nhumectl/\n", 1)[1].split("```", 1)[0]
    named: list[str] = []
    folders: list[str] = []
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            break  # schemas/, tests/, bench/: past the package
        entry = line.split()[0]
        assert indent % 2 == 0 and entry.endswith(("/", ".py", ".typed")), f"not a map entry: {line!r}"
        folders[indent // 2 - 1 :] = [entry] if entry.endswith("/") else []
        named.append("".join(folders) if entry.endswith("/") else "".join(folders[: indent // 2 - 1]) + entry)
    return named


def _package_entries() -> set[str]:
    """Every module of the package as the map names it: a file's path, a subpackage's folder."""
    out = {"py.typed"}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if "__pycache__" in rel.parts:
            continue
        out.add(rel.parent.as_posix() + "/" if rel.name == "__init__.py" and rel.parent.parts else rel.as_posix())
    return out


def test_the_readme_module_map_names_every_module() -> None:
    named = _readme_map()
    assert len(named) == len(set(named)), "named twice: " + ", ".join(sorted({n for n in named if named.count(n) > 1}))
    actual = _package_entries()
    assert not actual - set(named), "README module map leaves out: " + ", ".join(sorted(actual - set(named)))
    assert not set(named) - actual, "README module map names what is not there: " + ", ".join(
        sorted(set(named) - actual)
    )
    # the modules with logic (the ones mirrored by test files) are all among them
    assert {m + ("/" if (PACKAGE / m).is_dir() else ".py") for m in _modules()} <= set(named)


def test_the_readme_map_reader_reads_the_tree() -> None:
    # The check above can fail: an entry under the wrong folder is another path.
    assert "cli/commands/plan.py" in _readme_map() and "core/kinds/base.py" in _readme_map()
    assert "plan.py" not in _readme_map() and "emulator/" in _readme_map()


def test_the_readme_library_example_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Library") : readme.index("## Development")]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "'create': 6" in done.stdout and "config/support-desk" in done.stdout
    assert (tmp_path / "account.sqlite3").is_file()


def test_no_process_wide_tricks_outside_the_console_entry_point() -> None:
    # A library never forks its caller, ends the process, retunes the garbage collector or edits
    # sys.modules (issue #24): only humectl/entry.py, the console script, owns the process.
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix() == "entry.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in {("os", "fork"), ("os", "forkpty"), ("os", "_exit")}:
                    found.append(f"{where} os.{node.attr}")
                if node.value.id == "gc":
                    found.append(f"{where} gc.{node.attr}")
                if (node.value.id, node.attr) == ("sys", "modules") and not isinstance(node.ctx, ast.Load):
                    found.append(f"{where} sys.modules")
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
                target = node.value
                if isinstance(target, ast.Attribute) and ast.unparse(target) == "sys.modules":
                    found.append(f"{where} sys.modules[...] =")
    assert found == []
