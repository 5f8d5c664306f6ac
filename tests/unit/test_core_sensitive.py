"""humectl.core.sensitive: the one masking layer, and where sensitive values come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.core import sensitive
from humectl.core.errors import UsageError


def test_values_are_masked_in_text_and_data() -> None:
    registry = sensitive.of({"token": "s3cr3t-value"})
    assert registry.mask("Bearer s3cr3t-value!") == f"Bearer {sensitive.MASK}!"
    assert registry.mask_data({"a": ["x s3cr3t-value"]}) == {"a": [f"x {sensitive.MASK}"]}
    assert registry.contains("..s3cr3t-value..") and not registry.contains("nothing")


def test_from_the_environment() -> None:
    found = sensitive.secrets_from_environ(
        {"HUMECTL_SECRET_HOOK": "abcd1234", "HUMECTL_SECRETS": "# comment\nother=efgh5678\n", "PATH": "/bin"}
    )
    assert found == {"HOOK": "abcd1234", "other": "efgh5678"}
    with pytest.raises(UsageError, match="line 1"):
        sensitive.secrets_from_environ({"HUMECTL_SECRETS": "no equals sign here"})


def test_fingerprints_check_a_value_without_holding_it() -> None:
    print_ = sensitive.fingerprint("s3cr3t-value", "00ff00ff")
    assert "s3cr3t" not in print_
    assert sensitive.same("s3cr3t-value", "00ff00ff", print_)
    assert not sensitive.same("other", "00ff00ff", print_)


def test_files_for_people_are_masked(tmp_path: Path) -> None:
    registry = sensitive.reset()
    registry.add("token", "s3cr3t-value")
    sensitive.write_masked(tmp_path / "plan.md", "the token is s3cr3t-value")
    assert (tmp_path / "plan.md").read_text(encoding="utf-8") == f"the token is {sensitive.MASK}"
    sensitive.reset()
