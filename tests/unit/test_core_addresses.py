"""humectl.core.addresses: --target/--exclude patterns (kind/name globs, with or without the prefix)."""

from __future__ import annotations

from humectl.core.addresses import is_glob, matches, pattern_problem, selected, unmatched


def test_exact_and_glob_patterns() -> None:
    assert matches("config/desk", "config/desk")
    assert not matches("config/desk", "config/desk-2")
    assert matches("config/desk*", "config/desk-2")
    assert matches("*/legacy-*", "tool/legacy-lookup") and not matches("*/legacy-*", "tool/lookup")
    assert matches("prompt/agent-?", "prompt/agent-1") and not matches("prompt/agent-?", "prompt/agent-10")
    assert not matches("config/Desk", "config/desk")  # names are case-sensitive


def test_a_pattern_matches_the_name_with_or_without_the_environment_prefix() -> None:
    assert matches("config/desk", "config/dev-desk", "dev-")
    assert matches("config/dev-desk", "config/dev-desk", "dev-")
    assert not matches("config/desk", "config/dev-desk")
    assert not matches("config/desk", "config/staging-desk", "dev-")


def test_selection_and_what_selects_nothing() -> None:
    addresses = ["prompt/a", "prompt/b", "config/c"]
    assert selected(["prompt/*"], addresses) == {"prompt/a", "prompt/b"}
    assert unmatched(["prompt/*", "tool/*", "config/c"], addresses) == ["tool/*"]


def test_pattern_problems() -> None:
    assert pattern_problem("config/*") is None and pattern_problem("*/x") is None
    assert "not an address" in str(pattern_problem("desk"))
    assert "not an address" in str(pattern_problem("config/"))
    assert "unknown kind 'voice'" in str(pattern_problem("voice/x"))
    assert is_glob("a*") and is_glob("a[bc]") and not is_glob("plain")
