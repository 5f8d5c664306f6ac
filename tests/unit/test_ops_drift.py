"""humectl.ops.drift: what humectl last applied (the newest version with its marker, read complete)."""

from __future__ import annotations

from humectl.ops.drift import last_applied
from tests.engine.helpers import emulator_account


def test_the_newest_version_humectl_made_read_complete_or_none() -> None:
    with emulator_account() as account:
        made = account.raw("POST", "/v0/evi/prompts", body={"name": "p", "text": "by hand"})
        assert account.run(last_applied(account.client, "prompt", made["id"])) is None
        for text, description in (("one", "a [humectl r1]"), ("two", "b [humectl r2]"), ("three", "by hand")):
            body = {"text": text, "version_description": description, "prompt_expansion": {"enabled": False}}
            account.raw("POST", f"/v0/evi/prompts/{made['id']}", body=body)
        base = account.run(last_applied(account.client, "prompt", made["id"]))
        assert base is not None
        assert (base["version"], base["text"]) == (2, "two")
        assert base["prompt_expansion"] == {"enabled": False}  # a detail field lists leave out: read
