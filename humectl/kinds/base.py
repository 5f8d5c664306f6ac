"""What a kind is: the :class:`Kind` record (facts and behaviour) every kind module fills in.

A kind's behaviour is plain functions its module (:mod:`humectl.kinds.prompt`, ``tool``, ``config``)
points at from its :class:`Kind`: how a manifest entry becomes the API-shaped spec, the semantic
checks of its entries, and how a live version is written back as a manifest entry. Code elsewhere
calls them through the registry (``KINDS[name].build_spec(...)``) and never branches on a kind's
name. The functions import the modules they build on (:mod:`humectl.rules`, :mod:`humectl.manifest`)
when they run, since those modules read the registry when they are imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from humectl.errors import Problem
    from humectl.manifest import EntryPositions
    from humectl.rules import Allowances, ManifestEntry

# manifest entry, the manifest root (resolved), its positions -> (spec, problems)
SpecBuilder = Callable[["ManifestEntry", Path, "EntryPositions"], "tuple[dict[str, Any], list[Problem]]"]
# manifest entry, the allowances of this run (validate --allow-model/--allow-voice) -> problems
EntryChecks = Callable[["ManifestEntry", "Allowances"], "list[Problem]"]
# name, canonical live content, the raw live version, notes to add to -> the manifest entry (or None:
# the generic layout, content fields in registry order with defaults left out and references by name)
EntryWriter = Callable[[str, Mapping[str, Any], Mapping[str, Any], list[str]], dict[str, Any]]


@dataclass(frozen=True)
class Reference:
    """A field of one kind that points at resources of another kind."""

    field: str  # the API/manifest field name, e.g. "prompt" or "tools"
    target: str  # the kind it points at, e.g. "prompt"
    many: bool  # a list of references (tools) or a single one (prompt)


@dataclass(frozen=True)
class TextFile:
    """A text field a manifest may keep in a file of its own (a prompt's ``text`` as ``text_file``)."""

    field: str  # the API field, "text"
    key: str  # the manifest key naming the file, "text_file"
    directory: str  # where export writes these files, "prompts"


@dataclass(frozen=True)
class RiskRule:
    """One of the kind's default risk rules (:mod:`humectl.risk` judges them; docs/review.md lists them).

    ``fields`` are dotted paths of the kind's content the rule covers; a ``predicate`` (a name in
    ``humectl.risk.PREDICATES``) decides instead when it fires, on ``fields[0]`` when it names one."""

    id: str  # "config.voice": what policy.risk and policy.deny name
    level: str  # "high" | "medium" | "low"
    words: str  # what it means, for people
    fields: tuple[str, ...] = ()
    predicate: str | None = None


def no_checks(entry: ManifestEntry, allowed: Allowances) -> list[Problem]:
    return []


@dataclass(frozen=True)
class Kind:
    """One kind of resource: its API facts, and (through functions) its behaviour."""

    name: str  # "prompt"
    plural: str  # "prompts": manifest top-level key and API path segment
    api_path: str  # "/v0/evi/prompts"
    page_key: str  # "prompts_page"
    content_fields: tuple[str, ...]  # fields whose change makes a new version (in display order)
    build_spec: SpecBuilder  # manifest entry -> the spec the planner diffs (DesiredResource.spec)
    checks: EntryChecks = no_checks  # the kind's own semantic checks (names and references are common)
    # Export's layout of one entry; None: the generic one (humectl.export.manifest_entry).
    write_entry: EntryWriter | None = None
    text_file: TextFile | None = None
    references: tuple[Reference, ...] = ()
    # Content fields Hume's list endpoints leave out (the list item schema lacks them). A head is read
    # on its own (live.complete_versions) when the manifest sets one, or when humectl makes a new
    # version of it (which must carry the live value of every field the manifest leaves out).
    detail_fields: tuple[str, ...] = ()
    # What the server reports for a field the request left out (Hume's create example, §7.2, and
    # its spec's documented defaults); nested: a key of a section falls back to the section's default.
    # Export leaves values equal to these out; an explicit null in a manifest resets to them.
    defaults: dict[str, Any] = field(default_factory=dict)
    # A name humectl keeps for itself in this kind (the account lock, humectl/lock.py): that name and
    # ``<name>:<scope>`` never appear in live state, and no manifest may use them.
    reserved_name: str | None = None
    # Defaults of keys inside a section that itself has none (``nudges.enabled`` when ``nudges`` is given).
    member_defaults: dict[str, Any] = field(default_factory=dict)
    # How much a change of this kind matters to callers (humectl.risk), most specific field rules win.
    risk_rules: tuple[RiskRule, ...] = ()

    @property
    def export_file(self) -> str:
        """The manifest file export writes this kind's entries to."""
        return f"{self.plural}.yaml"

    def address(self, name: str) -> str:
        return f"{self.name}/{name}"

    def is_reserved(self, name: str) -> bool:
        reserved = self.reserved_name
        return reserved is not None and (name == reserved or name.startswith(reserved + ":"))

    def default_at(self, path: tuple[str, ...]) -> tuple[bool, Any]:
        """``(True, value)`` when the server's value for ``path`` left out is known, else ``(False, None)``.

        This is what an explicit ``null`` in a manifest resets a field to.
        """
        node: Any = self.defaults
        for part in path:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            return True, node
        dotted = ".".join(path)
        if dotted in self.member_defaults:
            return True, self.member_defaults[dotted]
        return False, None
