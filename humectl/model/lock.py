"""The account lock as data: who holds a scope's lock (the lease a lock prompt's text holds) and the
lock prompt as read back, with when its lease ends in server time. :mod:`humectl.io.lock` takes,
renews and releases it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from humectl.core.kinds import LOCK_KIND
from humectl.core.version import __version__

LOCK_NAME = LOCK_KIND.reserved_name or "humectl-lock"
# A lease counts as expired this long after it ends: the server's time is known to within this much
# (its Date header has 1 s resolution; io.lock.ServerClock), so a dead lock is broken at most
# lease + GRACE_MS after its last renewal (plus the time one answer spends on the wire).
GRACE_MS = 1000
_SCHEMA = "humectl-lock/1"


def lock_name(scope: str) -> str:
    """The lock prompt's name for a scope ("" is the whole account, else a name prefix)."""
    return f"{LOCK_NAME}:{scope}" if scope else LOCK_NAME


def scope_of(name: str) -> str | None:
    """The scope a lock prompt's name is of (the inverse of :func:`lock_name`); None for another name."""
    if name == LOCK_NAME:
        return ""
    head, sep, scope = name.partition(":")
    return scope if head == LOCK_NAME and sep and scope else None


def conflicts(one: str, other: str) -> bool:
    """Whether writes of two scopes can touch one resource, so their locks exclude each other: a
    scope's names all start with its prefix, so two scopes share a name exactly when one prefix
    starts the other (the account scope "" starts every one; ``dev-`` and ``dev-eu-`` overlap;
    ``dev-`` and ``staging-`` never)."""
    return one.startswith(other) or other.startswith(one)


def scope_label(scope: str) -> str:
    return f"name prefix {scope!r}" if scope else "the account"


def iso(ms: float | None) -> str:
    if ms is None:
        return "an unknown time"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Lease:
    """Who holds (or wants) the lock, as the lock prompt's text says."""

    token: str  # unique to one acquisition: identifies our candidate after a lost answer
    run_id: str  # the run's id, as in the [humectl <run>] marker of the versions it makes
    scope: str
    command: str  # e.g. "humectl apply"
    user: str
    host: str
    pid: int
    commit: str | None
    ci: str | None  # the CI job's URL, when there is one
    lease_seconds: float
    humectl: str = __version__

    def text(self, renewals: int = 0) -> str:
        return json.dumps({"schema": _SCHEMA, **asdict(self), "renewals": renewals}, sort_keys=True)

    @classmethod
    def parse(cls, text: Any) -> Lease | None:
        """The lease in a lock prompt's text; None when it is not humectl's (someone else's prompt)."""
        try:
            data = json.loads(text) if isinstance(text, str) else None
            if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
                return None
            lease = float(data["lease_seconds"])
            if not lease > 0:
                return None
            return cls(
                token=str(data["token"]),
                run_id=str(data["run_id"]),
                scope=str(data.get("scope") or ""),
                command=str(data.get("command") or "humectl"),
                user=str(data.get("user") or "?"),
                host=str(data.get("host") or "?"),
                pid=int(data.get("pid") or 0),
                commit=data.get("commit") if isinstance(data.get("commit"), str) else None,
                ci=data.get("ci") if isinstance(data.get("ci"), str) else None,
                lease_seconds=lease,
                humectl=str(data.get("humectl") or "?"),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class LockRecord:
    """One lock prompt as read from the account (its newest version)."""

    id: str
    name: str
    version: int
    created_on: int  # server ms: when the candidate was created (its place in the queue)
    modified_on: int  # server ms: its newest version, i.e. the last renewal
    lease: Lease | None  # None: a prompt of the reserved name that humectl did not write
    description: str | None

    @property
    def scope(self) -> str:
        """The scope this lock is of, from its name (a name of no scope: the account's, the widest)."""
        return scope_of(self.name) or ""

    @classmethod
    def from_head(cls, head: Mapping[str, Any]) -> LockRecord:
        created = ms(head.get("created_on"))
        return cls(
            id=str(head.get("id")),
            name=str(head.get("name")),
            version=int(head.get("version") or 0),
            created_on=created,
            modified_on=ms(head.get("modified_on"), created),
            lease=Lease.parse(head.get("text")),
            description=head.get("version_description"),
        )

    def to_dict(self, now_ms: float) -> dict[str, Any]:
        """For ``--output json``: the lock, its holder (None: not humectl's) and whether it ran out."""
        lease = self.lease
        holder = None
        if lease is not None:
            holder = {k: v for k, v in asdict(lease).items() if k not in ("token", "scope", "humectl")}
        return {
            "id": self.id,
            "name": self.name,
            "created_on": self.created_on,
            "expired": self.expired(now_ms),
            "holder": holder,
        }

    @property
    def expires_ms(self) -> float | None:
        """Server time the lease ends; None for a prompt humectl did not write, or one the server gave
        no timestamps (it never expires: a missing time must not make a live lock look dead)."""
        if self.lease is None or self.modified_on <= 0:
            return None
        return self.modified_on + self.lease.lease_seconds * 1000

    def expired(self, now_ms: float) -> bool:
        ends = self.expires_ms
        return ends is not None and now_ms >= ends + GRACE_MS

    def holder(self, now_ms: float) -> str:
        """Who holds it since when, in one line."""
        lease = self.lease
        if lease is None:
            return f"a prompt {self.name!r} that humectl did not write (id {self.id}), since {iso(self.created_on)}"
        who = f"{lease.user}@{lease.host}, pid {lease.pid}" + (f", git {lease.commit}" if lease.commit else "")
        text = f"run {lease.run_id} since {iso(self.created_on)}: `{lease.command}` by {who}"
        if lease.ci:
            text += f", CI job {lease.ci}"
        ends = self.expires_ms
        if ends is None:
            return text + "; the server gave it no time, so it does not run out by itself"
        if self.expired(now_ms):
            return text + f"; its lease ran out {max(0, round((now_ms - ends) / 1000))} s ago"
        left = min(lease.lease_seconds, max(0.0, (ends - now_ms) / 1000))  # our estimate of server time is ±1 s
        return text + f"; its lease ends in {round(left)} s unless renewed"


def ms(value: Any, default: int = 0) -> int:
    """Hume's timestamps are epoch ms in practice; a seconds value is scaled (as live.iso_time does)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return int(value if abs(value) > 1e11 else value * 1000)


def first(records: list[LockRecord]) -> LockRecord:
    return min(records, key=lambda r: (r.created_on, r.id))
