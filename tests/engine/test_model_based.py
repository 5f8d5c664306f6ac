"""Model-based property test: nothing unmanaged is ever lost, over the whole field space of Hume's spec.

Each generated scenario:

1. makes an account with Hume's official SDK (``hume==0.14.1``, ``AsyncHumeClient``) against the
   emulator in process: tools with and without ``description``/``fallback_content``, prompts with and
   without ``prompt_expansion``, configs with every section (``language_model``, ``ellm_model``, voice
   by name and by id, ``tools`` pinned or following latest, ``builtin_tools``, ``event_messages``,
   ``timeouts``, ``nudges``, ``turn_detection``, ``interruption``, ``webhooks``), some with more versions;
2. runs a few steps, each: maybe a "dashboard" edit through the SDK; manifests (YAML files, prompt
   text inline or in ``text_file`` with LF or CRLF) that manage a random subset of resources and of
   their fields, with random values, explicit nulls, renames (``previous_names``), pinned or
   following references (so cascades), new resources; ``plan``; the plan saved and read back as JSON;
   ``apply`` of the saved plan; then the invariants.

The invariants, checked against complete reads (one GET per head, so list pages hide nothing):

- I1 every field (and nested key) a manifest sets equals it live; an explicit null is absent live,
  or Hume's default where one is known (``SERVER_DEFAULTS``);
- I2 every field (and nested key) a manifest leaves out keeps its value from before the apply
  (or, where it was absent, what the server fills in: ``SERVER_FILLS``), also on new versions;
- I3 the next plan is empty;
- I4 version counts are exactly what the plan said: +1 for each create/version change (at the
  predicted version), +0 for every other resource, no resource made or lost besides the plan's;
- I5 the plan decides as the model does: a managed resource gets a new version exactly when the
  model's expected content differs from its content before.

The model (``expected``) is written here from the documented semantics, not from humectl's
normalize.py. CI runs a bounded, derandomised number of scenarios; ``HUMECTL_MODEL_EXAMPLES=500``
runs more locally (``HUMECTL_MODEL_STEPS`` raises the steps per scenario).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig, create_app
from humectl.io.client import EviClient
from humectl.load.manifests import load_manifests
from humectl.model.plan import CREATE, VERSION, Plan
from humectl.ops.apply import apply_plan
from humectl.ops.plan import plan_live
from tests.emulator.spec_validator import SpecValidatingMiddleware, format_violations
from tests.engine.helpers import FAST_RETRY
from tests.hume_spec import optional_spec_validator

MAX_EXAMPLES = int(os.environ.get("HUMECTL_MODEL_EXAMPLES", "50"))  # CI: ~30 s on 2 cores
MAX_STEPS = int(os.environ.get("HUMECTL_MODEL_STEPS", "3"))
LATEST = "latest"
ABSENT = object()

# What the server reports for a field left out when it resets it (humectl's documented null
# semantics, docs/manifests.md): path -> value. A null elsewhere means "absent".
SERVER_DEFAULTS: dict[tuple[str, ...], Any] = {
    ("prompt_expansion",): {"enabled": True},
    ("prompt_expansion", "enabled"): True,
    ("tools",): [],
    ("builtin_tools",): [],
    ("webhooks",): [],
    ("ellm_model",): {"allow_short_responses": False},
    ("ellm_model", "allow_short_responses"): False,
    ("timeouts",): {
        "inactivity": {"enabled": True, "duration_secs": 120},
        "max_duration": {"enabled": True, "duration_secs": 1800},
    },
    ("timeouts", "inactivity"): {"enabled": True, "duration_secs": 120},
    ("timeouts", "max_duration"): {"enabled": True, "duration_secs": 1800},
    ("timeouts", "inactivity", "duration_secs"): 120,
    ("timeouts", "max_duration", "duration_secs"): 1800,
    ("event_messages",): {
        k: {"enabled": False} for k in ("on_new_chat", "on_inactivity_timeout", "on_max_duration_timeout")
    },
    **{
        ("event_messages", k): {"enabled": False}
        for k in ("on_new_chat", "on_inactivity_timeout", "on_max_duration_timeout")
    },
    ("nudges",): {"enabled": False},
    ("nudges", "enabled"): False,
}
# What the emulator fills in for a key left out of a section that is sent (docs/emulator.md).
SERVER_FILLS = SERVER_DEFAULTS

# ---- strategies: values over Hume's field space --------------------------------------------------

TRICKY = ["", " ", "  ", "\t", "\u00a0", "\r\n", "\u2028", "\u200b", "e\u0301", "\u00e9", "\n", "ü", "${x}"]
words = st.sampled_from(["Hello", "Be kind", "brief", "Ask first", "café", "end", "x"])
texts = st.lists(st.one_of(words, st.sampled_from(TRICKY)), min_size=1, max_size=6).map("".join).filter(str.strip)
short_texts = st.sampled_from(["Hi", "Bye.", "Still there?", "Time is up.", " padded ", "e\u0301"])
PARAMETERS = [
    {"type": "object"},
    {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
    {"type": "object", "properties": {"q": {"type": "string", "description": "query"}, "n": {"type": "integer"}}},
]
MODELS = [
    {"model_provider": "ANTHROPIC", "model_resource": "claude-3-7-sonnet-latest"},
    {"model_provider": "OPEN_AI", "model_resource": "gpt-4o"},
    {"model_provider": "GOOGLE", "model_resource": "gemini-2.5-flash"},
]
EVENT_KEYS = ("on_new_chat", "on_inactivity_timeout", "on_max_duration_timeout")
WEBHOOK_EVENTS = ["chat_started", "chat_ended", "tool_call"]


def subset(section: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A random subset of the keys of ``section`` (values drawn from their strategies)."""
    keys = sorted(section)
    return st.lists(st.sampled_from(keys), unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({k: section[k] for k in chosen})
    )


