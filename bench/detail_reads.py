"""Reads a plan adds to complete live heads (Hume's list pages leave a prompt's ``prompt_expansion`` out).

An account of N prompts (default 1,000), every one with a non-default ``prompt_expansion``
(``{enabled: false}``), made through the API in an in-process emulator; then three plans:

  (a) manifests set only ``text``, nothing changed;
  (b) the same with one prompt's text edited;
  (c) manifests that set ``prompt_expansion`` (unchanged) as well.

For each: the version reads (``GET …/prompts/{id}/version/{v}``) and all requests the plan sent,
from the emulator's own counters. Prints a table and one JSON line.

    python bench/detail_reads.py [--prompts 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from humectl.core.kinds import KINDS
from humectl.emulator.app import EmulatorConfig, create_app
from humectl.io.client import EviClient
from humectl.model.desired import DesiredResource, ManifestSet, Source
from humectl.ops.plan import plan_live

READ = "GET /v0/evi/prompts/{id}/version/{version}"


def manifests(count: int, *, edited: int | None = None, expansion: bool = False) -> ManifestSet:
    resources = []
    for i in range(count):
        spec: dict[str, Any] = {"text": f"Prompt {i}.\n" + ("Edited.\n" if i == edited else "")}
        if expansion:
            spec["prompt_expansion"] = {"enabled": False}
        resources.append(DesiredResource("prompt", f"p{i:04d}", spec, Source("bench.yaml", i + 1, 1)))
    return ManifestSet(root=Path("."), resources=resources)


async def run(count: int) -> dict[str, Any]:
    from humectl.core.settings import Settings

    app = create_app(EmulatorConfig())
    transport = httpx.ASGITransport(app=app)
    settings = Settings(base_url="http://127.0.0.1", api_key="bench", parallelism=8)
    async with EviClient(settings, transport=transport) as client:
        body = {"prompt_expansion": {"enabled": False}}
        for start in range(0, count, 50):
            await asyncio.gather(
                *(
                    client.create(KINDS["prompt"], {"name": f"p{i:04d}", "text": f"Prompt {i}.\n", **body})
                    for i in range(start, min(start + 50, count))
                )
            )

        async def stats() -> dict[str, Any]:
            data: dict[str, Any] = await client.get("/_emulator/stats")
            return data

        out: dict[str, Any] = {"prompts": count}
        cases = {
            "a_text_only_unchanged": manifests(count),
            "b_one_text_edit": manifests(count, edited=7),
            "c_manifests_set_prompt_expansion": manifests(count, expansion=True),
        }
        for label, desired in cases.items():
            before = await stats()
            plan, _ = await plan_live(client, desired, run_id=f"bench-{label}")
            after = await stats()
            reads = after["requests"].get(READ, 0) - before["requests"].get(READ, 0)
            out[label] = {
                "version_reads": reads,
                "requests": after["total"] - before["total"] - 1,  # less the stats read itself
                "changes": len(plan.changes),
                "carries_prompt_expansion": all(
                    c.content.get("prompt_expansion") == {"enabled": False} for c in plan.changes
                ),
            }
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=1000)
    args = parser.parse_args()
    result = asyncio.run(run(args.prompts))
    print(f"account: {result['prompts']} prompts, each with prompt_expansion {{enabled: false}}")
    print(f"{'plan':40} {'version reads':>14} {'requests':>9} {'changes':>8}")
    for label, figures in result.items():
        if isinstance(figures, dict):
            print(f"{label:40} {figures['version_reads']:>14} {figures['requests']:>9} {figures['changes']:>8}")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
