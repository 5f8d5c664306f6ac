"""The benchmark's account: its sizes and content, seeded into the emulator's store, and the manifests
that describe it (in memory for the in-process plan, as files for the whole commands).

Every resource's content is a function of its index, so the store and the manifests agree without
sharing state: the matching manifests plan no change (the benchmark checks it).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGE = 100  # the API's largest page size
KINDS = 3
VERSIONS = 3  # versions seeded per resource (the head is the last)
EDIT_EVERY = 10  # prompts i % 10 == 0 are edited in the "10 % edited" variant
TEXT_FILE_EVERY = 10  # prompts i % 10 == 5 keep their text in a file (text_file) on disk
ENTRIES_PER_FILE = 100  # manifest files on disk hold this many entries of one kind


@dataclass(frozen=True)
class Sizes:
    prompts: int
    tools: int
    configs: int

    @property
    def total(self) -> int:
        return self.prompts + self.tools + self.configs

    def minimum_requests(self) -> int:
        """The list pages of the three kinds: ``total_pages`` cannot be trusted, so pages are read on while
        they come back full, and a kind whose last page is exactly full costs one more (empty) page."""
        return sum(n // PAGE + 1 for n in (self.prompts, self.tools, self.configs))

    def edited_heads(self) -> int:
        """Prompts the "10 % edited" manifests change: each costs one read of its head's full content."""
        return len(range(0, self.prompts, EDIT_EVERY))

    def rounds(self, parallelism: int, reads: int = 0) -> int:
        """Round trips at best: every kind's first page together, then everything else ``parallelism`` at a
        time (``reads``: single-resource reads on top of the pages)."""
        return 1 + math.ceil((self.minimum_requests() - KINDS + reads) / parallelism)

    def latency_bound(self, parallelism: int, latency_s: float, reads: int = 0) -> float:
        return self.rounds(parallelism, reads) * latency_s

    def to_dict(self) -> dict[str, int]:
        return {"prompts": self.prompts, "tools": self.tools, "configs": self.configs}


