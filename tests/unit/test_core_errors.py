"""humectl.core.errors: one exception tree, drawn in its docstring, every public exception of the package in it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import humectl
from humectl.core import errors
from humectl.core.errors import HumectlError, error_type

DOCS = Path(__file__).resolve().parents[2] / "docs" / "json-output.md"


def _library_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(humectl.__path__, "humectl."):
        if info.name.startswith("humectl.emulator") or info.name == "humectl.__main__":
            continue  # the emulator is its own server with its own errors; __main__ runs the CLI
        names.append(info.name)
    return names


def _drawn_tree() -> dict[str, str | None]:
    """class name -> the parent drawn for it (None for the root), read from the docstring's drawing."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^( *)((?:[│ ]   )*)(?:[├└]── )?([A-Z]\w+(?:Error|NotFound))\b", line)
        if not match:
            continue
        depth = len(match.group(1)) + len(match.group(2)) + (4 if "──" in line else 0)
        name = match.group(3)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def test_every_exception_class_of_the_package_is_defined_in_errors() -> None:
    strays = []
    for name in _library_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or not issubclass(cls, BaseException):
                continue
            if cls_name.startswith("_"):
                continue  # private control flow (e.g. client._Retryable): never leaves its module
            if name != "humectl.core.errors":
                strays.append(f"{name}.{cls_name}")
    assert not strays, f"exceptions outside humectl/errors.py: {strays}"


def test_the_docstring_draws_the_real_tree() -> None:
    drawn = _drawn_tree()
    defined = {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if cls.__module__ == "humectl.core.errors" and issubclass(cls, BaseException)
    }
    assert set(drawn) == set(defined), "drawn and defined differ"
    for name, cls in defined.items():
        parent = drawn[name]
        if parent is None:
            assert cls is HumectlError
        else:
            assert cls.__bases__ == (defined[parent],), f"{name} is drawn under {parent}"


def test_every_error_type_id_is_documented() -> None:
    documented = set(re.findall(r"`([a-z_]+)`", DOCS.read_text(encoding="utf-8")))
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if cls.__module__ == "humectl.core.errors" and issubclass(cls, HumectlError) and cls is not HumectlError:
            assert error_type(name) in documented, f"{name}'s id {error_type(name)!r} is not in docs/json-output.md"


def test_error_type_ids_stay_as_documented() -> None:
    # The ids are a contract (docs/json-output.md); a renamed class would change them.
    assert error_type("ResourceNotFound") == "resource_not_found"
    assert errors.ExportError("x").type == "export"
    assert errors.RollbackError("x").type == "rollback"
    assert errors.MissingKeyError("x").type == "missing_key"
    assert errors.LockHeldError("x").type == "lock_held"
    assert HumectlError("x").type == "humectl"


def test_messages_and_hints_are_kept() -> None:
    error = errors.RollbackError("no version 9", hint="see humectl history")
    assert str(error) == "no version 9" and error.hint == "see humectl history" and error.exit_code == 1
