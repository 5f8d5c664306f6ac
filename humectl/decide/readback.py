"""Read back a write: what the server stored against what humectl meant, compared as the planner compares.

After every create, new version, rename and description update, the apply reads what the server holds
(:mod:`humectl.ops.readback`) and this module says which fields differ, each as a
:class:`~humectl.core.errors.ReadBack`:

- ``changed``: sent, and stored otherwise (a temperature rewritten, a name trimmed);
- ``dropped``: sent, and not stored at all (a field the server does not keep);
- ``defaulted``: left out, and the server filled in another value than the default humectl assumes
  (``Kind.defaults``: an inactivity timeout of 600 where Hume documents 120).

Both sides go through :mod:`humectl.decide.normalize`, so what the server legitimately rewrites is not a
difference: a Voice Library name in the library's spelling, tool parameters re-serialised, fields the
server sets (ids, timestamps), null for absent, keys the server adds that were never sent. A difference
here is exactly what the next plan would show as a change (or, for a default, a value humectl
believes is another): the write did not take as meant. Pure: nothing here reads or writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from humectl.core.errors import READBACK_CHANGED, READBACK_DEFAULTED, READBACK_DROPPED, ReadBack
from humectl.core.kinds import KINDS, KindName
from humectl.core.provenance import is_protected, overridden_policy, recorded_prefix, run_id_of, strip_marker
from humectl.decide.normalize import as_live_voice, normalize_live, strip_none

Path = tuple[str, ...]


def content_differences(
    address: str, operation: str, kind_name: KindName, meant: Mapping[str, Any], stored: Mapping[str, Any]
) -> list[ReadBack]:
    """How the version the server answered (``stored``, as the API returns it) differs from the
    canonical content a create or new version sent (``meant``, references at the versions they were
    sent with); fields left out are checked against the server defaults humectl assumes."""
    kind = KINDS[kind_name]
    have = normalize_live(kind_name, stored)
    want = dict(meant)
    if isinstance(want.get("voice"), dict):  # a library voice comes back in the library's spelling
        want["voice"] = as_live_voice(want["voice"], have.get("voice"))
    found: list[ReadBack] = []

    def add(path: Path, sent: Any, got: Any, what: str, expected: Any = None) -> None:
        found.append(ReadBack(address, operation, _dotted(path), sent, got, what, expected))

    def compare(wanted: Mapping[str, Any], got: Mapping[str, Any], defaults: Any, path: Path) -> None:
        for key, value in wanted.items():
            here, stored_value = (*path, key), got.get(key)
            if isinstance(value, dict) and isinstance(stored_value, dict):
                compare(value, stored_value, defaults.get(key) if isinstance(defaults, dict) else None, here)
            elif value != stored_value:
                add(here, value, stored_value, READBACK_DROPPED if stored_value is None else READBACK_CHANGED)
        for key, default in defaults.items() if isinstance(defaults, dict) else ():
            if key not in wanted and got.get(key) is not None:
                defaulted(default, got[key], (*path, key))

    def defaulted(default: Any, got: Any, path: Path) -> None:
        """A field left out: absent is the server's default (unknown, so not a difference); a value must
        be the default humectl assumes, key by key where both are sections."""
        if isinstance(default, dict) and isinstance(got, dict):
            for key, inner in default.items():
                if got.get(key) is not None:
                    defaulted(inner, got[key], (*path, key))
        elif strip_none(default) != got:
            add(path, None, got, READBACK_DEFAULTED, default)

    compare(want, have, kind.defaults, ())
    return found


def name_difference(address: str, operation: str, sent: str, stored: Mapping[str, Any]) -> list[ReadBack]:
    """The name the server holds, which must be exactly the one sent: humectl finds resources by name."""
    got = stored.get("name")
    if got == sent:
        return []
    return [ReadBack(address, operation, "name", sent, got, READBACK_DROPPED if got is None else READBACK_CHANGED)]


def description_difference(address: str, operation: str, sent: str | None, stored: Mapping[str, Any]) -> list[ReadBack]:
    """The version description the server holds against the one sent, compared as the planner reads it:
    its text without humectl's marker (ends trimmed), and what the marker records (the run, protection,
    the environment, an overridden policy), so a server that drops or mangles the marker is caught."""
    got = stored.get("version_description")
    if _description_key(got) == _description_key(sent):
        return []
    what = READBACK_DROPPED if got is None else READBACK_CHANGED
    return [ReadBack(address, operation, "version_description", sent, got, what)]


def _description_key(description: Any) -> tuple[Any, ...]:
    text = description if isinstance(description, str) else None
    return (
        (strip_marker(text) or "").strip(),
        run_id_of(text),
        is_protected(text),
        recorded_prefix(text),
        tuple(overridden_policy(text)),
    )


def _dotted(path: Path) -> str:
    return ".".join(path)
