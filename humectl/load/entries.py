"""A manifest entry: one item of a manifest's ``prompts``/``tools``/``configs`` list, with the document
it was read from, before it becomes a resource."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from humectl.core.errors import Problem
from humectl.core.kinds import KindName
from humectl.load.yamldoc import Document

# Keys of an entry that are about the entry, not the resource's content.
META_KEYS = ("name", "version_description", "previous_names", "protect", "ignore_warnings")


@dataclass
class ManifestEntry:
    """One item of a manifest's ``prompts``/``tools``/``configs`` list, before it becomes a resource."""

    kind: KindName  # a name in the kind registry (humectl.core.kinds.KINDS)
    doc: Document
    pointer: str  # JSON pointer of the entry in its document, e.g. "/configs/0"
    data: dict[str, Any]
    prefix: str = ""  # the name prefix of the environment

    # Cached: every check asks for them (an entry's data is not changed once read).
    @functools.cached_property
    def name(self) -> str | None:
        """The name as written (after variables), or None when it is missing or not a string."""
        name = self.data.get("name")
        return name if isinstance(name, str) and name else None

    @functools.cached_property
    def full_name(self) -> str | None:
        """The name with the environment's prefix: the resource's identity in the account."""
        return None if self.name is None else self.prefix + self.name

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}'" if self.name else f"{self.kind} at {self.pointer}"

    def problem(
        self,
        sub: str,
        message: str,
        hint: str | None = None,
        *,
        rule: str,
        severity: str = "error",
        key: bool = False,
    ) -> Problem:
        return self.doc.problem(self.pointer + sub, message, hint, rule=rule, severity=severity, key=key)

    def where(self, sub: str = "") -> str:
        line, col = self.doc.position(self.pointer + sub)
        return f"{self.doc.display}:{line}:{col}"
