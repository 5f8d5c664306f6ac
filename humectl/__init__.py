"""humectl: configuration as code for Hume AI's Empathic Voice Interface (EVI).

The library API (what the CLI is a thin layer over, and what the tests call), importable from here::

    import humectl

    desired = humectl.load_manifests("evi/")
    result = humectl.make_plan("evi/", humectl.Settings(emulator_db=":memory:"))
    print(result.plan.summary())

``humectl.engine.apply(plan, settings)`` applies a plan (``humectl.apply`` is the module that runs one).
Names are imported when first used (``__getattr__``), so ``import humectl`` and ``humectl --version``
stay fast: the HTTP client, the emulator and the diff libraries load only for the calls that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module defining it
_EXPORTS: dict[str, str] = {
    # manifests
    "LoadOptions": "humectl.manifest",
    "ManifestSet": "humectl.manifest",
    "DesiredResource": "humectl.manifest",
    "ValidationResult": "humectl.manifest",
    "build_load_options": "humectl.manifest",
    "load_manifests": "humectl.manifest",
    "validate_manifests": "humectl.manifest",
    # the kind registry
    "KINDS": "humectl.kinds",
    "Kind": "humectl.kinds",
    # settings and the client
    "Settings": "humectl.settings",
    "EviClient": "humectl.client",
    # live state
    "LiveResource": "humectl.live",
    "LiveState": "humectl.live",
    "fetch_live_state": "humectl.live",
    # plans: the data, the planner
    "Change": "humectl.plan",
    "Plan": "humectl.plan",
    "PlanBuilder": "humectl.planner",
    "build_plan": "humectl.planner",
    # the engine: one call per command
    "PlanResult": "humectl.engine",
    "break_lock": "humectl.engine",
    "check_fresh": "humectl.engine",
    "export_account": "humectl.engine",
    "load_plan": "humectl.engine",
    "make_destroy_plan": "humectl.engine",
    "make_plan": "humectl.engine",
    "open_client": "humectl.engine",
    "plan_rollback": "humectl.engine",
    "read_history": "humectl.engine",
    "read_lock": "humectl.engine",
    "save_plan": "humectl.engine",
    "snapshot_account": "humectl.engine",
    # errors (humectl.errors draws the tree)
    "ApplyReport": "humectl.errors",
    "HumectlError": "humectl.errors",
    "Problem": "humectl.errors",
    **dict.fromkeys(
        (
            "AmbiguousWriteError",
            "ApiError",
            "ApplyError",
            "AuthError",
            "ExportError",
            "InvalidResponseError",
            "LiveStateError",
            "LockHeldError",
            "ManifestError",
            "MissingKeyError",
            "NotFoundError",
            "PlanError",
            "PolicyError",
            "RateLimitedError",
            "ResourceNotFound",
            "RollbackError",
            "ServerError",
            "StalePlanError",
            "TransportError",
            "UsageError",
        ),
        "humectl.errors",
    ),
}

__all__ = [
    "KINDS",
    "AmbiguousWriteError",
    "ApiError",
    "ApplyError",
    "ApplyReport",
    "AuthError",
    "Change",
    "DesiredResource",
    "EviClient",
    "ExportError",
    "HumectlError",
    "InvalidResponseError",
    "Kind",
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
    "PlanResult",
    "PolicyError",
    "Problem",
    "RateLimitedError",
    "ResourceNotFound",
    "RollbackError",
    "ServerError",
    "Settings",
    "StalePlanError",
    "TransportError",
    "UsageError",
    "ValidationResult",
    "__version__",
    "break_lock",
    "build_load_options",
    "build_plan",
    "check_fresh",
    "export_account",
    "fetch_live_state",
    "load_manifests",
    "load_plan",
    "make_destroy_plan",
    "make_plan",
    "open_client",
    "plan_rollback",
    "read_history",
    "read_lock",
    "save_plan",
    "snapshot_account",
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
    from humectl.client import EviClient
    from humectl.engine import (
        PlanResult,
        break_lock,
        check_fresh,
        export_account,
        load_plan,
        make_destroy_plan,
        make_plan,
        open_client,
        plan_rollback,
        read_history,
        read_lock,
        save_plan,
        snapshot_account,
    )
    from humectl.errors import (
        AmbiguousWriteError,
        ApiError,
        ApplyError,
        ApplyReport,
        AuthError,
        ExportError,
        HumectlError,
        InvalidResponseError,
        LiveStateError,
        LockHeldError,
        ManifestError,
        MissingKeyError,
        NotFoundError,
        PlanError,
        PolicyError,
        Problem,
        RateLimitedError,
        ResourceNotFound,
        RollbackError,
        ServerError,
        StalePlanError,
        TransportError,
        UsageError,
    )
    from humectl.kinds import KINDS, Kind
    from humectl.live import LiveResource, LiveState, fetch_live_state
    from humectl.manifest import (
        DesiredResource,
        LoadOptions,
        ManifestSet,
        ValidationResult,
        build_load_options,
        load_manifests,
        validate_manifests,
    )
    from humectl.plan import Change, Plan
    from humectl.planner import PlanBuilder, build_plan
    from humectl.settings import Settings
