"""Durations as Terraform writes them (``30s``, ``2m``, ``1m30s``, ``500ms``): ``--lock-timeout`` and
``HUMECTL_LOCK_LEASE``."""

from __future__ import annotations

import re

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)?")


def parse_duration(text: str) -> float:
    """Seconds in a duration like Terraform's: ``0``, ``45``, ``30s``, ``2m``, ``1m30s``, ``500ms``, ``1h``."""
    raw = text.strip().lower()
    pos, total = 0, 0.0
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
    while raw and pos < len(raw):
        match = _DURATION.match(raw, pos)
        if match is None or (match.group(2) is None and (pos > 0 or match.end() != len(raw))):
            raise ValueError(f"{text!r} is not a duration (e.g. 0, 30s, 2m, 1m30s)")
        total += float(match.group(1)) * units[match.group(2)]
        pos = match.end()
    if not raw:
        raise ValueError("a duration must not be empty (e.g. 0, 30s, 2m)")
    return total
