"""Contract tests: Hume's official SDK (``hume==0.14.1``) drives the emulator over a real loopback socket.

Nobody here wrote the SDK, so these prove the emulator speaks the wire format Hume's clients expect:
paths, query encoding, status codes, bodies the SDK's pydantic models parse, its pager, its error types.
Every SDK method called goes through :class:`Recorder`; the last test compares what was exercised with
what exists on the resource clients (``test_sdk_method_coverage``).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from hume import HumeClient
from hume.core.api_error import ApiError
from hume.empathic_voice import (
    PostedBuiltinTool,
    PostedConfigPrompt,
    PostedConfigTimeouts,
    PostedConfigTimeoutsInactivity,
    PostedUserDefinedToolSpec,
    VoiceName,
)
from hume.empathic_voice.chat_groups.client import ChatGroupsClient
from hume.empathic_voice.chats.client import ChatsClient
from hume.empathic_voice.configs.client import ConfigsClient
from hume.empathic_voice.errors import BadRequestError
from hume.empathic_voice.errors import UnprocessableEntityError as EviUnprocessableEntityError
from hume.empathic_voice.prompts.client import PromptsClient
from hume.empathic_voice.tools.client import ToolsClient
from hume.tts.errors import UnprocessableEntityError
from hume.tts.voices.client import VoicesClient

from humectl.catalog import voice_library
from tests.emulator.conftest import API_KEY, UNAUTHORIZED, UNKNOWN_ID

PARAMETERS = json.dumps({"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]})
NO_RETRY: Any = {"max_retries": 0}

# The resource clients whose every method the issue asks us to exercise, and two read-only extras.
REQUIRED_CLIENTS: dict[str, type] = {
    "prompts": PromptsClient,
    "tools": ToolsClient,
    "configs": ConfigsClient,
    "voices": VoicesClient,
}
EXTRA_CLIENTS: dict[str, type] = {"chats": ChatsClient, "chat_groups": ChatGroupsClient}
EXERCISED: set[str] = set()


def public_methods(cls: type) -> set[str]:
    """Methods a user can call (``with_raw_response`` is a property, not an API call)."""
    return {n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")}


class Recorder:
    """Wraps one SDK resource client and records which of its methods were called."""

    def __init__(self, label: str, target: Any) -> None:
        self._label = label
        self._target = target

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if callable(attr) and not name.startswith("_"):
            EXERCISED.add(f"{self._label}.{name}")
        return attr


class Hume:
    """The SDK's resource clients, each behind a Recorder."""

    def __init__(self, client: HumeClient) -> None:
        evi = client.empathic_voice
        self.prompts = Recorder("prompts", evi.prompts)
        self.tools = Recorder("tools", evi.tools)
        self.configs = Recorder("configs", evi.configs)
        self.voices = Recorder("voices", client.tts.voices)
        self.chats = Recorder("chats", evi.chats)
        self.chat_groups = Recorder("chat_groups", evi.chat_groups)


@pytest.fixture
def hume(sdk: HumeClient) -> Hume:
    return Hume(sdk)


def stats(admin: httpx.Client) -> dict[str, Any]:
    body: dict[str, Any] = admin.get("/_emulator/stats").json()
    return body


# ---- prompts, tools, configs: every method --------------------------------------------------------


def test_prompts_every_method(hume: Hume) -> None:
    p = hume.prompts.create_prompt(name="support-agent", text="v0", version_description=None)
    assert p is not None and p.version == 0 and p.version_type == "FIXED" and p.text == "v0"
    v1 = hume.prompts.create_prompt_version(id=p.id, text="v1", version_description="second")
    v2 = hume.prompts.create_prompt_version(id=p.id, text="v2")
    assert (v1.version, v2.version, v2.created_on) == (1, 2, p.created_on)

    latest = hume.prompts.list_prompt_versions(id=p.id)  # not a pager in 0.14.1: one raw page
    assert [x.version for x in latest.prompts_page] == [2]
    history = hume.prompts.list_prompt_versions(id=p.id, restrict_to_most_recent=False)
    assert [x.version for x in history.prompts_page] == [0, 1, 2]

    got = hume.prompts.get_prompt_version(id=p.id, version=1)
    assert got.text == "v1" and got.version_description == "second"
    described = hume.prompts.update_prompt_description(id=p.id, version=1, version_description="edited")
    assert described.version_description == "edited" and described.version == 1

    assert hume.prompts.update_prompt_name(id=p.id, name="renamed") == ""
    assert [x.name for x in hume.prompts.list_prompts(name="renamed")] == ["renamed"]
    assert hume.prompts.delete_prompt_version(id=p.id, version=2) is None
    assert [x.version for x in hume.prompts.list_prompts()] == [1]
    assert hume.prompts.delete_prompt(id=p.id) is None
    assert list(hume.prompts.list_prompts()) == []


