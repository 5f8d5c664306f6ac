"""Read back each write of an apply: what the server stored, from its answer or, where the answer is
partial, from a GET of the version (the comparison is :mod:`humectl.decide.readback`).

- create, version: the answer is the version made; one that lacks a field sent which list items leave
  out (``prompt_expansion``: a create whose answer was lost is found by listing) is read again in full,
  and only then (a field left out and not answered is the server's default: nothing to compare);
- rename: Hume answers it with no body, so the version is read to see the name it holds;
- describe, unmanage: the answer is the version whose description changed.

A read that fails does not undo the write: it is reported as ``unread``, with why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from humectl.core.errors import READBACK_UNREAD, HumectlError, ReadBack
from humectl.core.kinds import KINDS
from humectl.decide.readback import content_differences, description_difference, name_difference
from humectl.io.client import EviClient
from humectl.model.plan import CREATE, DESCRIBE, RENAME, UNMANAGE, VERSION, Change, Operation

READ_BACK: tuple[Operation, ...] = (CREATE, VERSION, RENAME, DESCRIBE, UNMANAGE)


async def read_back(
    client: EviClient,
    change: Change,
    op: Operation,
    answer: Mapping[str, Any] | None,
    meant: Mapping[str, Any],
    resource_id: str,
) -> list[ReadBack]:
    """The fields the write ``op`` of ``change`` stored otherwise than meant (``meant``: the canonical
    content it sent, references at the versions sent); ``answer`` is the server's answer to the write."""
    if op not in READ_BACK:
        return []
    try:
        stored = await _stored(client, change, op, answer, meant, resource_id)
    except (HumectlError, ValueError, TypeError) as exc:  # the write is done: say it could not be checked
        why = exc.message if isinstance(exc, HumectlError) else f"{type(exc).__name__}: {exc}"
        return [ReadBack(change.address, op, "", None, None, READBACK_UNREAD, error=why)]
    if op in (CREATE, VERSION):
        return [
            *content_differences(change.address, op, change.kind, meant, stored),
            *name_difference(change.address, op, change.name, stored),
            *description_difference(change.address, op, change.version_description, stored),
        ]
    if op == RENAME:
        return name_difference(change.address, op, change.name, stored)
    return description_difference(change.address, op, change.version_description, stored)


async def _stored(
    client: EviClient,
    change: Change,
    op: Operation,
    answer: Mapping[str, Any] | None,
    meant: Mapping[str, Any],
    resource_id: str,
) -> Mapping[str, Any]:
    kind = KINDS[change.kind]
    if op == RENAME or answer is None:
        version = change.live_version if answer is None else answer.get("version")
        if version is None:
            raise ValueError(f"{change.address}: no version to read back")
        return await client.get_version(kind, resource_id, int(version))
    if op in (DESCRIBE, UNMANAGE):
        full = "version_description" in answer
    else:  # a field sent that a list-shaped answer leaves out (prompt_expansion): read the version in full
        full = all(f in answer for f in kind.detail_fields if f in meant)
    if full:
        return answer
    return await client.get_version(kind, resource_id, int(answer["version"]))
