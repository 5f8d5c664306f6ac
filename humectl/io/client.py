"""Async client for Hume's EVI REST API: auth, one pagination helper, retries, no blind write retries.

- Reads (GET) and idempotent writes (PATCH, DELETE) are retried on 429, 5xx and transport errors,
  honouring ``Retry-After`` and otherwise backing off exponentially with full jitter, capped.
- Creates (POST) are not idempotent. A 429 means the server did not process the request, so it is
  retried; after a 5xx or a lost connection the client re-reads (by name, or the resource's versions)
  to learn whether the write took effect before it tries again, so a retry never duplicates.
- Every error becomes a typed :mod:`humectl.core.errors` exception naming method, path, status and Hume's
  message. The API key lives only in the request header and is never part of any message.

The client assumes a hostile server, so the rest of humectl need not: a 5xx's ``Retry-After`` is
waited out; pagination reads on while pages come back full whatever ``total_pages`` says, and stops
at the first short or empty page (or one that repeats what was read); a create whose answer was lost
is settled only by a head with exactly its name *and* its run id (a server's ``name`` filter is a
hint, never trusted alone); a DELETE retried after a lost answer that then meets 404 is done; a 2xx
whose body is empty, not JSON or not the documented object is an :class:`InvalidResponseError`
naming method and path. Lists of prompts never show the names humectl reserves (its account lock,
:mod:`humectl.io.lock`): this is the one place live state is read, so plan, export, drift, prune and
history never see them.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from humectl.core.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    InvalidResponseError,
    MissingKeyError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UsageError,
)
from humectl.core.kinds import Kind
from humectl.core.provenance import run_id_of
from humectl.core.settings import DEFAULT_BASE_URL, Settings, shown_url
from humectl.core.version import __version__
from humectl.io.ratecontrol import AdaptiveLimiter
from humectl.io.tls import FIX, certificate_problem, ssl_context

SHUTDOWN_NOTE = (
    f"Hume switched its hosted EVI API ({DEFAULT_BASE_URL}) off on 2026-11-13: point --base-url "
    "(or HUME_BASE_URL) at an EVI-compatible server, or use --emulator"
)

PAGE_SIZE = 100  # the API's maximum: fewest requests per listing
MAX_PAGES = 100_000  # a server answering full pages forever still ends (10 million items)
ANNOUNCED_BATCH = 128  # announced pages read at once: one round trip for up to 12,800 items of a kind
HANDOFF_TURNS = 4  # event-loop turns a woken request needs to get from the limiter onto the wire


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per request and the exponential backoff's base and cap (seconds)."""

    attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    # 429s retried on top of ``attempts``: the server did nothing and the limiter waits out its
    # Retry-After, so being paced is not a failed attempt (a long apply meets many of them).
    max_throttled: int = 50

    def backoff(self, attempt: int) -> float:
        # Full jitter: spreads retries of many concurrent requests instead of synchronising them.
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