def scaled(configs: int) -> Sizes:
    """An account shaped like the main one: as many prompts as configs, 0.3 tools per config."""
    return Sizes(prompts=configs, tools=max(1, (configs * 3) // 10), configs=configs)


_PROMPT_BODY = (
    "You are a calm, precise support agent for a company that sells home energy equipment. "
    "Greet the caller, find out what they need, and keep answers short enough to be spoken aloud. "
    "Never invent order numbers, prices or delivery dates; look them up or say you cannot. "
    "If the caller is upset, acknowledge it once, then move to the next concrete step. "
)


def prompt_name(i: int) -> str:
    return f"agent-{i:05d}"


def tool_name(i: int) -> str:
    return f"lookup_{i:05d}"


def config_name(i: int) -> str:
    return f"desk-{i:05d}"


def prompt_text(i: int, version: int, edited: bool = False) -> str:
    """About 1 KB per prompt; the head (version VERSIONS-1) is what the manifests say."""
    lines = [f"# Agent {i}", _PROMPT_BODY * 2, f"Team: {i % 17}. Region: {i % 5}."]
    if version < VERSIONS - 1:
        lines.append(f"(draft {version})")
    if edited:
        lines.append("Always confirm the caller's postcode before looking anything up.")
    return "\n".join(lines) + "\n"


def tool_parameters(i: int) -> str:
    params = {
        "type": "object",
        "properties": {
            "order_id": {"type": "string", "description": f"The order id (system {i % 7})"},
            "include_history": {"type": "boolean"},
        },
        "required": ["order_id"],
    }
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def tool_description(i: int, version: int) -> str:
    suffix = "" if version == VERSIONS - 1 else f" (draft {version})"
    return f"Look up an order in system {i % 7}{suffix}."


def config_prompt(i: int, sizes: Sizes) -> int:
    return i % sizes.prompts


def config_tools(i: int, sizes: Sizes) -> list[int]:
    return sorted({i % sizes.tools, (i * 7 + 3) % sizes.tools})


def config_fields(i: int, version: int) -> dict[str, Any]:
    """The config fields besides references; versions differ in temperature and greeting."""
    head = version == VERSIONS - 1
    return {
        "evi_version": "3",
        "voice": {"provider": "HUME_AI", "name": "ITO"},
        "language_model": {
            "model_provider": "ANTHROPIC",
            "model_resource": "claude-3-7-sonnet-latest",
            "temperature": 0.6 if head else 0.2 + 0.1 * version,
        },
        "event_messages": {"on_new_chat": {"enabled": True, "text": f"Hi, this is desk {i}."}},
        "timeouts": {"inactivity": {"enabled": True, "duration_secs": 120}},
    }


def seed_account(db: str, sizes: Sizes) -> None:
    """Write the account straight into the emulator's store, through the emulator's own builders."""
    from humectl.emulator.configs import build_config_content
    from humectl.emulator.store import Store

    store = Store(db)
    try:
        prompt_ids: list[tuple[str, int]] = []
        for i in range(sizes.prompts):
            row = store.create_resource("prompt", prompt_name(i), {"text": prompt_text(i, 0)}, None)
            for v in range(1, VERSIONS):
                last = store.create_version("prompt", row.id, {"text": prompt_text(i, v)}, None)
                assert last is not None
            prompt_ids.append((row.id, VERSIONS - 1))
        tool_ids: list[tuple[str, int]] = []
        for i in range(sizes.tools):
            content = {"parameters": tool_parameters(i), "description": None, "fallback_content": None}
            row = store.create_resource("tool", tool_name(i), {**content, "description": tool_description(i, 0)}, None)
            for v in range(1, VERSIONS):
                store.create_version("tool", row.id, {**content, "description": tool_description(i, v)}, None)
            tool_ids.append((row.id, VERSIONS - 1))
        for i in range(sizes.configs):
            pid, pversion = prompt_ids[config_prompt(i, sizes)]
            refs = {
                "prompt": {"id": pid, "version": pversion},
                "tools": [{"id": tool_ids[t][0], "version": tool_ids[t][1]} for t in config_tools(i, sizes)],
            }
            content, _ = build_config_content(store, {**config_fields(i, 0), **refs}, previous=None)
            row = store.create_resource("config", config_name(i), content, None)
            previous = row
            for v in range(1, VERSIONS):
                content, _ = build_config_content(store, {**config_fields(i, v), **refs}, previous=previous)
                made = store.create_version("config", row.id, content, None)
                assert made is not None
                previous = made
    finally:
        store.close()


def build_manifests(sizes: Sizes, edited: bool) -> Any:
    """The desired state as a ManifestSet in memory (as tests/engine/helpers.py builds them)."""
    from humectl.model.desired import DesiredResource, ManifestSet, Source

    src = Source("bench.yaml", 1, 1)
    resources = []
    spec: dict[str, Any]
    for i in range(sizes.prompts):
        text = prompt_text(i, VERSIONS - 1, edited=edited and i % EDIT_EVERY == 0)
        resources.append(DesiredResource(kind="prompt", name=prompt_name(i), spec={"text": text}, source=src))
    for i in range(sizes.tools):
        spec = {"parameters": tool_parameters(i), "description": tool_description(i, VERSIONS - 1)}
        resources.append(DesiredResource(kind="tool", name=tool_name(i), spec=spec, source=src))
    for i in range(sizes.configs):
        spec = {
            **config_fields(i, VERSIONS - 1),
            "prompt": {"name": prompt_name(config_prompt(i, sizes))},
            "tools": [{"name": tool_name(t)} for t in config_tools(i, sizes)],
        }
        resources.append(DesiredResource(kind="config", name=config_name(i), spec=spec, source=src))
    return ManifestSet(root=Path("."), resources=resources)


def creates_manifests(n: int) -> Any:
    from humectl.model.desired import DesiredResource, ManifestSet, Source

    src = Source("bench.yaml", 1, 1)
    return ManifestSet(
        root=Path("."),
        resources=[
            DesiredResource(kind="prompt", name=f"new-{i:05d}", spec={"text": prompt_text(i, 0)}, source=src)
            for i in range(n)
        ],
    )


# ---- the manifests as files (what a user's repository holds) --------------------------------------


def _block(text: str, indent: str) -> str:
    """``text`` as a YAML literal block (``|``) at ``indent``; the texts here end with one newline."""
    assert text.endswith("\n") and not text.endswith("\n\n")
    return "|\n" + "".join(f"{indent}{line}\n" if line else "\n" for line in text[:-1].split("\n"))


def _prompt_entry(i: int, edited: bool, text_dir: Path) -> str:
    text = prompt_text(i, VERSIONS - 1, edited=edited and i % EDIT_EVERY == 0)
    if i % TEXT_FILE_EVERY == TEXT_FILE_EVERY // 2:
        (text_dir / f"{prompt_name(i)}.md").write_text(text, encoding="utf-8")
        return f"  - name: {prompt_name(i)}\n    text_file: text/{prompt_name(i)}.md\n"
    return f"  - name: {prompt_name(i)}\n    text: {_block(text, '      ')}"


def _tool_entry(i: int) -> str:
    return (
        f"  - name: {tool_name(i)}\n"
        f"    description: {tool_description(i, VERSIONS - 1)}\n"
        "    parameters:\n"
        "      type: object\n"
        "      properties:\n"
        f"        order_id: {{type: string, description: The order id (system {i % 7})}}\n"
        "        include_history: {type: boolean}\n"
        "      required: [order_id]\n"
    )


def _config_entry(i: int, sizes: Sizes) -> str:
    fields = config_fields(i, VERSIONS - 1)
    model = fields["language_model"]
    tools = ", ".join(tool_name(t) for t in config_tools(i, sizes))
    return (
        f"  - name: {config_name(i)}\n"
        f'    evi_version: "{fields["evi_version"]}"\n'
        f"    prompt: {prompt_name(config_prompt(i, sizes))}\n"
        f"    tools: [{tools}]\n"
        f"    voice: {{provider: {fields['voice']['provider']}, name: {fields['voice']['name']}}}\n"
        "    language_model:\n"
        f"      model_provider: {model['model_provider']}\n"
        f"      model_resource: {model['model_resource']}\n"
        f"      temperature: {model['temperature']}\n"
        "    event_messages:\n"
        f'      on_new_chat: {{enabled: true, text: "{fields["event_messages"]["on_new_chat"]["text"]}"}}\n'
        "    timeouts:\n"
        "      inactivity: {enabled: true, duration_secs: 120}\n"
    )


def write_manifests(root: Path, sizes: Sizes, *, edited: bool = False) -> int:
    """The account as a manifest directory: ``prompts/``, ``tools/``, ``configs/``, each file holding
    :data:`ENTRIES_PER_FILE` entries of one kind; every tenth prompt keeps its text in a ``.md`` file
    (``text_file``). Returns the number of YAML files written."""
    text_dir = root / "prompts" / "text"
    text_dir.mkdir(parents=True, exist_ok=True)
    files = 0
    lists: list[tuple[str, str, int, Any]] = [
        ("prompts", "agents", sizes.prompts, lambda i: _prompt_entry(i, edited, text_dir)),
        ("tools", "lookups", sizes.tools, _tool_entry),
        ("configs", "desks", sizes.configs, lambda i: _config_entry(i, sizes)),
    ]
    for plural, stem, count, entry in lists:
        (root / plural).mkdir(parents=True, exist_ok=True)
        for start in range(0, count, ENTRIES_PER_FILE):
            body = "".join(entry(i) for i in range(start, min(count, start + ENTRIES_PER_FILE)))
            header = "# yaml-language-server: $schema=../schemas/manifest.schema.json\n"
            path = root / plural / f"{stem}-{start // ENTRIES_PER_FILE:04d}.yaml"
            path.write_text(f"{header}{plural}:\n{body}", encoding="utf-8")
            files += 1
    return files