def test_tools_every_method(hume: Hume) -> None:
    t = hume.tools.create_tool(
        name="lookup_order", parameters=PARAMETERS, description="Find an order.", fallback_content="Unavailable."
    )
    assert t is not None and t.tool_type == "FUNCTION" and t.parameters == PARAMETERS and t.version == 0
    v1 = hume.tools.create_tool_version(id=t.id, parameters=PARAMETERS, description="Find an order by id.")
    assert v1.version == 1 and v1.fallback_content is None
    assert [x.version for x in hume.tools.list_tool_versions(id=t.id)] == [1]
    assert [x.version for x in hume.tools.list_tool_versions(id=t.id, restrict_to_most_recent=False)] == [0, 1]
    assert hume.tools.get_tool_version(id=t.id, version=0).description == "Find an order."
    assert (
        hume.tools.update_tool_description(id=t.id, version=0, version_description="first").version_description
        == "first"
    )
    assert hume.tools.update_tool_name(id=t.id, name="find_order") == ""
    assert [x.name for x in hume.tools.list_tools(restrict_to_most_recent=False)] == ["find_order", "find_order"]
    assert hume.tools.delete_tool_version(id=t.id, version=0) is None
    assert [x.version for x in hume.tools.list_tools(name="find_order")] == [1]
    assert hume.tools.delete_tool(id=t.id) is None
    assert list(hume.tools.list_tools()) == []


def test_configs_every_method(hume: Hume) -> None:
    prompt = hume.prompts.create_prompt(name="desk-prompt", text="Be kind.")
    tool = hume.tools.create_tool(name="lookup_order", parameters=PARAMETERS)
    c = hume.configs.create_config(
        name="support-desk",
        evi_version="3",
        prompt=PostedConfigPrompt(id=prompt.id, version=0),
        tools=[PostedUserDefinedToolSpec(id=tool.id, version=0)],
        builtin_tools=[PostedBuiltinTool(name="hang_up")],
        voice=VoiceName(name="ITO", provider="HUME_AI"),
        timeouts=PostedConfigTimeouts(inactivity=PostedConfigTimeoutsInactivity(enabled=True, duration_secs=120)),
    )
    assert c is not None and c.version == 0
    assert c.prompt is not None and c.prompt.text == "Be kind." and c.prompt.version_type == "FIXED"
    assert c.tools is not None and c.tools[0] is not None and c.tools[0].parameters == PARAMETERS
    assert c.voice is not None and c.voice.name == "Ito" and c.voice.id
    assert c.timeouts is not None and c.timeouts.inactivity.duration_secs == 120
    assert c.timeouts.max_duration.duration_secs == 1800
    assert c.ellm_model is not None and c.ellm_model.allow_short_responses is False
    assert c.builtin_tools is not None and c.builtin_tools[0] is not None and c.builtin_tools[0].tool_type == "BUILTIN"

    v1 = hume.configs.create_config_version(id=c.id, evi_version="3", version_description="no tools")
    assert v1.version == 1 and v1.tools == [] and v1.prompt is None
    assert [x.version for x in hume.configs.list_config_versions(id=c.id)] == [1]
    assert [x.version for x in hume.configs.list_config_versions(id=c.id, restrict_to_most_recent=False)] == [0, 1]
    again = hume.configs.get_config_version(id=c.id, version=0)
    assert again.prompt is not None and again.prompt.id == prompt.id
    assert hume.configs.update_config_description(
        id=c.id, version=0, version_description="pinned"
    ).version_description == ("pinned")
    assert hume.configs.update_config_name(id=c.id, name="front-desk") == ""
    assert [x.name for x in hume.configs.list_configs()] == ["front-desk"]
    assert hume.configs.delete_config_version(id=c.id, version=1) is None
    assert [x.version for x in hume.configs.list_configs(name="front-desk")] == [0]
    assert hume.configs.delete_config(id=c.id) is None
    assert list(hume.configs.list_configs()) == []


