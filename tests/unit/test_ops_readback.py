"""humectl.ops.readback: each kind of write read back through a real apply, against the in-process
emulator behind a server that rewrites what it is sent (tests/rewriting.py): a rename, a version
description, a partial answer read again in full, a read that fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from humectl.core.errors import ReadBack
from humectl.core.provenance import strip_marker
from humectl.core.settings import Settings
from tests import support
from tests.rewriting import RewritingTransport, rewriting_emulator, unchanged

SETTINGS = Settings(base_url="http://127.0.0.1:9", api_key="test-key")


def apply(evi: Path, manifest: str, transport: RewritingTransport, db: Path, **plan_options: Any) -> list[ReadBack]:
    (evi / "m.yaml").write_text(manifest, encoding="utf-8")
    plain = rewriting_emulator(unchanged, str(db))
    plan = support.make_plan(evi, SETTINGS, transport=plain, **plan_options).plan
    report, _ = support.apply(plan, SETTINGS, transport=transport)
    return report.readback


def setup(tmp_path: Path) -> tuple[Path, Path]:
    evi = tmp_path / "evi"
    evi.mkdir()
    return evi, tmp_path / "account.sqlite3"


def test_a_rename_the_server_spells_otherwise_is_caught(tmp_path: Path) -> None:
    evi, db = setup(tmp_path)
    assert apply(evi, "prompts: [{name: old, text: hi}]\n", rewriting_emulator(unchanged, str(db)), db) == []

    def shout(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "name": body["name"].upper()} if method == "PATCH" and set(body) == {"name"} else body

    transport = rewriting_emulator(shout, str(db))
    found = apply(evi, "prompts: [{name: new, previous_names: [old], text: hi}]\n", transport, db)
    assert [(r.operation, r.path, r.sent, r.stored, r.what) for r in found] == [
        ("rename", "name", "new", "NEW", "changed")
    ]
    assert ("GET", transport.requests[-1][1]) == transport.requests[-1]  # renames answer nothing: read again


def test_a_description_whose_marker_the_server_drops_is_caught(tmp_path: Path) -> None:
    evi, db = setup(tmp_path)
    apply(evi, "prompts: [{name: p, text: hi}]\n", rewriting_emulator(unchanged, str(db)), db)

    def unmark(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "PATCH" and "version_description" in body:
            return {"version_description": strip_marker(body["version_description"])}
        return body

    found = apply(evi, "prompts: [{name: p, text: hi, protect: true}]\n", rewriting_emulator(unmark, str(db)), db)
    [finding] = found
    assert (finding.operation, finding.path, finding.what) == ("describe", "version_description", "changed")
    assert finding.sent.endswith(" protect]") and finding.stored == "applied by humectl"


def test_a_partial_answer_is_read_again_in_full(tmp_path: Path) -> None:
    evi, db = setup(tmp_path)

    def as_listed(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k != "prompt_expansion"}  # the spec's list item has none

    transport = rewriting_emulator(unchanged, str(db), answer=as_listed)
    manifest = "prompts: [{name: p, text: hi, prompt_expansion: {enabled: false}}]\n"
    assert apply(evi, manifest, transport, db) == []
    assert transport.requests[-1][0] == "GET" and "/version/0" in transport.requests[-1][1]


def test_a_server_that_ignores_prompt_expansion_drops_it(tmp_path: Path) -> None:
    evi, db = setup(tmp_path)

    def ignore(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k != "prompt_expansion"}

    manifest = "prompts: [{name: p, text: hi, prompt_expansion: {enabled: false}}]\n"
    [finding] = apply(evi, manifest, rewriting_emulator(ignore, str(db)), db)
    assert (finding.path, finding.sent, finding.stored, finding.what) == (
        "prompt_expansion",
        {"enabled": False},
        None,
        "dropped",
    )


def test_a_read_that_fails_leaves_the_write_done(tmp_path: Path) -> None:
    evi, db = setup(tmp_path)
    apply(evi, "prompts: [{name: old, text: hi}]\n", rewriting_emulator(unchanged, str(db)), db)

    class NoReads(RewritingTransport):
        """A server that answers no read of one version."""

        async def _forward(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and "/version/" in request.url.path:
                return httpx.Response(404, json={"message": "gone"})
            return await super()._forward(request)

    plain = rewriting_emulator(unchanged, str(db))
    transport = NoReads(plain.inner, unchanged)
    (evi / "m.yaml").write_text("prompts: [{name: new, previous_names: [old], text: hi}]\n", encoding="utf-8")
    plan = support.make_plan(evi, SETTINGS, transport=rewriting_emulator(unchanged, str(db))).plan
    report, _ = support.apply(plan, SETTINGS, transport=transport)
    assert report.done == ["prompt/new"]
    [finding] = report.readback
    assert (finding.operation, finding.what, finding.path) == ("rename", "unread", "")
    assert finding.error is not None and "HTTP 404: gone" in finding.error
