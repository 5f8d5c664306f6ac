"""What a kind is: the :class:`Kind` record every kind module fills in, as data.

A kind declares its API facts (paths, page key), its content fields and which of them reference
other kinds, hold text a manifest may keep in a file, or hold a JSON Schema the API stores as JSON
text; its detail fields, defaults, export layout and risk rules. Behaviour is written once, over
these declarations, in the step that owns it (loading a manifest entry into a spec, exporting a live
version, assessing risk); a kind's own semantic checks are a table in :mod:`humectl.load.rules`.
Nothing here imports anything above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# How much a change matters to callers (humectl.decide.risk): the levels, mildest first.
RiskLevel = Literal["low", "medium", "high"]

# The kinds' names, so mypy catches a plural, a typo or a resource name where a kind goes. A new kind
# adds its name here too (tests/unit/test_core_kinds.py checks these are exactly the registry's).
KindName = Literal["tool", "prompt", "config"]


@dataclass(frozen=True)
class Reference:
    """A field of one kind that points at resources of another kind."""

    field: str  # the API/manifest field name, e.g. "prompt" or "tools"
    target: KindName  # the kind it points at, e.g. "prompt"
    many: bool  # a list of references (tools) or a single one (prompt)


@dataclass(frozen=True)
class TextFile:
    """A text field a manifest may keep in a file of its own (a prompt's ``text`` as ``text_file``)."""

    field: str  # the API field, "text"
    key: str  # the manifest key naming the file, "text_file"
    directory: str  # where export writes these files, "prompts"


@dataclass(frozen=True)
class RiskRule:
    """One of the kind's default risk rules (:mod:`humectl.decide.risk` judges them; docs/review.md lists them).

    ``fields`` are dotted paths of the kind's content the rule covers; a ``predicate`` (a name in
    ``humectl.decide.risk.PREDICATES``) decides instead when it fires, on ``fields[0]`` when it names one."""

    id: str  # "config.voice": what policy.risk and policy.deny name
    level: RiskLevel
    words: str  # what it means, for people
    fields: tuple[str, ...] = ()
    predicate: str | None = None


# What the server sets on every version of every kind: never content, never sent as content.
SERVER_FIELDS: tuple[str, ...] = (
    "id",
    "version",
    "version_type",
    "version_description",
    "name",
    "created_on",
    "modified_on",
)


@dataclass(frozen=True)
class Kind:
    """One kind of resource: its API facts, and (through functions) its behaviour."""

    name: KindName  # "prompt"
    plural: str  # "prompts": manifest top-level key and API path segment
    api_path: str  # "/v0/evi/prompts"
    page_key: str  # "prompts_page"
    content_fields: tuple[str, ...]  # fields whose change makes a new version (in display order)
    # Fields of a live version the server sets. Any other field humectl does not know (one Hume added
    # after its spec) is content too: kept, compared and carried into every new version as it is.
    server_fields: tuple[str, ...] = SERVER_FIELDS
    text_file: TextFile | None = None
    # Fields holding a JSON Schema: the API stores them as JSON text, a manifest writes them as YAML
    # (a tool's parameters). Loaded as canonical JSON text (sorted keys), exported as YAML data.
    json_schema_fields: tuple[str, ...] = ()
    # The order export writes an entry's fields in (default: content_fields).
    export_order: tuple[str, ...] = ()
    # The kind's own semantic checks of a manifest entry, by name (``humectl.load.rules.CHECKS``);
    # names, references and JSON Schema fields are checked for every kind.
    checks: tuple[str, ...] = ()
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
    # How much a change of this kind matters to callers (humectl.decide.risk), most specific field rules win.
    risk_rules: tuple[RiskRule, ...] = ()

    @property
    def export_fields(self) -> tuple[str, ...]:
        """Content fields in the order export writes them."""
        rest = tuple(f for f in self.content_fields if f not in self.export_order)
        return (*self.export_order, *rest)

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