def test_voices_list_create_delete(hume: Hume) -> None:
    library = list(hume.voices.list(provider="HUME_AI"))  # the SDK's pager walks every page
    assert [v.name for v in library] == list(voice_library().names) and len(library) > 100
    ava = next(v for v in library if v.name == "Ava Song")
    assert ava.id == "5bb7de05-c8fe-426a-8fcc-ba4fc4ce9f9c" and ava.compatible_octave_models == ["1", "2"]
    assert list(hume.voices.list(provider="CUSTOM_VOICE")) == []
    voice = hume.voices.create(generation_id="795c949a-1510-4a80-9646-7d0863b023ab", name="Narrator")
    assert voice.provider == "CUSTOM_VOICE" and voice.name == "Narrator" and voice.id
    assert [v.id for v in hume.voices.list(provider="CUSTOM_VOICE")] == [voice.id]
    config = hume.configs.create_config(name="narrated", evi_version="3", voice=VoiceName(name="Narrator"))
    assert config.voice is not None and config.voice.id == voice.id and config.voice.provider == "CUSTOM_VOICE"
    assert hume.voices.delete(name="Narrator") is None
    assert list(hume.voices.list(provider="CUSTOM_VOICE")) == []
    with pytest.raises(UnprocessableEntityError):
        hume.voices.create(generation_id="g", name="", request_options=NO_RETRY)


# ---- pagination and restrict_to_most_recent -------------------------------------------------------


def test_sdk_pager_walks_250_plus_items(hume: Hume, admin: httpx.Client) -> None:
    ids = [hume.prompts.create_prompt(name=f"prompt-{i:03}", text=f"text {i}").id for i in range(260)]
    names = [p.name for p in hume.prompts.list_prompts(page_size=100)]
    assert names == [f"prompt-{i:03}" for i in range(260)]  # creation order, nothing lost or repeated
    # pages 0..2 hold items, page 3 is the empty page that stops the SDK's pager
    assert stats(admin)["requests"]["GET /v0/evi/prompts"] == 4

    small_pages = hume.prompts.list_prompts(page_size=7)
    assert len(small_pages.items) == 7
    assert [p.id for p in small_pages] == ids
    for i in range(3):
        hume.prompts.create_prompt_version(id=ids[0], text=f"more {i}")
    assert len(list(hume.prompts.list_prompts(page_size=100))) == 260
    assert len(list(hume.prompts.list_prompts(page_size=100, restrict_to_most_recent=False))) == 263


def test_restrict_to_most_recent_both_ways_on_every_kind(hume: Hume) -> None:
    tool = hume.tools.create_tool(name="t", parameters="{}")
    prompt = hume.prompts.create_prompt(name="p", text="x")
    config = hume.configs.create_config(name="c", evi_version="3")
    for _ in range(2):
        hume.tools.create_tool_version(id=tool.id, parameters="{}")
        hume.prompts.create_prompt_version(id=prompt.id, text="y")
        hume.configs.create_config_version(id=config.id, evi_version="4-mini")
    assert [t.version for t in hume.tools.list_tools(restrict_to_most_recent=True)] == [2]
    assert [t.version for t in hume.tools.list_tools(restrict_to_most_recent=False)] == [0, 1, 2]
    assert [p.version for p in hume.prompts.list_prompts()] == [2]
    assert [p.version for p in hume.prompts.list_prompts(restrict_to_most_recent=False)] == [0, 1, 2]
    assert [c.version for c in hume.configs.list_configs()] == [2]
    assert [c.version for c in hume.configs.list_configs(restrict_to_most_recent=False)] == [0, 1, 2]
    assert [
        t.version for t in hume.tools.list_tool_versions(id=tool.id, restrict_to_most_recent=False, page_size=1)
    ] == [
        0,
        1,
        2,
    ]
    assert [c.version for c in hume.configs.list_config_versions(id=config.id, restrict_to_most_recent=True)] == [2]