def is_loopback(url: str) -> bool:
    """True only for a literal loopback address (127.0.0.0/8, ::1, ::ffff:127.x.x.x) or exactly
    ``localhost``: a name like ``x.localhost`` is trusted by nothing but a resolver's say-so."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def check_key_transport(base_url: str, api_key: str | None) -> None:
    """Refuse to send a key in clear text anywhere but this machine."""
    try:
        parts = urlsplit(base_url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 host
        valid = False
    if not valid:
        raise UsageError(f"--base-url must be an http(s) URL, got {shown_url(base_url)}")
    if api_key and parts.scheme == "http" and not is_loopback(base_url):
        raise UsageError(
            f"refusing to send the API key over plain http to {parts.hostname}",
            hint="use https, or a loopback address (127.0.0.1, ::1, localhost) for a local emulator",
        )


def check_key_present(base_url: str, api_key: str | None) -> None:
    """Name the missing key before any request, instead of a 401 (or a dead endpoint) after one."""
    if api_key:
        return
    raise MissingKeyError(
        "no API key: set HUME_API_KEY (or HUME_TOKEN) in the environment, or use --emulator to try "
        "humectl without an account",
        hint=SHUTDOWN_NOTE
        if base_url == DEFAULT_BASE_URL
        else f"set the key that {base_url} (--base-url / HUME_BASE_URL) expects; `humectl emulator serve` "
        "without --api-key accepts any non-empty key",
    )


def auth_hint(status: int, keyed: bool) -> str:
    """What to check when the server refuses the key."""
    if status == 403:
        return "the server knows the key but does not allow this: check HUME_API_KEY (or HUME_TOKEN)"
    if not keyed:
        return "set HUME_API_KEY (or HUME_TOKEN) in the environment"
    return (
        "the server did not accept the key in HUME_API_KEY (or HUME_TOKEN): check it is this server's "
        "key (an emulator started with --api-key accepts only that key)"
    )


def parse_retry_after(response: httpx.Response, cap: float) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    raw_ms = response.headers.get("retry-after-ms")
    if raw_ms:
        try:
            return min(cap, max(0.0, float(raw_ms) / 1000))
        except ValueError:
            pass
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return min(cap, max(0.0, float(raw)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError):
        return None
    return min(cap, max(0.0, when - time.time()))


def hume_message(response: httpx.Response) -> str:
    """Hume's own words from an error body: ``message``/``error`` (400) or ``detail`` (422)."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if text else response.reason_phrase
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, list):
            parts = []
            for item in detail:
                if isinstance(item, dict):
                    loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                    parts.append(f"{loc}: {item.get('msg')}" if loc else str(item.get("msg")))
            if parts:
                return "; ".join(parts)
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
        fault = body.get("fault")  # the API gateway's refusal of a key: {"fault": {"faultstring": ...}}
        if isinstance(fault, dict) and isinstance(fault.get("faultstring"), str) and fault["faultstring"]:
            return str(fault["faultstring"])
    return str(body)[:300]


def names_nothing(error: ApiError, name: str) -> bool:
    """Whether ``error`` is Hume's answer to a list filtered by a ``name`` nothing has: live answered
    that with an error ("Config (Name: x) does not exist"), not an empty page (docs/fidelity.md)."""
    return error.status in (400, 404) and f"(name: {name}) does not exist".casefold() in error.api_message.casefold()


def error_for(method: str, path: str, response: httpx.Response) -> ApiError:
    status = response.status_code
    cls: type[ApiError] = ApiError
    if status in (401, 403):
        cls = AuthError
    elif status == 404:
        cls = NotFoundError
    elif status == 429:
        cls = RateLimitedError
    elif status >= 500:
        cls = ServerError
    error = cls(method, path, status, hume_message(response))
    if isinstance(error, AuthError):
        error.hint = auth_hint(status, "x-hume-api-key" in response.request.headers)
    return error


class _Retryable(Exception):
    """One attempt failed in a way that may succeed later (429, 5xx, no answer)."""

    def __init__(self, error: Exception, wait: float | None, ambiguous: bool) -> None:
        self.error = error
        self.wait = wait
        self.ambiguous = ambiguous  # the server may have acted on the request


