"""docs/fidelity.md keeps its promise: every behaviour row names a test, and every test it names exists."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "fidelity.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?(?:\[[^\]]*\])?`")


def behaviour_rows() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8").split("## Behaviours", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| behaviour")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows]


def test_every_row_has_behaviour_evidence_emulator_and_test() -> None:
    rows = behaviour_rows()
    assert len(rows) >= 15
    for cells in rows:
        assert len(cells) == 4 and all(cells), cells
        assert TEST_REF.search(cells[3]), cells[0]


def test_every_named_test_exists() -> None:
    for cells in behaviour_rows():
        files: list[str] = []
        for ref in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(\w+))?(?:\[[^\]]*\])?`", cells[3]):
            path, function = ref.groups()
            if path:
                files.append(path)
            if function:  # `::name` alone continues the file named before it
                assert files, cells[3]
                source = (REPO_ROOT / files[-1]).read_text(encoding="utf-8")
                assert re.search(rf"^def {function}\(", source, re.M), f"{files[-1]}::{function}"
        assert all((REPO_ROOT / f).is_file() for f in files), files