# ---- errors surface as the SDK's error types ------------------------------------------------------


def test_errors_surface_as_sdk_error_types(hume: Hume) -> None:
    hume.prompts.create_prompt(name="taken", text="x")
    with pytest.raises(BadRequestError) as dup:
        hume.prompts.create_prompt(name="taken", text="y", request_options=NO_RETRY)
    assert dup.value.status_code == 400 and "already exists" in (dup.value.body.message or "")

    with pytest.raises(BadRequestError) as bad_version:
        hume.configs.create_config(name="old", evi_version="2", request_options=NO_RETRY)
    assert bad_version.value.body.code == "unsupported_evi_version"

    with pytest.raises(BadRequestError) as bad_ref:
        hume.configs.create_config(
            name="dangling", evi_version="3", prompt=PostedConfigPrompt(id=UNKNOWN_ID), request_options=NO_RETRY
        )
    assert UNKNOWN_ID in (bad_ref.value.body.message or "")

    with pytest.raises(BadRequestError):
        hume.tools.create_tool(name="bad_params", parameters="{oops", request_options=NO_RETRY)

    with pytest.raises(ApiError) as missing:
        hume.prompts.get_prompt_version(id=UNKNOWN_ID, version=0, request_options=NO_RETRY)
    assert missing.value.status_code == 404 and not isinstance(missing.value, BadRequestError)
    with pytest.raises(ApiError) as missing_delete:
        hume.tools.delete_tool(id=UNKNOWN_ID, request_options=NO_RETRY)
    assert missing_delete.value.status_code == 404

    with pytest.raises(ApiError) as shape:
        hume.configs.create_config(
            name="shape",
            evi_version="3",
            builtin_tools=[{"name": "calculator"}],
            request_options=NO_RETRY,
        )
    assert shape.value.status_code == 422 and shape.value.body["detail"][0]["loc"] == [
        "body",
        "builtin_tools",
        0,
        "name",
    ]
    assert not isinstance(shape.value, EviUnprocessableEntityError)  # configs declare no 422 in the SDK


def test_wrong_api_key_is_401(served_emulator: str, admin: httpx.Client) -> None:
    stranger = Hume(HumeClient(api_key="not-the-key", base_url=served_emulator))
    with pytest.raises(ApiError) as denied:
        stranger.prompts.list_prompts(request_options=NO_RETRY)
    assert denied.value.status_code == 401 and denied.value.body == UNAUTHORIZED


# ---- the "Done means" scenario ------------------------------------------------------------


def test_done_means_scenario(hume: Hume, admin: httpx.Client) -> None:
    tool = hume.tools.create_tool(name="lookup_order", parameters=PARAMETERS, description="Look up an order.")
    prompt = hume.prompts.create_prompt(name="support-agent", text="v0")
    for n in (1, 2):
        hume.prompts.create_prompt_version(id=prompt.id, text=f"v{n}")
    config = hume.configs.create_config(
        name="support-desk",
        evi_version="3",
        prompt=PostedConfigPrompt(id=prompt.id, version=2),
        tools=[PostedUserDefinedToolSpec(id=tool.id, version=0)],
        voice=VoiceName(name="KORA", provider="HUME_AI"),
    )
    assert config.prompt is not None and (config.prompt.version, config.prompt.text) == (2, "v2")
    assert config.tools is not None and config.tools[0] is not None and config.tools[0].id == tool.id

    versions = hume.prompts.list_prompts(page_size=1, restrict_to_most_recent=False)
    assert [p.version for p in versions] == [0, 1, 2]  # three pages of one, then the empty page
    assert [c.name for c in hume.configs.list_configs(page_size=1)] == ["support-desk"]
    assert [t.name for t in hume.tools.list_tools(page_size=1)] == ["lookup_order"]

    admin.put("/_emulator/faults", json={"rate_limit": 1}).raise_for_status()
    seen: list[ApiError] = []
    for _ in range(5):
        try:
            hume.configs.list_configs(request_options=NO_RETRY)
        except ApiError as exc:
            seen.append(exc)
    assert seen and all(e.status_code == 429 for e in seen)
    headers = {k.lower(): v for k, v in (seen[0].headers or {}).items()}
    assert int(headers["retry-after"]) >= 1
    assert stats(admin)["rate_limited"] == len(seen)


