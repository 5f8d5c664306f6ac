"""``humectl export``: read every live head in full, write manifests for them (keeping the manifest-only
settings of manifests already in the directory), and check the round trip (the written files, loaded
and planned against the same account, change nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from humectl.decide.export import ExportResult, render_export
from humectl.decide.planner import build_plan
from humectl.io.client import EviClient
from humectl.io.files import write_files
from humectl.io.listing import complete_heads, fetch_live_state
from humectl.load.existing import manifest_only_settings
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions
from humectl.model.live import LiveState


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """What to export and how (the flags of ``export``)."""

    selectors: tuple[str, ...] = ()  # export only these addresses and what they reference
    schema_ref: str | None = None  # point the $schema line here instead of writing a copy beside the files
    force: bool = False  # overwrite files that exist
    # Sensitive values (name -> value): written as ${NAME} wherever a live value holds one, never as values.
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ExportOutcome:
    result: ExportResult
    differences: list[str]  # what `humectl plan` on the written files would change (empty: exact)
    # Exported resources humectl manages for another scope (an environment's): the same files' plan in
    # the account scope refuses to take them over, though nothing in them differs.
    other_scopes: list[str] = field(default_factory=list)


async def export_live(client: EviClient) -> LiveState:
    """The live heads, each complete (``listing.complete_heads``): an export writes every field."""
    live = await fetch_live_state(client)
    await complete_heads(client, live.resources.values())
    return live


def verify_export(
    directory: str | Path, live: LiveState, addresses: Iterable[str], secrets: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """Load the written manifests (with ``secrets`` for their ``${NAME}``) and plan them against
    ``live``: what would change (empty = exact), and the exported resources another scope manages,
    whose content round-trips but which a plan of these files in the account scope refuses to take
    over (the planner's foreign_scope), so export says so rather than "no changes".

    A load failure (ManifestError) propagates: files that do not even load are a bug, not a diff.
    """
    desired = load_manifests(directory, LoadOptions(secret_variables=dict(secrets or {})))
    exported = set(addresses)
    plan = build_plan(desired, live, run_id="export-check")
    differences, other_scopes = [], []
    for c in plan.changes:
        if c.address not in exported:
            continue
        if c.blocked_by and not c.fields:
            other_scopes.append(c.address)
        else:
            differences.append(f"{c.address}: {c.action} ({'; '.join(c.reasons)})")
    return differences, other_scopes


def write_export(result: ExportResult, directory: str | Path, *, force: bool = False) -> list[Path]:
    """Write every file of ``result`` into ``directory``; without ``force`` refuse (before writing
    anything) if one already exists; never write outside it (:func:`humectl.io.files.write_files`)."""
    return write_files(directory, ((f.path, f.content) for f in result.files), force=force)


async def export_account(client: EviClient, directory: str | Path, options: ExportOptions) -> ExportOutcome:
    """Read every live head (complete), write the manifests into ``directory`` (refusing existing files
    unless ``force``), then load them back and plan them against the same account."""
    live = await export_live(client)
    result = render_export(
        live,
        selectors=options.selectors,
        schema_ref=options.schema_ref,
        secrets=options.secrets,
        kept=manifest_only_settings(directory),  # what manifests already there say that live does not
    )
    write_export(result, directory, force=options.force)
    if not result.addresses:  # an empty account: only the schema copy, no manifest to load back
        return ExportOutcome(result, [])
    differences, other_scopes = verify_export(directory, live, result.addresses, options.secrets)
    return ExportOutcome(result, differences, other_scopes)
