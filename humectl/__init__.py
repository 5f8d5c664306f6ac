"""humectl: configuration as code for Hume AI's Empathic Voice Interface (EVI).

The library API (what the CLI is a thin layer over, and what the tests call), importable from here::

    import asyncio
    import humectl

    async def main() -> None:
        settings = humectl.Settings(base_url="http://127.0.0.1:8765", api_key="...")
        async with humectl.Session(settings) as session:
            result = await session.plan("evi/", humectl.PlanOptions())
            print(result.plan.summary())
            await session.apply(result.plan, humectl.ApplyOptions())

    asyncio.run(main())

A :class:`Session` owns one client over one transport for one command; pass
``transport=humectl.emulator.transport.in_process_transport(...)`` to run against the emulator in
process. Names are imported when first used (``__getattr__``), so ``import humectl`` and
``humectl --version`` stay fast: the HTTP client, the emulator and the diff libraries load only for
the calls that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from humectl.core.version import __version__

# name -> the module defining it
_EXPORTS: dict[str, str] = {
    # the session and its options
    "Session": "humectl.ops.session",
    "PlanOptions": "humectl.ops.plan",
    "PlanResult": "humectl.ops.plan",
    "ApplyOptions": "humectl.ops.apply",
    "ExportOptions": "humectl.ops.export",
    "ExportOutcome": "humectl.ops.export",
    "Settings": "humectl.core.settings",
    # manifests
    "LoadOptions": "humectl.model.desired",
    "ManifestSet": "humectl.model.desired",
    "DesiredResource": "humectl.model.desired",
    "ValidationResult": "humectl.load.manifests",
    "build_load_options": "humectl.load.manifests",
    "load_manifests": "humectl.load.manifests",
    "validate_manifests": "humectl.load.manifests",
    # the kind registry
    "KINDS": "humectl.core.kinds",
    "Kind": "humectl.core.kinds",
    # live state and plans: the data, the planner, saved plans
    "LiveResource": "humectl.model.live",
    "LiveState": "humectl.model.live",
    "Change": "humectl.model.plan",
    "Plan": "humectl.model.plan",
    "PlanBuilder": "humectl.decide.planner",
    "build_plan": "humectl.decide.planner",
    "load_plan": "humectl.io.planfile",
    "save_plan": "humectl.io.planfile",
    "restore_sensitive": "humectl.io.planfile",
    # errors (humectl.core.errors draws the tree)
    "ApplyReport": "humectl.core.errors",
    "Problem": "humectl.core.errors",
    **dict.fromkeys(
        (
            "AmbiguousWriteError",
            "ApiError",
            "ApplyError",
            "AuthError",
            "ExportError",
            "HumectlError",
            "InvalidResponseError",
            "ListingChangedError",
            "LiveStateError",
            "LockHeldError",
            "ManifestError",
            "MissingKeyError",
            "NotFoundError",
            "PlanError",
            "PolicyError",
            "RateLimitedError",
            "ReadbackError",
            "ResourceNotFound",
            "RollbackError",
            "ServerError",
            "StalePlanError",
            "TransportError",
            "UsageError",
        ),
        "humectl.core.errors",
    ),
}

__all__ = [
    "KINDS",
    "AmbiguousWriteError",
    "ApiError",
    "ApplyError",
    "ApplyOptions",
    "ApplyReport",
    "AuthError",
    "Change",
    "DesiredResource",
    "ExportError",
    "ExportOptions",
    "ExportOutcome",
    "HumectlError",
    "InvalidResponseError",
    "Kind",
    "ListingChangedError",
    "LiveResource",
    "LiveState",
    "LiveStateError",
    "LoadOptions",
    "LockHeldError",
    "ManifestError",
    "ManifestSet",
    "MissingKeyError",
    "NotFoundError",
    "Plan",
    "PlanBuilder",
    "PlanError",
    "PlanOptions",
    "PlanResult",
    "PolicyError",
    "Problem",
    "RateLimitedError",
    "ReadbackError",
    "ResourceNotFound",
    "RollbackError",
    "ServerError",
    "Session",
    "Settings",
    "StalePlanError",
    "TransportError",
    "UsageError",
    "ValidationResult",
    "__version__",
    "build_load_options",
    "build_plan",
    "load_manifests",
    "load_plan",
    "restore_sensitive",
    "save_plan",
    "validate_manifests",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'humectl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and editors see
    from humectl.core.errors import (
        AmbiguousWriteError,
        ApiError,
        ApplyError,
        ApplyReport,
        AuthError,
        ExportError,
        HumectlError,
        InvalidResponseError,
        ListingChangedError,
        LiveStateError,
        LockHeldError,
        ManifestError,
        MissingKeyError,
        NotFoundError,
        PlanError,
        PolicyError,
        Problem,
        RateLimitedError,
        ReadbackError,
        ResourceNotFound,
        RollbackError,
        ServerError,
        StalePlanError,
        TransportError,
        UsageError,
    )
    from humectl.core.kinds import KINDS, Kind
    from humectl.core.settings import Settings
    from humectl.decide.planner import PlanBuilder, build_plan
    from humectl.io.planfile import load_plan, restore_sensitive, save_plan
    from humectl.load.manifests import ValidationResult, build_load_options, load_manifests, validate_manifests
    from humectl.model.desired import DesiredResource, LoadOptions, ManifestSet
    from humectl.model.live import LiveResource, LiveState
    from humectl.model.plan import Change, Plan
    from humectl.ops.apply import ApplyOptions
    from humectl.ops.export import ExportOptions, ExportOutcome
    from humectl.ops.plan import PlanOptions, PlanResult
    from humectl.ops.session import Session