def test_sdk_retries_honour_retry_after(hume: Hume, admin: httpx.Client) -> None:
    admin.put("/_emulator/faults", json={"rate_limit": 2}).raise_for_status()
    start = time.perf_counter()
    results = [hume.prompts.list_prompts(page_number=0).items for _ in range(4)]  # default: 2 retries
    assert results == [[], [], [], []]
    assert time.perf_counter() - start >= 0.9  # it waited for Retry-After at least once
    assert stats(admin)["rate_limited"] >= 1


def test_ambiguous_write_is_committed_though_the_sdk_sees_502(hume: Hume, admin: httpx.Client) -> None:
    admin.put("/_emulator/faults", json={"ambiguous_write_rate": 1.0}).raise_for_status()
    with pytest.raises(ApiError) as lost:
        hume.prompts.create_prompt(name="maybe", text="x", request_options=NO_RETRY)
    assert lost.value.status_code == 502
    admin.put("/_emulator/faults", json={"ambiguous_write_rate": 0}).raise_for_status()
    assert [p.name for p in hume.prompts.list_prompts(name="maybe")] == ["maybe"]


def test_chats_and_chat_groups(hume: Hume, admin: httpx.Client) -> None:
    assert list(hume.chats.list_chats()) == []
    assert list(hume.chat_groups.list_chat_groups()) == []
    seeded = admin.post("/_emulator/seed", json={"chats": [{"events": [{"message_text": "Hello."}]}]}).json()
    chat_id = seeded["chats"][0]
    chat = next(iter(hume.chats.list_chats()))
    assert chat.id == chat_id and chat.status == "USER_ENDED"
    assert [e.message_text for e in hume.chats.list_chat_events(id=chat_id)] == ["Hello."]
    assert hume.chats.get_audio(id=chat_id).status == "QUEUED"
    group = next(iter(hume.chat_groups.list_chat_groups()))
    assert group.num_chats == 1 and group.most_recent_chat_id == chat_id
    assert [c.id for c in hume.chat_groups.get_chat_group(id=group.id).chats_page] == [chat_id]
    assert len(list(hume.chat_groups.list_chat_group_events(id=group.id))) == 1
    assert hume.chat_groups.get_audio(id=group.id).num_chats == 1


# ---- coverage: counted from the tests above, so it runs after them ---------------------------------


@pytest.mark.last_in_module
def test_sdk_method_coverage() -> None:
    if not EXERCISED:
        pytest.skip("run the whole module: coverage is counted from the tests above")
    existing = {f"{label}.{m}" for label, cls in REQUIRED_CLIENTS.items() for m in public_methods(cls)}
    extra = {f"{label}.{m}" for label, cls in EXTRA_CLIENTS.items() for m in public_methods(cls)}
    covered = EXERCISED & existing
    print(
        f"\nSDK coverage (prompts/tools/configs/voices): {len(covered)}/{len(existing)} methods exercised; "
        f"chats/chat_groups: {len(EXERCISED & extra)}/{len(extra)}"
    )
    assert len(existing) == 30, sorted(existing)  # 9 + 9 + 9 + 3 in hume 0.14.1
    assert covered == existing, f"not exercised: {sorted(existing - covered)}"
    assert EXERCISED & extra == extra, f"not exercised: {sorted(extra - EXERCISED)}"


def test_api_key_constant_is_what_the_server_expects() -> None:
    assert API_KEY  # the served emulator is configured with it; a wrong key is a 401 (above)