class EviClient:
    """One connection pool, one adaptive limiter and one retry policy for a whole command."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        base_url = settings.base_url
        api_key = settings.api_key
        # The transport is injected (engine.open_client builds the in-process emulator's): this client
        # only talks HTTP through whatever it is given.
        if transport is None:
            check_key_present(base_url, api_key)
        if not isinstance(transport, (httpx.ASGITransport, httpx.MockTransport)):
            check_key_transport(base_url, api_key)  # an in-process transport sends nothing anywhere
        headers = {"User-Agent": f"humectl/{__version__}", "Accept": "application/json"}
        if api_key:
            headers["X-Hume-Api-Key"] = api_key
        self.retry = retry or RetryPolicy()
        self.limiter = AdaptiveLimiter(settings.parallelism)
        self.requests_sent = 0
        # The server's Date header and the local time it arrived: the lock reads server time from it.
        self.last_date: tuple[str | None, float] | None = None
        # Heads of reserved names (the lock) that list_heads kept out of live state, by kind.
        self.reserved_heads: dict[str, list[dict[str, Any]]] = {}
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_s),
            transport=transport,
            limits=httpx.Limits(max_connections=max(settings.parallelism, 1) + 2),
            # A plain-http base URL (a local emulator) never does TLS, and redirects are not followed,
            # so skip loading the CA bundle (~18 ms at start-up); https keeps full verification.
            verify=ssl_context(settings.ca_bundle) if urlsplit(base_url).scheme == "https" else False,
        )

    async def __aenter__(self) -> EviClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- one attempt -------------------------------------------------------------------------

    async def _attempt(self, method: str, path: str, params: dict[str, Any] | None, body: Any) -> httpx.Response:
        epoch = await self.limiter.acquire()
        throttled: float | None = None
        try:
            self.requests_sent += 1
            try:
                response = await self._http.request(method, path, params=params, json=body)
            except httpx.TransportError as exc:
                refused = certificate_problem(exc)
                if refused is not None:  # permanent: never retried
                    host = urlsplit(str(self._http.base_url)).hostname or str(self._http.base_url)
                    raise TransportError(
                        f"{method} {path}: the TLS certificate of {host} was not accepted: {refused}", hint=FIX
                    ) from None
                what = "timed out" if isinstance(exc, httpx.TimeoutException) else "no answer"
                error = TransportError(
                    f"{method} {path}: {what} from {self._http.base_url} ({type(exc).__name__})",
                    hint=SHUTDOWN_NOTE
                    if str(self._http.base_url).rstrip("/") == DEFAULT_BASE_URL
                    else "check --base-url / HUME_BASE_URL and the network (or use --emulator)",
                )
                raise _Retryable(error, None, True) from None
            if response.status_code == 429:
                throttled = parse_retry_after(response, self.retry.max_retry_after)
                if throttled is None:
                    throttled = 1.0
                raise _Retryable(error_for(method, path, response), throttled, False)
            if response.status_code >= 500:
                wait = parse_retry_after(response, self.retry.max_retry_after)
                raise _Retryable(error_for(method, path, response), wait, True)
            if response.status_code >= 400:
                raise error_for(method, path, response)
            self.last_date = (response.headers.get("date"), time.time())
            return response
        finally:
            await self.limiter.release(throttled_for=throttled, epoch=epoch)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        settle: Callable[[], Awaitable[Any]] | None = None,
        expect: tuple[str, ...] | None = (),
        gone_is_done: bool = False,
    ) -> Any:
        """Send with retries and return the decoded JSON object.

        ``settle`` (for creates) decides, after an ambiguous failure or an unreadable success, whether
        the write happened: it returns the created object, or None to allow one more attempt.
        ``expect``: the keys the answer's JSON object must have; None when the body is not read
        (PATCH name, DELETE: Hume answers those with an empty body). ``gone_is_done`` (DELETE): a 404
        after an attempt that may have reached the server means that attempt did the work.
        """
        last: Exception | None = None
        attempt = throttled = 0
        maybe_done = False  # an earlier attempt may have reached the server
        while attempt < self.retry.attempts:
            try:
                response = await self._attempt(method, path, params, body)
            except NotFoundError:
                if gone_is_done and maybe_done:
                    return None
                raise
            except _Retryable as failure:
                last = failure.error
                if isinstance(failure.error, RateLimitedError) and throttled < self.retry.max_throttled:
                    throttled += 1
                    continue
                attempt += 1
                maybe_done = maybe_done or failure.ambiguous
                if failure.ambiguous and settle is not None:
                    found = await self._settle(method, path, str(failure.error), settle)
                    if found is not None:
                        return found
                if attempt < self.retry.attempts:
                    if failure.wait is None:
                        delay = self.retry.backoff(attempt - 1)
                    elif isinstance(failure.error, RateLimitedError):
                        delay = 0.0  # the limiter already holds every request back until Retry-After
                    else:
                        delay = failure.wait  # a 5xx's Retry-After: the server said when to come back
                    await asyncio.sleep(delay)
                continue
            if expect is None:
                return None
            if self.limiter.waiting:
                # Let the request that takes this slot reach the socket before decoding this answer
                # (a page of configs is ~1 ms of JSON, then planning): the next round trip overlaps
                # the work instead of following it. Measured: plan of 2,300 resources 180 -> 174 ms.
                for _ in range(HANDOFF_TURNS):
                    await asyncio.sleep(0)
            problem = None
            try:
                answer = response.json() if response.content else None
            except ValueError:
                answer, problem = None, f"a body that is not JSON ({_snippet(response)})"
            if problem is None:
                problem = _shape_problem(answer, expect)
            if problem is None:
                return answer
            if settle is not None:  # a success we cannot read: did the write happen?
                found = await self._settle(method, path, problem, settle)
                if found is not None:
                    return found
            raise InvalidResponseError(method, path, response.status_code, problem)
        assert last is not None
        raise last

    async def _settle(self, method: str, path: str, why: str, settle: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await settle()
        except Exception as exc:  # the re-read itself failed: we cannot know
            raise AmbiguousWriteError(
                f"{method} {path} may or may not have taken effect ({why}); re-reading to check failed too ({exc})",
                hint="run `humectl plan` to see the live state before trying again",
            ) from None

    # -- reads ---------------------------------------------------------------------------------

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self._request("GET", path, params=params)

    async def list_all(
        self,
        path: str,
        page_key: str,
        params: dict[str, Any] | None = None,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a paged list: page 0 first, then the pages it announces concurrently, then on
        one by one while the last page read came back full (``total_pages`` can be wrong).

        Stops at a page shorter than the page size (an empty one too), or one that brings nothing new
        (a server ignoring ``page_number``). ``on_page`` sees each page's items as soon as it arrives,
        so work on them overlaps the network wait for the other pages.
        """
        base = {"page_size": PAGE_SIZE, **(params or {})}
        seen: set[tuple[Any, Any]] = set()

        async def page(number: int) -> tuple[list[dict[str, Any]], Any]:
            answer = await self.get(path, {**base, "page_number": number})
            items = _page_items(answer, page_key, path)
            if on_page is not None:
                on_page(items)
            return items, answer

        items, first = await page(0)
        seen.update(_key(i) for i in items)
        size = first.get("page_size")
        size = size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else PAGE_SIZE
        total = first.get("total_pages")
        last, number = items, 1
        # The announced pages are read concurrently, a batch at a time, and only after a full page 0: a
        # server that claims 10**20 pages (or 100,000) for a short page 0 is not believed, and one that
        # keeps claiming more than it has stops at its first short page, not after MAX_PAGES requests.
        announced = min(total, MAX_PAGES) if isinstance(total, int) and not isinstance(total, bool) else 0
        while number < announced and len(last) >= size:
            rest = await asyncio.gather(*(page(n) for n in range(number, min(number + ANNOUNCED_BATCH, announced))))
            for more, _ in rest:
                items.extend(more)
                seen.update(_key(i) for i in more)
            last, number = rest[-1][0], number + len(rest)
            if any(len(more) < size for more, _ in rest):
                break
        while len(last) >= size and number < MAX_PAGES:  # full: there may be more, whatever total_pages said
            last, _ = await page(number)
            number += 1
            fresh = [i for i in last if _key(i) not in seen]
            if not fresh:
                break
            seen.update(_key(i) for i in fresh)
            items.extend(fresh)
        return dedupe(items)

    async def list_heads(
        self,
        kind: Kind,
        name: str | None = None,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
        *,
        reserved: bool = False,
    ) -> list[dict[str, Any]]:
        """The newest version of every resource of a kind; with ``name``, exactly those of that name
        (the server's filter narrows the read, an exact comparison decides; the error Hume answers a
        name nothing has with reads as none).

        Names the kind reserves (humectl's lock) are left out, and kept in ``reserved_heads`` for
        whoever needs to know (``plan``'s lock note); ``reserved=True`` (the lock itself) keeps them.
        """
        params: dict[str, Any] = {"restrict_to_most_recent": "true"}
        if name is not None:
            params["name"] = name

        def keep(item: dict[str, Any]) -> bool:
            if name is not None and item.get("name") != name:
                return False
            return reserved or not kind.is_reserved(str(item.get("name")))

        def page(items: list[dict[str, Any]]) -> None:
            if on_page is not None:
                on_page([i for i in items if keep(i)])

        try:
            heads = await self.list_all(kind.api_path, kind.page_key, params, page)
        except ApiError as exc:
            # The one place a name filter is read (the lock, the create-settle check, history): Hume's
            # "no such name" error means "none", so every caller keeps seeing an empty list.
            if name is None or not names_nothing(exc, name):
                raise
            heads = []
        if not reserved and kind.reserved_name is not None:
            held = [i for i in heads if kind.is_reserved(str(i.get("name")))]
            if held:
                self.reserved_heads.setdefault(kind.name, []).extend(held)
        return [i for i in heads if keep(i)]

    async def list_versions(self, kind: Kind, resource_id: str) -> list[dict[str, Any]]:
        """Every version of one resource."""
        params = {"restrict_to_most_recent": "false"}
        return await self.list_all(f"{kind.api_path}/{resource_id}", kind.page_key, params)

    async def get_version(self, kind: Kind, resource_id: str, version: int) -> dict[str, Any]:
        path = f"{kind.api_path}/{resource_id}/version/{version}"
        result: dict[str, Any] = await self._request("GET", path, expect=("id", "version"))
        return result

    # -- writes --------------------------------------------------------------------------------

    async def create(self, kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
        """Create a resource (version 0). ``body['version_description']`` identifies our write: after
        a lost answer, only a head with exactly this name and this run's marker is ours."""
        run_id = run_id_of(body.get("version_description"))

        async def settle() -> dict[str, Any] | None:
            if run_id is None:
                return None  # nothing identifies our write: never adopt another's
            for head in await self.list_heads(kind, name=body["name"], reserved=True):
                if head.get("name") == body["name"] and run_id_of(head.get("version_description")) == run_id:
                    return head
            return None

        result: dict[str, Any] = await self._request(
            "POST", kind.api_path, body=body, settle=settle, expect=("id", "version")
        )
        return result

    async def create_version(self, kind: Kind, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Add a version. ``body['version_description']`` identifies our write if the answer is lost."""

        async def settle() -> dict[str, Any] | None:
            versions = await self.list_versions(kind, resource_id)
            for item in sorted(versions, key=lambda v: v.get("version", 0), reverse=True):
                if item.get("version_description") == body.get("version_description"):
                    return item
            return None

        path = f"{kind.api_path}/{resource_id}"
        result: dict[str, Any] = await self._request("POST", path, body=body, settle=settle, expect=("version",))
        return result

    async def rename(self, kind: Kind, resource_id: str, name: str) -> None:
        await self._request("PATCH", f"{kind.api_path}/{resource_id}", body={"name": name}, expect=None)

    async def update_description(
        self, kind: Kind, resource_id: str, version: int, description: str | None
    ) -> dict[str, Any]:
        path = f"{kind.api_path}/{resource_id}/version/{version}"
        result: dict[str, Any] = await self._request("PATCH", path, body={"version_description": description})
        return result

    async def delete(self, kind: Kind, resource_id: str) -> None:
        """Delete a resource; retried (it is idempotent), and a 404 after a lost answer means done."""
        await self._request("DELETE", f"{kind.api_path}/{resource_id}", expect=None, gone_is_done=True)

    async def delete_version(self, kind: Kind, resource_id: str, version: int) -> None:
        path = f"{kind.api_path}/{resource_id}/version/{version}"
        await self._request("DELETE", path, expect=None, gone_is_done=True)


def _key(item: dict[str, Any]) -> tuple[Any, Any]:
    return item.get("id"), item.get("version")


def _snippet(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def _shape_problem(answer: Any, keys: tuple[str, ...]) -> str | None:
    """Why ``answer`` is not the JSON object with ``keys`` the caller expects, or None when it is."""
    if answer is None:
        return "an empty body where a JSON object was expected"
    if not isinstance(answer, dict):
        return f"a JSON {type(answer).__name__} where a JSON object was expected"
    missing = [k for k in keys if k not in answer]
    if missing:
        return f"a JSON object without {', '.join(missing)}"
    return None


def _page_items(answer: dict[str, Any], page_key: str, path: str) -> list[dict[str, Any]]:
    items = answer.get(page_key)
    if items is None:
        return []  # Hume's config pages may leave the list out when it is empty
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidResponseError("GET", path, 200, f"a page whose {page_key} is not a list of objects")
    return items


def dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop repeats that a list shifting between page reads can produce."""
    seen: set[tuple[Any, Any]] = set()
    out = []
    for item in items:
        key = (item.get("id"), item.get("version"))
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
    return out
