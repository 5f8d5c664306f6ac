"""What humectl writes into ``version_description`` and how to read it back.

Every version humectl makes is described as ``<text> [humectl <run-id>]`` (``[humectl <run-id>
protect]`` when the manifest entry says ``protect: true``; `` prefix=<name prefix>`` is added in an
environment with a name prefix, percent-encoded outside ``[A-Za-z0-9_.~-]``, and, as `` prefix=`` with
nothing after it, in the account scope of a project that declares environments; then
`` policy-overridden=deny,fail_on`` when ``apply --override-policy`` applied a plan that violated the
review policy, naming what it violated). The marker lets a
later run tell its own versions from hand edits (drift, safe prune), keeps protection with the live
resource even after its manifest entry is deleted, records which environment a resource belongs to
(so ``--prune`` and ``destroy`` never touch another environment's, and no scope takes over another's),
and lets the client recognise, after a lost response, that a create really happened (the run id is
unique to one plan).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from urllib.parse import quote, unquote

_MARKER = re.compile(
    r"\s*\[humectl(?: (?P<run>[\w.-]+))?(?P<protect> protect)?(?: prefix=(?P<prefix>[\w.~%-]*))?"
    r"(?: policy-overridden=(?P<overridden>[\w.,-]+))?\]\s*$"
)
DEFAULT_TEXT = "applied by humectl"


def new_run_id() -> str:
    return secrets.token_hex(4)


def describe(text: str | None, run_id: str, *, protect: bool = False, prefix: str = "", scoped: bool = False) -> str:
    """The description of a version humectl makes. ``scoped``: the project declares environments, so
    even the account scope (no prefix) is recorded, and no environment can take the resource for its own."""
    flag = " protect" if protect else ""
    scope = f" prefix={quote(prefix, safe='')}" if prefix or scoped else ""
    return f"{(text or DEFAULT_TEXT).strip()} [humectl {run_id}{flag}{scope}]"


def mark_overridden(description: str, violated: Iterable[str]) -> str:
    """``description`` (as :func:`describe` wrote it) recording that the review policy was overridden:
    in the marker, so the human part (what the manifests compare) stays as written."""
    match = _MARKER.search(description)
    if match is None or match.group("overridden"):
        return description
    end = match.start() + match.group(0).rfind("]")
    return f"{description[:end]} policy-overridden={','.join(sorted(set(violated)))}{description[end:]}"


def overridden_policy(description: str | None) -> list[str]:
    """What the review policy forbade when ``apply --override-policy`` made this version (``deny``,
    ``fail_on``); empty when it was not overridden."""
    match = _MARKER.search(description or "")
    return match.group("overridden").split(",") if match and match.group("overridden") else []


def strip_marker(description: str | None) -> str | None:
    """The human part of a description, without humectl's marker."""
    if description is None:
        return None
    return _MARKER.sub("", description)


def made_by_humectl(description: str | None) -> bool:
    return bool(description and _MARKER.search(description))


def run_id_of(description: str | None) -> str | None:
    """The run id in humectl's marker, if the description has one."""
    match = _MARKER.search(description or "")
    return match.group("run") if match else None


def is_protected(description: str | None) -> bool:
    match = _MARKER.search(description or "")
    return bool(match and match.group("protect"))


def recorded_prefix(description: str | None) -> str | None:
    """The name prefix humectl's marker records (``""`` when it records none), or None without a marker."""
    match = _MARKER.search(description or "")
    if match is None:
        return None
    return unquote(match.group("prefix")) if match.group("prefix") else ""


def recorded_scope(description: str | None) -> str | None:
    """The scope humectl's marker records: its name prefix, ``""`` for the account scope recorded as
    such (`` prefix=``); None without a marker, or for a marker that records no scope (one written
    before scopes were recorded, or without environments: :func:`owner_prefix` then decides)."""
    match = _MARKER.search(description or "")
    if match is None or match.group("prefix") is None:
        return None
    return unquote(match.group("prefix"))


def describe_like(text: str | None, run_id: str, live_description: str | None) -> str:
    """:func:`describe` keeping what the live head's marker records (protection, environment): a new
    version humectl makes outside a plan of the manifests (rollback) must not drop them."""
    scope = recorded_scope(live_description)
    return describe(
        text,
        run_id,
        protect=is_protected(live_description),
        prefix=scope or "",
        scoped=scope is not None,
    )


def owner_prefix(description: str | None, name: str, declared: Iterable[str] = ()) -> str | None:
    """The environment (name prefix) a version humectl made belongs to; None when humectl did not make it.

    A marker that records no scope (written without environments, or before scopes were recorded):
    the resource then belongs to the longest ``declared`` prefix (the environments of humectl.yaml) its
    name starts with, or else to the account scope ``""``.
    """
    if not made_by_humectl(description):
        return None
    recorded = recorded_scope(description)
    if recorded is not None:
        return recorded
    matching = [p for p in declared if p and name.startswith(p)]
    return max(matching, key=len) if matching else ""
