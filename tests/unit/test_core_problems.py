"""humectl.core.problems: located manifest problems as one terminal-safe line each, and the summary line."""

from __future__ import annotations

from humectl.core.errors import Problem
from humectl.core.problems import count, format_problem, summary_line

ERROR = Problem("evi/a.yaml", 3, 5, "bad voice", "use a library voice", "voice")
WARNING = Problem("evi/b.yaml", 7, 2, "pinned", rule="pinned-managed", severity="warning")


def test_a_problem_is_file_line_col_message_and_hint() -> None:
    assert format_problem(ERROR) == "evi/a.yaml:3:5: bad voice (hint: use a library voice)"


def test_a_warning_says_so_after_the_position() -> None:
    assert format_problem(WARNING) == "evi/b.yaml:7:2: warning: pinned"


def test_no_line_gives_the_file_alone_and_column_zero_reads_as_one() -> None:
    assert format_problem(Problem("humectl.yaml", 0, 0, "unreadable")) == "humectl.yaml: unreadable"
    assert format_problem(Problem("a.yaml", -1, 4, "x")) == "a.yaml: x"
    assert format_problem(Problem("a.yaml", 2, 0, "x")) == "a.yaml:2:1: x"


def test_the_line_is_safe_for_a_terminal() -> None:
    hostile = Problem("evil\x1b[2J.yaml", 1, 1, "name 'a\nb'", hint="\x07bell")
    line = format_problem(hostile)
    assert "\x1b" not in line and "\n" not in line and "\x07" not in line
    assert line.startswith("evil\\x1b[2J.yaml:1:1: ")  # escaped, still readable


def test_count_is_errors_then_warnings() -> None:
    assert count([]) == (0, 0)
    assert count([ERROR, WARNING, ERROR]) == (2, 1)
    assert count(iter([WARNING])) == (0, 1)  # any iterable


def test_summary_of_invalid_manifests_counts_both() -> None:
    assert summary_line([ERROR]) == "1 error, 0 warnings: the manifests are not valid"
    assert summary_line([ERROR, ERROR, WARNING], {"prompt": 4}, 2) == "2 errors, 1 warning: the manifests are not valid"


def test_summary_of_valid_manifests_says_what_was_checked() -> None:
    assert summary_line([]) == "valid"
    assert summary_line([], {"prompt": 1, "tool": 2}, 1) == "valid (1 file, 1 prompt, 2 tools)"
    assert summary_line([WARNING, WARNING], {"config": 0}, 3) == "valid (3 files, 0 configs), 2 warnings"
    assert summary_line([WARNING], None, 1) == "valid (1 file), 1 warning"
    assert summary_line([], {}, 0) == "valid (0 files)"  # an empty directory says so
