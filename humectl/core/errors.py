"""The exception tree of humectl and the exit code each error maps to.

    HumectlError                 exit 1, message printed on one line, never a traceback
    ├── UsageError               bad flags or arguments
    │   └── MissingKeyError      no HUME_API_KEY/HUME_TOKEN for a command that talks to the API
    ├── ManifestError            manifests failed to load or validate; carries ``problems``
    ├── ApiError                 the API answered an error (method, path, status, Hume's message)
    │   ├── AuthError            401/403
    │   ├── NotFoundError        404
    │   ├── RateLimitedError     429 still failing after retries
    │   ├── ServerError          5xx still failing after retries
    │   └── InvalidResponseError a redirect, or a 2xx other than the documented status and body
    ├── ListingChangedError      a paged list kept shifting while it was read (another run writing)
    ├── TransportError           no answer (connection refused, timeout) after retries
    ├── AmbiguousWriteError      a write failed and re-reading could not tell whether it took effect
    ├── LiveStateError           the live account is inconsistent (e.g. two live resources, one name)
    ├── PlanError                the plan cannot be built (e.g. a pinned version that does not exist)
    ├── StalePlanError           a saved plan's live objects changed since it was made
    ├── PolicyError              the plan violates the review policy (humectl.yaml policy:, --fail-on)
    ├── LockHeldError            another run holds the account lock (says who, since when, how to wait/break)
    ├── ApplyError               apply stopped part-way; carries the exact report of what was done
    ├── ReadbackError            apply --strict-readback: the server stored a write otherwise than sent
    ├── ResourceNotFound         history: no live resource of that kind has that name
    ├── RollbackError            a rollback cannot be planned or written (no such resource or version)
    └── ExportError              export cannot write what was asked (existing files, unknown --select)

Every exception humectl raises to its caller is in this tree, defined in this module (a test checks
that every exception class of the package, outside the emulator, is defined here and drawn above).
Private control-flow exceptions (a leading underscore, e.g. the client's ``_Retryable``) never leave
their module. ``type`` (``--output json``'s ``error.type``) is derived from the class name, so
renaming a class changes a documented id (docs/json-output.md).

Exit code 2 is reserved for "changes present" (``--detailed-exitcode``), so no error maps to it.
The API key and sensitive values must never appear in any message: the CLI masks every output
(:mod:`humectl.core.sensitive`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class HumectlError(Exception):
    """Base of every error humectl reports to the user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    @property
    def type(self) -> str:
        """A stable id for machines (``--output json``): the class name in snake_case without ``Error``."""
        return error_type(type(self).__name__)


class UsageError(HumectlError):
    """Bad command-line usage (exit 1, never 2)."""


class MissingKeyError(UsageError):
    """No API key in the environment, found before any request is sent."""


@dataclass(frozen=True)
class Problem:
    """One located problem in the manifests (validate reports all of them at once)."""

    file: str
    line: int
    col: int
    message: str
    hint: str | None = None
    rule: str = "error"  # a short stable id of the check, e.g. "schema", "duplicate-name"
    severity: str = "error"  # "error" fails validate; "warning" is reported only

    def format(self) -> str:
        label = "" if self.severity == "error" else f"{self.severity}: "
        text = f"{self.file}:{self.line}:{self.col}: {label}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "message": self.message,
            "hint": self.hint,
            "rule": self.rule,
            "severity": self.severity,
        }


class ManifestError(HumectlError):
    """The manifests did not load or validate."""

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        super().__init__(message or f"{n} problem{'s' if n != 1 else ''} in the manifests")


