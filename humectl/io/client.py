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
hint, never trusted alone); a DELETE retried after a lost answer that then meets 404 is done. Only
success is success: an answer other than the documented status and body (a redirect, which is never
followed; another 2xx; an error object behind a 200; a body on a DELETE or a rename, documented as
empty; a 2xx whose body is empty, not JSON or not the documented object) is an
:class:`InvalidResponseError` naming method, path and status (a create's is settled by reading back).
Lists of prompts never show the names humectl reserves (its account lock,
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

import anyio
import httpx

from humectl.core.clock import SYSTEM_CLOCK, Clock
from humectl.core.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    InvalidResponseError,
    ListingChangedError,
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
MAX_READS = 5  # reads of one list that shifts (another run writing) before humectl gives up on it
ANNOUNCED_BATCH = 128  # announced pages read at once: one round trip for up to 12,800 items of a kind
HANDOFF_TURNS = 4  # event-loop turns a woken request needs to get from the limiter onto the wire
MAX_BODY_BYTES = 64 * 1024 * 1024  # one answer, decompressed: a page of 100 configs is well under 1 MB


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
        clock: Clock = SYSTEM_CLOCK,
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
        self.timeout_s = settings.timeout_s
        self.limiter = AdaptiveLimiter(settings.parallelism)
        self.requests_sent = 0
        # This command's time (a test's is driven by hand): when an answer arrived, for the lock.
        self.clock = clock
        # The server's Date header and when it arrived (clock.monotonic()): the lock reads server time from it.
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
                # --timeout bounds the whole exchange, not only each wait between bytes: a server that
                # trickles its answer a byte at a time would otherwise hold the run (and its lock) forever.
                # anyio's deadline, not asyncio.wait_for: that one can swallow a cancellation on Python <
                # 3.12 (an answer and a Ctrl-C at once), and the cancelled listing then never ends.
                with anyio.fail_after(self.timeout_s):
                    response = await self._exchange(method, path, params, body)
            except TimeoutError:
                error = TransportError(
                    f"{method} {path}: timed out: no whole answer from {self._http.base_url} within "
                    f"{self.timeout_s:g} s (--timeout)",
                    hint="the server answers too slowly (or trickles its answer): check it, or raise --timeout",
                )
                raise _Retryable(error, None, True) from None
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
            self.last_date = (response.headers.get("date"), self.clock.monotonic())
            return response
        finally:
            await self.limiter.release(throttled_for=throttled, epoch=epoch)

    async def _exchange(self, method: str, path: str, params: dict[str, Any] | None, body: Any) -> httpx.Response:
        """One request and its whole answer, decoded, read into memory up to :data:`MAX_BODY_BYTES`: a
        compressed answer that inflates past it (a gzip bomb: 1.6 GB from a few MB) is refused as it
        is read, never held whole."""
        request = self._http.build_request(method, path, params=params, json=body)
        response = await self._http.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise InvalidResponseError(
                        method,
                        path,
                        response.status_code,
                        f"a body of more than {MAX_BODY_BYTES // (1024 * 1024)} MB once decompressed "
                        "(no answer of the API comes near it: a compression bomb?); not read further",
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        # The body read, as decoded: the encoding headers describe bytes no longer here.
        headers = [(k, v) for k, v in response.headers.multi_items() if k not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=request)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        settle: Callable[[], Awaitable[Any]] | None = None,
        expect: tuple[str, ...] | None = (),
        status: int | None = None,
        gone_is_done: bool = False,
    ) -> Any:
        """Send with retries and return the decoded JSON object.

        ``settle`` (for creates) decides, after an ambiguous failure or an unreadable success, whether
        the write happened: it returns the created object, or None to allow one more attempt.
        ``expect``: the keys the answer's JSON object must have; None when the answer has no body
        (PATCH name, DELETE: Hume answers those with an empty body). ``status``: the documented
        success status (default: 201 for a POST, which creates, else 200). Only that status with that
        body is success: any other 2xx, or a body where none is documented (an error object behind a
        200, say), is an :class:`InvalidResponseError` naming the status. ``gone_is_done`` (DELETE): a 404 after an
        attempt that may have reached the server means that attempt did the work.
        """
        if status is None:
            status = 201 if method == "POST" else 200
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
            if not 200 <= response.status_code < 300:  # a redirect (never followed): not an answer
                problem = _not_an_answer(response)
            elif expect is None:
                bodiless = _bodiless_problem(response, status)
                if bodiless is None:
                    return None
                problem = bodiless
            else:
                answer, shape = await self._decoded(response, expect, status)
                if shape is None:
                    return answer
                problem = shape
            if settle is not None:  # a success we cannot read: did the write happen?
                found = await self._settle(method, path, problem, settle)
                if found is not None:
                    return found
            raise InvalidResponseError(method, path, response.status_code, problem)
        assert last is not None
        raise last

    async def _decoded(self, response: httpx.Response, expect: tuple[str, ...], status: int) -> tuple[Any, str | None]:
        """A 2xx answer's JSON object, and why it is not the documented ``status`` with an object
        holding ``expect`` (None when it is)."""
        if self.limiter.waiting:
            # Let the request that takes this slot reach the socket before decoding this answer
            # (a page of configs is ~1 ms of JSON, then planning): the next round trip overlaps
            # the work instead of following it. Measured: plan of 2,300 resources 180 -> 174 ms.
            for _ in range(HANDOFF_TURNS):
                await asyncio.sleep(0)
        try:
            answer = response.json() if response.content else None
        except ValueError:
            return None, f"a body that is not JSON ({_snippet(response)})"
        problem = _shape_problem(answer, expect)
        if problem is None and response.status_code != status:
            problem = f"a status other than the documented {status}"
        return answer, problem

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
        *,
        confirm: bool = False,
        on_reread: Callable[[], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a paged list, as one consistent read.

        Offset pages shift while another run creates or deletes: a delete before the page boundary
        moves an item back onto a page already read (missed), a create moves one forward (read twice).
        A read that shows a shift (``total_pages`` changed between its pages, or an item seen on two
        pages) is read again until two reads in a row agree, at most ``MAX_READS`` times, else a
        :class:`ListingChangedError`. A miss shows in no single read, so ``confirm`` (a caller about to
        delete, or to create what it did not find) has a listing of more than one page read again and
        compared. One page is one answer: never read twice.

        ``on_page`` sees the first read's pages as they arrive (work on them overlaps the network wait);
        when the list that is returned is not the one they made up, ``on_reread`` is told, so the
        caller can redo that work from the returned list.
        """
        first = await self._read_pages(path, page_key, params, on_page)
        if first.pages <= 1 and not first.shifted:
            return first.items
        if not first.shifted and not confirm:
            return first.items
        previous, reads = first, 1
        while reads < MAX_READS:
            again = await self._read_pages(path, page_key, params, None)
            reads += 1
            if not again.shifted and not previous.shifted and again.keys == previous.keys:
                if previous is not first and on_reread is not None:
                    on_reread()
                return again.items if previous is not first else first.items
            previous = again
        raise ListingChangedError(
            f"the list GET {path} changed while it was read: {reads} reads in a row disagreed "
            f"(pages shifted as resources were created or deleted meanwhile); nothing was decided from it",
            hint="another run is writing to this account: run again when it is done",
        )

    async def _read_pages(
        self,
        path: str,
        page_key: str,
        params: dict[str, Any] | None,
        on_page: Callable[[list[dict[str, Any]]], None] | None,
    ) -> _Read:
        """One read of a paged list: page 0 first, then the pages it announces concurrently, then on
        one by one while the last page read came back full (``total_pages`` can be wrong).

        Stops at a page shorter than the page size (an empty one too), or one that brings nothing new
        (a server ignoring ``page_number``). Says whether the read shifted (see :meth:`list_all`).
        """
        base = {"page_size": PAGE_SIZE, **(params or {})}
        totals: set[Any] = set()
        pages = 0

        async def page(number: int) -> list[dict[str, Any]]:
            nonlocal pages
            answer = await self.get(path, {**base, "page_number": number})
            items = _page_items(answer, page_key, path)
            pages += 1
            totals.add(answer.get("total_pages"))
            if on_page is not None:
                on_page(items)
            return items

        first_answer = await self.get(path, {**base, "page_number": 0})
        items = _page_items(first_answer, page_key, path)
        pages = 1
        totals.add(first_answer.get("total_pages"))
        if on_page is not None:
            on_page(items)
        read = [items]
        size = first_answer.get("page_size")
        size = size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else PAGE_SIZE
        total = first_answer.get("total_pages")
        last, number = items, 1
        # The announced pages are read concurrently, a batch at a time, and only after a full page 0: a
        # server that claims 10**20 pages (or 100,000) for a short page 0 is not believed, and one that
        # keeps claiming more than it has stops at its first short page, not after MAX_PAGES requests.
        announced = min(total, MAX_PAGES) if isinstance(total, int) and not isinstance(total, bool) else 0
        while number < announced and len(last) >= size:
            rest = await asyncio.gather(*(page(n) for n in range(number, min(number + ANNOUNCED_BATCH, announced))))
            read.extend(rest)
            last, number = rest[-1], number + len(rest)
            if any(len(more) < size for more in rest):
                break
        seen = {_key(i) for batch in read for i in batch}
        while len(last) >= size and number < MAX_PAGES:  # full: there may be more, whatever total_pages said
            last = await page(number)
            number += 1
            if all(_key(i) in seen for i in last):
                break  # nothing new: a server ignoring page_number (a shift never repeats a whole page)
            read.append(last)
            seen.update(_key(i) for i in last)
        heads = str(base.get("restrict_to_most_recent")).lower() == "true"
        return _Read(read, pages, shifted=len(totals) > 1, heads=heads)

    async def list_heads(
        self,
        kind: Kind,
        name: str | None = None,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
        *,
        reserved: bool = False,
        confirm: bool = False,
        on_reread: Callable[[], None] | None = None,
    ) -> list[dict[str, Any]]:
        """The newest version of every resource of a kind; with ``name``, exactly those of that name
        (the server's filter narrows the read, an exact comparison decides; the error Hume answers a
        name nothing has with reads as none).

        Names the kind reserves (humectl's lock) are left out, and kept in ``reserved_heads`` for
        whoever needs to know (``plan``'s lock note); ``reserved=True`` (the lock itself) keeps them.
        ``confirm`` and ``on_reread``: see :meth:`list_all`.
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
            heads = await self.list_all(
                kind.api_path, kind.page_key, params, page, confirm=confirm, on_reread=on_reread
            )
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
        result: dict[str, Any] = await self._request(
            "PATCH", path, body={"version_description": description}, expect=("id", "version")
        )
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


def _not_an_answer(response: httpx.Response) -> str:
    """What a non-2xx, non-error status (a redirect) says, for the message."""
    where = response.headers.get("location")
    return "a redirect" + (f" to {shown_url(where)}" if where else "") + " (humectl follows none)"


def _bodiless_problem(response: httpx.Response, status: int) -> str | None:
    """Why an answer documented as ``status`` with an empty body (DELETE, PATCH name) is not that, or None.

    A 2xx carrying an error object (a gateway's ``{"error": ...}`` behind a 200) or any other body is not
    what Hume sends, so it is not taken as done."""
    if response.status_code != status:
        return f"a status other than the documented {status}"
    if not response.content.strip():
        return None
    try:
        body = response.json()
    except ValueError:
        return f"a body where the API answers with none ({_snippet(response)})"
    if body in ("", None):  # a JSON empty string or null: nothing said
        return None
    if isinstance(body, dict) and any(k in body for k in ("error", "message", "detail", "fault", "errors")):
        return f"an error in its body: {hume_message(response)[:200]}"
    return f"a body where the API answers with none ({_snippet(response)})"


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
        if "total_pages" not in answer:  # an error object behind a 200 is not an empty page
            raise InvalidResponseError("GET", path, 200, f"a JSON object without {page_key} or total_pages")
        return []  # Hume's config pages may leave the list out when it is empty
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidResponseError("GET", path, 200, f"a page whose {page_key} is not a list of objects")
    return items


@dataclass(frozen=True)
class _Read:
    """One read of a paged list: its pages' items in order, how many pages were asked, and whether the
    read itself shows a shift (``total_pages`` changed between pages, or an item on two pages)."""

    batches: list[list[dict[str, Any]]]
    pages: int
    shifted: bool = False
    heads: bool = False  # a list of heads: one item per id, so an id twice (any version) is a shift

    def __post_init__(self) -> None:
        keys: set[Any] = set()
        for batch in self.batches:
            here = {i.get("id") if self.heads else _key(i) for i in batch}
            if here and here <= keys:
                continue  # a whole page again: a server ignoring page_number, not a shift
            if keys & here:
                object.__setattr__(self, "shifted", True)
            keys |= here

    @property
    def items(self) -> list[dict[str, Any]]:
        return dedupe([i for batch in self.batches for i in batch])

    @property
    def keys(self) -> frozenset[tuple[Any, Any]]:
        return frozenset(_key(i) for batch in self.batches for i in batch)


def dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop repeats (of one id and version): a page may list an item twice."""
    seen: set[tuple[Any, Any]] = set()
    out = []
    for item in items:
        key = (item.get("id"), item.get("version"))
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
    return out
