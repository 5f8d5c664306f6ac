"""Fields Hume's spec lacks (docs/fidelity.md): live EVI answered with fields its spec does not have
(``event_messages.on_resume_chat``), so the emulator keeps what a request sends beyond the spec, at the
top level and inside sections, and answers it back on every read (create, get, lists), without
replacing anything it knows.

Responses are checked against Hume's spec as every emulator test's are, except that they may carry
properties the spec does not list (the point here): a non-strict validator. Without the spec (a fresh
clone) the answers go unchecked, as every emulator test's do (tests/hume_spec.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from humectl.emulator.app import EmulatorConfig, create_app
from tests.conftest import SHARED_DIR
from tests.emulator.conftest import API_KEY, config_body, created, prompt_body, tool_body
from tests.emulator.inprocess import InProcessClient
from tests.emulator.spec_validator import SpecValidatingMiddleware, SpecValidator, format_violations
from tests.hume_spec import optional_spec_validator

RESUME = {"enabled": True, "text": "Welcome back."}


def spec_checked(app: Any, *, strict: bool) -> Any:
    """``app`` behind Hume's spec validator (strict: no property the spec lacks); without the spec, ``app``."""
    if optional_spec_validator() is None:
        return app
    return SpecValidatingMiddleware(app, SpecValidator(SHARED_DIR, strict=strict))


def violations(app: Any) -> str:
    found = getattr(app, "violations", [])
    return format_violations(found) if found else ""


@pytest.fixture
def lenient() -> Iterator[InProcessClient]:
    """A client whose every answer is checked against Hume's spec, extra properties allowed."""
    checked = spec_checked(create_app(EmulatorConfig(seed=1)), strict=False)
    with InProcessClient(checked, api_key=API_KEY) as client:
        yield client
    assert not violations(checked), violations(checked)


def reads(client: InProcessClient, kind: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer to the create, then the same version as every read gives it."""
    made = created(client.post(f"/v0/evi/{kind}", json=body))
    rid = made["id"]
    got = client.get(f"/v0/evi/{kind}/{rid}/version/0").json()
    [listed] = client.get(f"/v0/evi/{kind}", params={"name": body["name"]}).json()[f"{kind}_page"]
    [versions] = client.get(f"/v0/evi/{kind}/{rid}").json()[f"{kind}_page"]
    return [made, got, listed, versions]


def test_a_config_keeps_fields_the_spec_lacks_at_the_top_and_inside_sections(lenient: InProcessClient) -> None:
    body = config_body(
        event_messages={"on_new_chat": {"enabled": True, "text": "Hi"}, "on_resume_chat": RESUME},
        voice={"provider": "HUME_AI", "name": "ITO", "type": "OCTAVE"},
        ambient_sound={"preset": "office", "volume": 0.2},
    )
    for answer in reads(lenient, "configs", body):
        assert answer["event_messages"]["on_resume_chat"] == RESUME
        assert answer["event_messages"]["on_new_chat"] == {"enabled": True, "text": "Hi"}
        assert answer["ambient_sound"] == {"preset": "office", "volume": 0.2}
        # Inside a section the emulator resolves, what it knows stays its own: the library's spelling.
        assert answer["voice"]["name"] == "Ito" and answer["voice"]["type"] == "OCTAVE"


def test_prompts_and_tools_keep_them_too(lenient: InProcessClient) -> None:
    for answer in reads(lenient, "prompts", prompt_body(prompt_expansion={"enabled": False, "style": "brief"}, tone=2)):
        assert answer["tone"] == 2
    made, got, _, _ = reads(lenient, "prompts", prompt_body(name="p2", prompt_expansion={"enabled": False, "x": 1}))
    assert made["prompt_expansion"] == got["prompt_expansion"] == {"enabled": False, "x": 1}
    for answer in reads(lenient, "tools", tool_body(strict=True)):
        assert answer["strict"] is True


def test_a_field_the_spec_has_is_never_replaced_and_a_new_version_sends_its_own(lenient: InProcessClient) -> None:
    made = created(lenient.post("/v0/evi/configs", json=config_body(timeouts={"idle": 5}, extra_field="a")))
    assert made["timeouts"]["inactivity"] == {"enabled": True, "duration_secs": 120} and made["timeouts"]["idle"] == 5
    second = created(lenient.post(f"/v0/evi/configs/{made['id']}", json={"evi_version": "3"}))
    assert "extra_field" not in second and "idle" not in second["timeouts"]  # what a version sends is what it keeps
    assert lenient.get(f"/v0/evi/configs/{made['id']}/version/0").json()["extra_field"] == "a"


def test_the_fuzzers_emulator_ignores_them_as_fastapi_does() -> None:
    checked = spec_checked(create_app(EmulatorConfig(keep_unknown_fields=False)), strict=True)
    with InProcessClient(checked, api_key=API_KEY) as client:
        made = created(client.post("/v0/evi/configs", json=config_body(ambient_sound=1, timeouts={"idle": 5})))
    assert "ambient_sound" not in made and "idle" not in made["timeouts"]
    assert not violations(checked), violations(checked)


def test_a_replayed_account_keeps_them(lenient: InProcessClient) -> None:
    """A snapshot of a live account (what its answers held) seeds with the fields the spec lacks."""
    made = created(lenient.post("/v0/evi/configs", json=config_body(voice={"provider": "HUME_AI", "name": "ITO"})))
    answer = {**made, "id": "5a0e3c1e-1d1f-4a3e-9a43-2f4bd0b2c001", "name": "replayed", "ambient_sound": "office"}
    answer["event_messages"] = {**made["event_messages"], "on_resume_chat": RESUME}
    answer["voice"] = {**made["voice"], "type": "OCTAVE"}
    seeded = lenient.post("/_emulator/seed", json={"configs": [answer]})
    assert seeded.status_code == 201, seeded.text
    got = lenient.get(f"/v0/evi/configs/{answer['id']}/version/0").json()
    assert got["event_messages"]["on_resume_chat"] == RESUME and got["ambient_sound"] == "office"
    assert got["voice"] == answer["voice"]  # compatible_octave_models stays the library's