temperature = st.sampled_from([0.0, 0.3, 0.5, 1.0])
language_model = st.sampled_from(MODELS).flatmap(
    lambda m: st.fixed_dictionaries({}, optional={"temperature": temperature}).map(lambda t: {**m, **t})
)
event_message = st.fixed_dictionaries({"enabled": st.booleans()}, optional={"text": short_texts})
timeout = st.fixed_dictionaries({"enabled": st.booleans()}, optional={"duration_secs": st.sampled_from([30, 120, 900])})
webhook = st.fixed_dictionaries(
    {
        "url": st.sampled_from(["https://hooks.example.com/evi", "https://h.example.org/a?b=1"]),
        "events": st.lists(st.sampled_from(WEBHOOK_EVENTS), min_size=1, unique=True),
    }
)
builtin = st.fixed_dictionaries(
    {"name": st.sampled_from(["web_search", "hang_up"])}, optional={"fallback_content": short_texts}
)
CONFIG_SECTIONS: dict[str, st.SearchStrategy[Any]] = {
    "language_model": language_model,
    "ellm_model": st.fixed_dictionaries({"allow_short_responses": st.booleans()}),
    "builtin_tools": st.lists(builtin, max_size=2, unique_by=lambda b: b["name"]),
    "event_messages": subset({k: event_message for k in EVENT_KEYS}),
    "timeouts": subset({"inactivity": timeout, "max_duration": timeout}),
    "nudges": subset({"enabled": st.booleans(), "interval_secs": st.sampled_from([5, 30])}),
    "turn_detection": subset(
        {
            "end_of_turn_silence_ms": st.sampled_from([500, 800, 3000]),
            "prefix_padding_ms": st.sampled_from([0, 100]),
            "speech_detection_threshold": st.sampled_from([0.2, 0.5]),
        }
    ),
    "interruption": subset({"min_interruption_ms": st.sampled_from([50, 300, 2000])}),
    "webhooks": st.lists(webhook, max_size=2, unique_by=lambda w: w["url"]),
}
# Where a manifest may write null (the schema's nullable positions), by config section.
NULLABLE_KEYS: dict[str, tuple[str, ...]] = {
    "language_model": ("temperature",),
    "ellm_model": ("allow_short_responses",),
    "event_messages": EVENT_KEYS,
    "timeouts": ("inactivity", "max_duration"),
    "nudges": ("enabled", "interval_secs"),
    "turn_detection": ("end_of_turn_silence_ms", "prefix_padding_ms", "speech_detection_threshold"),
    "interruption": ("min_interruption_ms",),
}


# ---- the model: canonical views and the expected content ------------------------------------------


def strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def view(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The model's canonical content of one complete version, as Hume returns it."""
    out: dict[str, Any] = {}
    for key in KINDS[kind].content_fields:
        value = data.get(key)
        if value is None:
            continue
        if key == "parameters":
            value = json.loads(value)
        elif key == "prompt":
            value = (value["id"], LATEST if value.get("version_type") == "LATEST" else value["version"])
        elif key == "tools":
            value = sorted((t["id"], LATEST if t.get("version_type") == "LATEST" else t["version"]) for t in value)
        elif key == "voice":
            value = (value.get("provider") or "CUSTOM_VOICE", value["id"])
        elif key == "builtin_tools":
            value = sorted((b["name"], b.get("fallback_content")) for b in value)
        elif key == "webhooks":
            value = sorted((w["url"], tuple(sorted(w["events"]))) for w in value)
        else:
            value = strip(value)
        out[key] = value
    return out


def default_of(path: tuple[str, ...]) -> Any:
    return SERVER_DEFAULTS.get(path, ABSENT)


def merged(before: Any, overlay: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """``overlay`` (a manifest section: nulls kept) over ``before`` (a live section), as documented."""
    out = dict(before) if isinstance(before, dict) else {}
    for key, value in overlay.items():
        here = (*path, key)
        if value is None:
            default = default_of(here)
            if default is ABSENT:
                out.pop(key, None)
            elif key in out:
                out[key] = strip(default)
        elif isinstance(value, dict):
            inner = merged(out.get(key), value, here)
            if inner or key in out or not all(v is None for v in value.values()):
                out[key] = inner
        else:
            out[key] = value
    return out


class Refs:
    """Turns manifest references into the model's ``(id, version)`` once the plan's outcome is known."""

    def __init__(self, ids: dict[str, str], heads: dict[str, int]) -> None:
        self.ids = ids  # "prompt/name" (manifest name) -> id
        self.heads = heads  # id -> head version after the apply

    def __call__(self, target: str, ref: Any, live: Any) -> Any:
        name, version = (ref, None) if isinstance(ref, str) else (ref["name"], ref.get("version"))
        rid = self.ids[f"{target}/{name}"]
        if version is not None:
            return (rid, version)
        if isinstance(live, tuple) and live == (rid, LATEST):
            return live  # a live reference following latest keeps following it
        return (rid, self.heads[rid])


def manifest_view(kind: str, spec: dict[str, Any], refs: Refs, before: dict[str, Any], voices: dict[str, str]) -> dict:
    """The manifest entry's fields in the model's terms (nulls kept as None)."""
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if value is None or key in ("name", "previous_names"):
            out[key] = value
            continue
        if key == "prompt":
            out[key] = refs("prompt", value, before.get("prompt"))
        elif key == "tools":
            live = {r[0]: r for r in before.get("tools", [])}
            out[key] = sorted(
                refs("tool", t, live.get(refs.ids[f"tool/{t if isinstance(t, str) else t['name']}"])) for t in value
            )
        elif key == "voice":
            out[key] = (value["provider"], value.get("id") or voices[value["name"]])
        elif key == "builtin_tools":
            out[key] = sorted((b["name"], b.get("fallback_content")) for b in value)
        elif key == "webhooks":
            out[key] = sorted((w["url"], tuple(sorted(w["events"]))) for w in value)
        else:
            out[key] = value
    return out


def expected(kind: str, before: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The content after the apply: the manifest's fields over the live ones (the documented merge)."""
    out = dict(before)
    for key in KINDS[kind].content_fields:
        if key not in wanted:
            continue
        value = wanted[key]
        if value is None:
            default = default_of((key,))
            if default is ABSENT:
                out.pop(key, None)
            elif key in out:
                out[key] = strip(default) if key not in ("tools", "builtin_tools", "webhooks") else []
        elif isinstance(value, dict) and key != "parameters":  # parameters: one JSON Schema, replaced whole
            out[key] = merged(before.get(key), value, (key,))
            if not out[key] and key not in before and all(v is None for v in value.values()) and value:
                del out[key]
        else:
            out[key] = value
    return out


def agrees(want: Any, live: Any, path: tuple[str, ...]) -> list[str]:
    """Where ``live`` differs from the model's ``want``; a key the model has not but the server fills
    in (``SERVER_FILLS``) is fine."""
    if isinstance(want, dict) and isinstance(live, dict):
        problems: list[str] = []
        for key in sorted(set(want) | set(live)):
            here = (*path, key)
            if key not in want:
                if SERVER_FILLS.get(here, ABSENT) != live[key]:
                    problems.append(f"{'.'.join(here)}: live {live[key]!r}, model has it absent")
            elif key not in live:
                problems.append(f"{'.'.join(here)}: absent live, model {want[key]!r}")
            else:
                problems.extend(agrees(want[key], live[key], here))
        return problems
    return [] if want == live else [f"{'.'.join(path)}: live {live!r}, model {want!r}"]


# ---- the world: an emulator, Hume's SDK and humectl on it -------------------------------------------


class World:
    def __init__(self, tmp: Path) -> None:
        self.app = SpecValidatingMiddleware(create_app(EmulatorConfig()), optional_spec_validator())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://127.0.0.1")
        from hume import AsyncHumeClient

        self.sdk = AsyncHumeClient(api_key="test-key", base_url="http://127.0.0.1", httpx_client=self.http)
        self.evi = self.sdk.empathic_voice
        transport = httpx.ASGITransport(app=self.app)
        self.client = EviClient(
            Settings(base_url="http://127.0.0.1", api_key="test-key"), transport=transport, retry=FAST_RETRY
        )
        self.tmp = tmp
        self.runs = 0
        self.voices: dict[str, str] = {}  # library voice name -> id

    async def close(self) -> None:
        await self.client.aclose()
        await self.http.aclose()

    async def heads(self) -> dict[str, dict[str, Any]]:
        """Every live head, read whole (one GET each, not humectl's completion): "kind:id" -> data."""

        async def read(kind: str, item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            full = await self.client.get_version(KINDS[kind], str(item["id"]), int(item["version"]))
            return f"{kind}:{item['id']}", {**full, "kind": kind}

        kinds = ("tool", "prompt", "config")
        listed = await asyncio.gather(*(self.client.list_heads(KINDS[k]) for k in kinds))
        reads = [read(kind, item) for kind, items in zip(kinds, listed, strict=True) for item in items]
        found = await asyncio.gather(*reads)
        # By kind, then name: ids are random, and every draw that depends on this order must replay.
        return dict(sorted(found, key=lambda kv: (kinds.index(kv[1]["kind"]), str(kv[1]["name"]))))

    async def version_counts(self) -> dict[str, int]:
        out = {}
        for kind in ("tool", "prompt", "config"):
            k = KINDS[kind]
            for item in await self.client.list_all(k.api_path, k.page_key, {"restrict_to_most_recent": "false"}):
                key = f"{kind}:{item['id']}"
                out[key] = out.get(key, 0) + 1
        return out


# ---- building the account with the SDK ---------------------------------------------------------------


def sdk_config_body(draw: Callable[..., Any], world: World, tools: list[Any], prompts: list[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"evi_version": draw(st.sampled_from(["3", "4-mini"]))}
    if prompts and draw(st.booleans()):
        p = draw(st.sampled_from(prompts))
        body["prompt"] = {"id": p.id} if draw(st.booleans()) else {"id": p.id, "version": p.version}
    if tools and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(tools), max_size=2, unique_by=lambda t: t.id))
        body["tools"] = [{"id": t.id} if draw(st.booleans()) else {"id": t.id, "version": t.version} for t in chosen]
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(world.voices)))
        body["voice"] = (
            {"provider": "HUME_AI", "name": name}
            if draw(st.booleans())
            else {"provider": "HUME_AI", "id": world.voices[name]}
        )
    for key in draw(st.lists(st.sampled_from(sorted(CONFIG_SECTIONS)), unique=True)):
        body[key] = draw(CONFIG_SECTIONS[key])
    return body


async def make_account(draw: Callable[..., Any], world: World) -> None:
    pager = await world.sdk.tts.voices.list(provider="HUME_AI")
    async for voice in pager:
        world.voices[voice.name] = voice.id
        if len(world.voices) >= 4:
            break
    tools, prompts = [], []
    for i in range(draw(st.integers(0, 2))):
        extra = draw(st.fixed_dictionaries({}, optional={"description": short_texts, "fallback_content": short_texts}))
        tools.append(
            await world.evi.tools.create_tool(
                name=f"t{i}", parameters=json.dumps(draw(st.sampled_from(PARAMETERS))), **extra
            )
        )
    for i in range(draw(st.integers(1, 3))):
        extra = draw(
            st.fixed_dictionaries({}, optional={"prompt_expansion": st.fixed_dictionaries({"enabled": st.booleans()})})
        )
        made = await world.evi.prompts.create_prompt(name=f"p{i}", text=draw(texts), **extra)
        if draw(st.booleans()):  # a later dashboard version
            made = await world.evi.prompts.create_prompt_version(made.id, text=draw(texts), **extra)
        prompts.append(made)
    for i in range(draw(st.integers(1, 2))):
        made = await world.evi.configs.create_config(name=f"c{i}", **sdk_config_body(draw, world, tools, prompts))
        if draw(st.booleans()):
            await world.evi.configs.create_config_version(made.id, **sdk_config_body(draw, world, tools, prompts))


async def dashboard_edit(draw: Callable[..., Any], world: World, heads: dict[str, dict[str, Any]]) -> None:
    """Someone edits one resource in the dashboard: a new version through the SDK, partly changed."""
    key = draw(st.sampled_from(list(heads)))
    data = heads[key]
    kind, rid = data["kind"], str(data["id"])
    if kind == "prompt":
        extra = draw(
            st.fixed_dictionaries({}, optional={"prompt_expansion": st.fixed_dictionaries({"enabled": st.booleans()})})
        )
        await world.evi.prompts.create_prompt_version(rid, text=draw(texts), **extra)
    elif kind == "tool":
        extra = draw(st.fixed_dictionaries({}, optional={"description": short_texts}))
        await world.evi.tools.create_tool_version(rid, parameters=data["parameters"], **extra)
    else:
        tools = [_Obj(h["id"], h["version"]) for h in heads.values() if h["kind"] == "tool"]
        prompts = [_Obj(h["id"], h["version"]) for h in heads.values() if h["kind"] == "prompt"]
        await world.evi.configs.create_config_version(rid, **sdk_config_body(draw, world, tools, prompts))


class _Obj:
    def __init__(self, rid: str, version: int) -> None:
        self.id, self.version = rid, version


# ---- manifests ---------------------------------------------------------------------------------


def with_nulls(draw: Callable[..., Any], section: str, value: dict[str, Any]) -> dict[str, Any]:
    nullable = [k for k in NULLABLE_KEYS.get(section, ()) if draw(st.integers(0, 4)) == 0]
    return {**value, **{k: None for k in nullable}}


def draw_manifests(
    draw: Callable[..., Any], world: World, heads: dict[str, dict[str, Any]], number: int
) -> dict[str, Any]:
    """Manifest entries (kind -> [entry]) over a random part of the account, and text files to write."""
    entries: dict[str, list[dict[str, Any]]] = {"tool": [], "prompt": [], "config": []}
    files: dict[str, bytes] = {}
    managed: dict[str, str] = {}  # "kind/manifest name" -> id, of every entry (so unpinned refs resolve)
    live_names = {(h["kind"], h["name"]) for h in heads.values()}
    for key in sorted(heads, key=lambda k: ("tool", "prompt", "config").index(heads[k]["kind"])):
        data = heads[key]
        kind, name = data["kind"], str(data["name"])
        if not draw(st.integers(0, 3)):
            continue  # left out of the manifests: unmanaged
        entry: dict[str, Any] = {"name": name}
        new_name = f"{name}-r{number}"
        if draw(st.integers(0, 4)) == 0 and (kind, new_name) not in live_names:
            entry = {"name": new_name, "previous_names": [name]}
        if kind == "prompt":
            text = data["text"] if draw(st.booleans()) else draw(texts)
            if draw(st.booleans()) and "\r" not in text and text.strip():
                path = f"prompts/{entry['name']}.md"
                files[path] = (text.replace("\n", "\r\n") if draw(st.booleans()) else text).encode()
                entry["text_file"] = path
            else:
                entry["text"] = text.replace("${", "$${")
            choice = draw(st.integers(0, 3))
            if choice == 1:
                entry["prompt_expansion"] = {"enabled": draw(st.booleans())}
            elif choice == 2:
                entry["prompt_expansion"] = draw(st.sampled_from([None, {"enabled": None}]))
        elif kind == "tool":
            entry["parameters"] = draw(st.sampled_from([json.loads(data["parameters"]), *PARAMETERS]))
            for field in ("description", "fallback_content"):
                choice = draw(st.integers(0, 3))
                if choice == 1:
                    entry[field] = draw(short_texts)
                elif choice == 2:
                    entry[field] = None
        else:
            entry["evi_version"] = draw(st.sampled_from(["3", "4-mini"]))
            entry.update(draw_config_fields(draw, world, heads, managed))
        managed[f"{kind}/{entry['name']}"] = str(data["id"])
        entries[kind].append(entry)
    if draw(st.integers(0, 3)) == 0:  # a brand-new prompt and a config following it
        entries["prompt"].append({"name": f"fresh{number}", "text": draw(texts).replace("${", "$${")})
        entries["config"].append({"name": f"fresh-desk{number}", "evi_version": "3", "prompt": f"fresh{number}"})
    return {"entries": entries, "files": files, "managed": managed}


def draw_config_fields(
    draw: Callable[..., Any], world: World, heads: dict[str, dict[str, Any]], managed: dict[str, str]
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    prompts = [h for h in heads.values() if h["kind"] == "prompt"]
    managed_prompts = [a.partition("/")[2] for a in managed if a.startswith("prompt/")]
    choice = draw(st.integers(0, 4))
    if choice == 1 and managed_prompts:
        fields["prompt"] = draw(st.sampled_from(managed_prompts))  # follows: cascades
    elif choice == 2 and prompts:
        p = draw(st.sampled_from(prompts))
        name = next((a.partition("/")[2] for a, rid in managed.items() if rid == str(p["id"])), p["name"])
        fields["prompt"] = {"name": name, "version": draw(st.integers(0, int(p["version"])))}  # pinned
    elif choice == 3:
        fields["prompt"] = None
    managed_tools = [a.partition("/")[2] for a in managed if a.startswith("tool/")]
    choice = draw(st.integers(0, 3))
    if choice == 1:
        fields["tools"] = draw(st.lists(st.sampled_from(managed_tools), unique=True)) if managed_tools else []
        tools = [h for h in heads.values() if h["kind"] == "tool"]
        if tools and draw(st.booleans()):  # one more, pinned to a version (managed or not)
            t = draw(st.sampled_from(tools))
            name = next((a.partition("/")[2] for a, rid in managed.items() if rid == str(t["id"])), t["name"])
            if name not in fields["tools"]:
                fields["tools"].append({"name": name, "version": draw(st.integers(0, int(t["version"])))})
    elif choice == 2:
        fields["tools"] = None
    choice = draw(st.integers(0, 3))
    if choice == 1:
        name = draw(st.sampled_from(sorted(world.voices)))
        fields["voice"] = (
            {"provider": "HUME_AI", "name": name}
            if draw(st.booleans())
            else {"provider": "HUME_AI", "id": world.voices[name]}
        )
    elif choice == 2:
        fields["voice"] = None
    for key in draw(st.lists(st.sampled_from(sorted(CONFIG_SECTIONS)), unique=True)):
        roll = draw(st.integers(0, 5))
        if roll == 0:
            fields[key] = None
        else:
            value = draw(CONFIG_SECTIONS[key])
            fields[key] = with_nulls(draw, key, value) if isinstance(value, dict) else value
    return fields


def write_manifests(directory: Path, drawn: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for path in list(directory.rglob("*")):
        if path.is_file():
            path.unlink()
    doc = {KINDS[k].plural: v for k, v in drawn["entries"].items() if v}
    (directory / "evi.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for rel, content in drawn["files"].items():
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        (directory / rel).write_bytes(content)


# ---- one scenario ---------------------------------------------------------------------------


def spec_of(kind: str, entry: dict[str, Any], root: Path) -> dict[str, Any]:
    """The manifest entry's content fields as the model reads them (text files read, newlines normalised)."""
    spec = {k: v for k, v in entry.items() if k not in ("name", "previous_names", "text_file")}
    if "text_file" in entry:
        raw = (root / entry["text_file"]).read_bytes().decode()
        spec["text"] = raw.replace("\r\n", "\n").replace("\r", "\n")
    elif "text" in entry:
        spec["text"] = entry["text"].replace("$${", "${")
    return spec


async def step(draw: Callable[..., Any], world: World, number: int) -> None:
    heads = await world.heads()
    if draw(st.integers(0, 2)) == 0:
        await dashboard_edit(draw, world, heads)
        heads = await world.heads()
    counts = await world.version_counts()
    drawn = draw_manifests(draw, world, heads, number)
    root = world.tmp / f"step{number}"
    write_manifests(root, drawn)
    desired = load_manifests(root)
    world.runs += 1
    plan, _ = await plan_live(world.client, desired, run_id=f"model{world.runs:04d}")
    saved = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))  # what `plan --out` / `apply FILE` do
    report, results = await apply_plan(saved, world.client, parallelism=4)
    assert not report.failed, report.to_dict()
    after = await world.heads()
    new_counts = await world.version_counts()

    by_address = {c.address: c for c in plan.changes}
    # I4: version counts exactly as the plan said; nothing made or lost besides its creates.
    made = {f"{c.kind}:{results[c.address].id}" for c in plan.changes if c.action == CREATE}
    assert set(new_counts) == set(counts) | made, (sorted(counts), sorted(new_counts), sorted(made))
    for key in made:
        assert new_counts[key] == 1
    versioned = {f"{c.kind}:{c.live_id}": c for c in plan.changes if c.action == VERSION}
    for key, count in counts.items():
        change = versioned.get(key)
        assert new_counts[key] == count + (1 if change else 0), (key, count, new_counts[key], change and change.address)
        if change is not None:
            assert int(after[key]["version"]) == change.predicted_version

    # The references of the model: manifest names -> ids, and the head versions after the apply.
    ids = dict(drawn["managed"])
    for c in plan.changes:
        if c.action == CREATE:
            ids[c.address] = results[c.address].id
    for data in heads.values():
        ids.setdefault(f"{data['kind']}/{data['name']}", str(data["id"]))
    refs = Refs(ids, {str(d["id"]): int(d["version"]) for d in after.values()})

    for kind, kind_entries in drawn["entries"].items():
        for entry in kind_entries:
            address = f"{kind}/{entry['name']}"
            key = f"{kind}:{ids[address]}"
            before = view(kind, heads[key]) if key in heads else {}
            wanted = manifest_view(kind, spec_of(kind, entry, root), refs, before, world.voices)
            want = expected(kind, before, wanted)
            live = view(kind, after[key])
            # I1 + I2: the manifest's fields as it says, every other field as it was.
            problems = agrees(want, live, ())
            assert not problems, (address, problems, wanted)
            assert after[key]["name"] == entry["name"]
            # I5: a new version exactly when the model's content differs from the content before.
            if key in heads:
                change = by_address.get(address)
                assert (change is not None and change.action == VERSION) == (agrees(want, before, ()) != []), (
                    address,
                    change and change.fields,
                    agrees(want, before, ()),
                )

    # Resources left out of the manifests are untouched (same version, same content).
    touched = {f"{c.kind}:{c.live_id}" for c in plan.changes}
    for key, data in heads.items():
        if key not in touched:
            assert after[key]["version"] == data["version"] and view(data["kind"], after[key]) == view(
                data["kind"], data
            )

    # I3: converged.
    again, _ = await plan_live(world.client, desired, run_id=f"model{world.runs:04d}-again")
    assert not again.has_changes, [(c.address, c.reasons, [f.to_dict() for f in c.fields]) for c in again.changes]


PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + (
    [] if os.environ.get("HUMECTL_MODEL_NO_SHRINK") else [Phase.shrink]
)


@pytest.mark.slow
@pytest.mark.timeout(900)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_nothing_unmanaged_is_lost(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("model")

    async def scenario() -> None:
        world = World(tmp)
        try:
            await make_account(data.draw, world)
            for number in range(data.draw(st.integers(1, MAX_STEPS), label="steps")):
                await step(data.draw, world, number)
        finally:
            await world.close()
        assert not world.app.violations, format_violations(world.app.violations)

    asyncio.run(scenario())