class ApiError(HumectlError):
    """The API answered with an error status."""

    def __init__(self, method: str, path: str, status: int, api_message: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        super().__init__(f"{method} {path} failed: HTTP {status}: {api_message}")


class AuthError(ApiError):
    """401/403: the key is missing, wrong, or not allowed."""


class NotFoundError(ApiError):
    """404: the resource or version does not exist."""


class RateLimitedError(ApiError):
    """429 kept coming back after every retry."""


class ServerError(ApiError):
    """5xx kept coming back after every retry."""


class InvalidResponseError(ApiError):
    """A success status whose body is not what the API documents (empty, not JSON, wrong shape)."""

    def __init__(self, method: str, path: str, status: int, what: str) -> None:
        super().__init__(method, path, status, what)
        self.message = f"{method} {path}: HTTP {status} with {what}"


class ListingChangedError(HumectlError):
    """A paged list kept changing while it was read (another run writing): no two reads agreed."""


class TransportError(HumectlError):
    """No HTTP answer at all (refused, reset, timed out) after every retry."""


class AmbiguousWriteError(HumectlError):
    """A write failed without an answer and re-reading could not settle whether it happened."""


class LiveStateError(HumectlError):
    """The live account cannot be mapped onto names (e.g. two live resources share a name)."""


class PlanError(HumectlError):
    """The plan cannot be built from these manifests and this live state."""


class StalePlanError(HumectlError):
    """A saved plan no longer matches the live objects it was made from."""


class PolicyError(HumectlError):
    """The plan violates the review policy (``violations``); apply takes it only with --override-policy."""

    def __init__(self, message: str, *, hint: str | None = None, violations: Any = ()) -> None:
        super().__init__(message, hint=hint)
        self.violations = list(violations)


class LockHeldError(HumectlError):
    """Another run holds the account lock of this scope (``record``: its lock, when one was read)."""

    def __init__(self, message: str, *, hint: str | None = None, record: Any = None, now_ms: float = 0) -> None:
        super().__init__(message, hint=hint)
        self.record = record
        self.now_ms = now_ms  # server time when it was read


# Why an apply stopped before the end (ApplyReport.stopped_by).
STOPPED_BY_FAILURE = "failure"  # a change failed: nothing new was started, writes in flight finished
STOPPED_BY_INTERRUPT = "interrupt"  # Ctrl-C or SIGTERM: writes in flight were abandoned
STOPPED_BY_LOCK_LOST = "lock-lost"  # the account lock could not be renewed (or was broken)


# How a field read back after a write differs from what was meant (ReadBack.what).
READBACK_CHANGED = "changed"  # sent, stored otherwise
READBACK_DROPPED = "dropped"  # sent, not stored
READBACK_DEFAULTED = "defaulted"  # left out, and the server's default is not the one humectl assumes
READBACK_UNREAD = "unread"  # the write took effect but could not be read back


@dataclass(frozen=True)
class ReadBack:
    """One field a write stored otherwise than an apply meant, found by reading the write back.

    ``path`` is the field's dotted path (``language_model.temperature``, ``name``,
    ``version_description``); ``sent`` what was sent (None when it was left out), ``stored`` what the
    server holds (None when nothing), ``expected`` the default humectl assumed for a field left out."""

    address: str
    operation: str  # the write: create, version, rename, describe, unmanage
    path: str
    sent: Any
    stored: Any
    what: str  # READBACK_*
    expected: Any = None
    error: str | None = None  # READBACK_UNREAD: why it could not be read back

    def to_dict(self) -> dict[str, Any]:
        out = {
            "address": self.address,
            "operation": self.operation,
            "path": self.path,
            "sent": self.sent,
            "stored": self.stored,
            "what": self.what,
        }
        if self.what == READBACK_DEFAULTED:
            out["expected"] = self.expected
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class ApplyReport:
    """What an apply did, exactly: addresses done, failed (with the reason), in flight when it was
    interrupted (sent, no answer: they may or may not have taken effect) and never started.

    ``made`` is where each change landed (address → an object with ``id`` and ``version``).
    """

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    stopped_by: str | None = None  # None: it ran to the end; else one of STOPPED_BY_*
    reason: str | None = None  # for STOPPED_BY_LOCK_LOST / STOPPED_BY_INTERRUPT: what happened
    made: dict[str, Any] = field(default_factory=dict)
    # address -> the operations of its change that took effect, in order (all of them for a change
    # done; those before the failure for one that failed part-way)
    operations: dict[str, list[str]] = field(default_factory=dict)
    deleted_versions: dict[str, list[int]] = field(default_factory=dict)  # address -> versions deleted
    # every field a write stored otherwise than meant, read back after it (humectl.ops.readback)
    readback: list[ReadBack] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "done": list(self.done),
            "failed": [{"address": a, "error": e} for a, e in self.failed],
            "in_flight": list(self.in_flight),
            "not_started": list(self.not_started),
            "stopped_by": self.stopped_by,
            "reason": self.reason,
            "results": {a: {"id": m.id, "version": m.version} for a, m in self.made.items() if a in self.done},
            "operations": {a: list(ops) for a, ops in self.operations.items() if ops},
            "deleted_versions": {a: list(v) for a, v in self.deleted_versions.items()},
            "readback": [r.to_dict() for r in self.readback],
        }

    def partly_done(self, address: str) -> list[str]:
        """The operations of a failed or interrupted change that took effect before it stopped."""
        return [] if address in self.done else list(self.operations.get(address, ()))


class ApplyError(HumectlError):
    """Apply stopped part-way; ``report`` says exactly what was and was not done."""

    def __init__(self, message: str, report: ApplyReport) -> None:
        super().__init__(message)
        self.report = report


class ReadbackError(HumectlError):
    """``--strict-readback``: the apply ran to the end, and the server stored some of what it wrote
    otherwise than sent (``report.readback`` lists each field)."""

    def __init__(self, message: str, report: ApplyReport, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


class ResourceNotFound(HumectlError):
    """No live resource of that kind has that name (history)."""


class RollbackError(HumectlError):
    """The rollback cannot be planned (no such resource or version) or written back to a manifest."""


class ExportError(HumectlError):
    """Export cannot write what was asked (existing files without --force, unknown --select)."""


def error_type(class_name: str) -> str:
    """``MissingKeyError`` → ``missing_key``, ``StalePlanError`` → ``stale_plan``."""
    name = class_name.removesuffix("Error") or "humectl"
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
