"""The client under a hostile server: answers the emulator never gives, from httpx.MockTransport.

Each test scripts a server that lies or breaks in one way and checks what the client does about it:
waits out a 5xx's Retry-After, pages past a wrong ``total_pages``, settles a lost create only by exact
name and run id, treats a 404 after a lost DELETE as done, and turns an unreadable 2xx into an error
that names method and path (and, in apply, into that change's failure rather than a traceback).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from humectl.core.errors import InvalidResponseError, NotFoundError, UsageError
from humectl.core.kinds import KINDS
from humectl.core.settings import DEFAULT_TIMEOUT_S, Settings
from humectl.io import client as client_module
from humectl.io.client import EviClient, RetryPolicy
from humectl.io.endpoint import build_settings
from humectl.model.plan import CREATE, Change, Plan
from humectl.ops.apply import apply_plan

PROMPT = KINDS["prompt"]
Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, **settings: Any) -> EviClient:
    return EviClient(
        Settings(base_url="http://127.0.0.1", api_key="k", **settings),
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.002),
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture()
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every delay the client asks asyncio.sleep for (without sleeping it)."""
    recorded: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float, *args: Any) -> None:
        if delay > 0:
            recorded.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(client_module.asyncio, "sleep", fake_sleep)
    return recorded


def head(name: str, description: str | None = None, rid: str | None = None, version: int = 0) -> dict[str, Any]:
    return {
        "id": rid or f"id-{name}",
        "version": version,
        "name": name,
        "text": "t",
        "version_description": description,
        "created_on": 1,
        "modified_on": 1,
    }


def page(items: list[dict[str, Any]], number: int, total: int, size: int = 100) -> httpx.Response:
    return httpx.Response(
        200, json={"page_number": number, "page_size": size, "total_pages": total, "prompts_page": items}
    )


# -- Retry-After on 5xx ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "3"}, 3.0), ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5)],
)
def test_a_5xx_with_retry_after_waits_that_long(sleeps: list[float], headers: dict[str, str], expected: float) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503, headers=headers, json={"message": "busy"})
        return page([], 0, 0)

    assert run(make_client(handler).list_all(PROMPT.api_path, PROMPT.page_key)) == []
    assert len(calls) == 2
    assert sleeps == [expected]


def test_a_5xx_without_retry_after_backs_off(sleeps: list[float]) -> None:
    answers = iter([httpx.Response(502), httpx.Response(502), page([], 0, 0)])
    run(make_client(lambda request: next(answers)).list_all(PROMPT.api_path, PROMPT.page_key))
    assert len(sleeps) <= 2 and all(d <= 0.002 for d in sleeps)


# -- pagination ------------------------------------------------------------------------------------


def paged_server(items: list[dict[str, Any]], *, size: int, claimed_total: int | None) -> tuple[Handler, list[int]]:
    """A server holding ``items`` that pages them honestly but announces ``claimed_total`` pages."""
    asked: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page_number"])
        asked.append(number)
        chunk = items[number * size : (number + 1) * size]
        body: dict[str, Any] = {"page_number": number, "page_size": size, "prompts_page": chunk}
        if claimed_total is not None:
            body["total_pages"] = claimed_total
        return httpx.Response(200, json=body)

    return handler, asked


@pytest.mark.parametrize("claimed_total", [1, 2, None, 0])
def test_pagination_reads_on_while_pages_come_back_full_whatever_total_pages_says(claimed_total: int | None) -> None:
    items = [head(f"p{i}", rid=f"id{i}") for i in range(250)]
    handler, asked = paged_server(items, size=100, claimed_total=claimed_total)
    seen: list[int] = []
    got = run(make_client(handler).list_all(PROMPT.api_path, PROMPT.page_key, on_page=lambda p: seen.append(len(p))))
    assert [i["id"] for i in got] == [i["id"] for i in items]
    assert sorted(asked) == [0, 1, 2]  # stopped at the short page 2: nothing asked past it
    assert sorted(seen) == [50, 100, 100]


@pytest.mark.parametrize(
    ("held", "claimed_total", "expected_asks"), [(50, 10**20, 1), (250, 10**20, 3), (250, 100_000, 3)]
)
def test_a_lying_total_pages_is_read_only_until_its_first_short_page(
    held: int, claimed_total: int, expected_asks: int
) -> None:
    """A server announcing far more pages than it has: before, every announced page (up to 100,000)
    was asked for at once, a hang; now a short page 0 is believed, and the announced pages are read a
    batch at a time, stopping at the first short one."""
    items = [head(f"p{i}", rid=f"id{i}") for i in range(held)]
    handler, asked = paged_server(items, size=100, claimed_total=claimed_total)
    got = run(make_client(handler).list_all(PROMPT.api_path, PROMPT.page_key))
    assert len(got) == held
    assert len(asked) <= max(expected_asks, client_module.ANNOUNCED_BATCH + 1)  # at most one batch past the data
    assert sorted(asked)[:expected_asks] == list(range(expected_asks))


def test_pagination_stops_at_an_empty_page_after_full_ones() -> None:
    items = [head(f"p{i}", rid=f"id{i}") for i in range(200)]
    handler, asked = paged_server(items, size=100, claimed_total=1)
    got = run(make_client(handler).list_all(PROMPT.api_path, PROMPT.page_key))
    assert len(got) == 200 and sorted(asked) == [0, 1, 2]


def test_pagination_uses_the_page_size_the_server_answers_with() -> None:
    """A server capping page_size at 10 (and saying so) is read in pages of 10, to the end."""
    items = [head(f"p{i}", rid=f"id{i}") for i in range(35)]
    handler, asked = paged_server(items, size=10, claimed_total=1)
    assert len(run(make_client(handler).list_all(PROMPT.api_path, PROMPT.page_key))) == 35
    assert sorted(asked) == [0, 1, 2, 3]


def test_pagination_ends_when_a_server_ignores_page_number() -> None:
    items = [head(f"p{i}", rid=f"id{i}") for i in range(100)]
    asked: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(int(request.url.params["page_number"]))
        return page(items, 0, 1)  # always the same full page

    assert len(run(make_client(handler).list_all(PROMPT.api_path, PROMPT.page_key))) == 100
    assert asked == [0, 1]


def test_a_page_that_is_not_a_list_is_a_located_error() -> None:
    handler: Handler = lambda request: httpx.Response(200, json={"total_pages": 1, "prompts_page": "oops"})  # noqa: E731
    with pytest.raises(InvalidResponseError) as err:
        run(make_client(handler).list_all(PROMPT.api_path, PROMPT.page_key))
    assert "GET /v0/evi/prompts" in err.value.message and "prompts_page" in err.value.message


# -- a create whose answer was lost ----------------------------------------------------------------


class LosingServer:
    """Prompts in memory; the first create commits and then drops the connection. The list ignores
    the name filter (every head comes back) unless ``honours_filter``."""

    def __init__(self, others: list[dict[str, Any]], *, honours_filter: bool = False) -> None:
        self.heads = list(others)
        self.honours_filter = honours_filter
        self.creates = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.creates += 1
            body = json.loads(request.content)
            made = head(body["name"], body.get("version_description"), rid=f"new{self.creates}")
            self.heads.append(made)
            if self.creates == 1:
                raise httpx.ReadError("connection reset", request=request)
            return httpx.Response(201, json=made)
        name = request.url.params.get("name")
        heads = [h for h in self.heads if not self.honours_filter or h["name"] == name]
        return page(heads, 0, 1)


def test_a_lost_create_is_settled_by_exact_name_and_run_id_never_the_filter_alone() -> None:
    ours = "applied by humectl [humectl run1]"
    # The server ignores the name filter: the settle read sees a prompt made by this run under another
    # name, and one with this name made by another run. Neither is our write; ours is found.
    server = LosingServer([head("other", ours, rid="o1"), head("agent", "x [humectl run2]", rid="a2")])
    created = run(make_client(server).create(PROMPT, {"name": "agent", "text": "t", "version_description": ours}))
    assert created["id"] == "new1" and server.creates == 1  # found, not created twice


def test_a_lost_create_that_did_not_happen_is_sent_again() -> None:
    ours = "applied by humectl [humectl run1]"

    class NeverCommits(LosingServer):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and self.creates == 0:
                self.creates += 1
                raise httpx.ConnectError("refused", request=request)  # nothing reached the server
            return super().__call__(request)

    server = NeverCommits([head("agent", "someone else's [humectl run2]", rid="a2")], honours_filter=True)
    created = run(make_client(server).create(PROMPT, {"name": "agent", "text": "t", "version_description": ours}))
    assert created["version_description"] == ours and server.creates == 2


# -- DELETE after a lost answer --------------------------------------------------------------------


def test_a_delete_retried_after_a_lost_answer_that_meets_404_is_done() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ReadTimeout("no answer", request=request)  # it was deleted, the answer lost
        return httpx.Response(404, json={"message": "Prompt not found"})

    run(make_client(handler).delete(PROMPT, "abc"))
    assert calls == ["DELETE", "DELETE"]


def test_a_delete_of_what_never_existed_is_still_not_found() -> None:
    handler: Handler = lambda request: httpx.Response(404, json={"message": "Prompt not found"})  # noqa: E731
    with pytest.raises(NotFoundError):
        run(make_client(handler).delete(PROMPT, "abc"))


# -- a 2xx that is not what the API documents -----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "what"),
    [(b"", "empty body"), (b"<html>gateway</html>", "not JSON"), (b"[1, 2]", "JSON list"), (b'{"x": 1}', "without")],
)
def test_an_unreadable_2xx_is_an_error_naming_method_and_path(content: bytes, what: str) -> None:
    handler: Handler = lambda request: httpx.Response(200, content=content)  # noqa: E731
    with pytest.raises(InvalidResponseError) as err:
        run(make_client(handler).get_version(PROMPT, "abc", 3))
    assert err.value.message.startswith("GET /v0/evi/prompts/abc/version/3: HTTP 200 with")
    assert what in err.value.message


def test_an_unreadable_2xx_to_a_create_is_settled_by_reading_back() -> None:
    ours = "applied by humectl [humectl run1]"
    stored: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            stored.append(head("agent", ours, rid="made"))
            return httpx.Response(201, content=b"")  # committed, but the body is empty
        return page(stored, 0, 1)

    created = run(make_client(handler).create(PROMPT, {"name": "agent", "text": "t", "version_description": ours}))
    assert created["id"] == "made" and len(stored) == 1


def change(name: str) -> Change:
    return Change(
        address=f"prompt/{name}",
        kind="prompt",
        name=name,
        operations=(CREATE,),
        content={"text": "t"},
        version_description="d [humectl run1]",
    )


def test_apply_reports_every_exception_as_that_changes_failure() -> None:
    """A broken answer and a crash below the client both land in the report, located, not raised."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return page([], 0, 1)
        name = json.loads(request.content)["name"]
        if name == "a":
            return httpx.Response(201, content=b"<html>proxy error</html>")
        raise RuntimeError("the transport broke")

    for name, expected in [
        ("a", "POST /v0/evi/prompts: HTTP 201 with a body that is not JSON ('<html>proxy error</html>')"),
        ("b", "RuntimeError: the transport broke"),
    ]:
        plan = Plan(changes=[change(name), change("later")], run_id="run1")
        report, _ = run(apply_plan(plan, make_client(handler), parallelism=1))
        assert report.failed == [(f"prompt/{name}", expected)]
        assert report.done == [] and report.in_flight == [] and report.not_started == ["prompt/later"]
        assert report.stopped_by == "failure"


# -- reserved names ------------------------------------------------------------------------------


def test_list_heads_leaves_the_lock_out_and_keeps_it_aside() -> None:
    heads = [head("agent"), head("humectl-lock"), head("humectl-lock:dev-"), head("humectl-locksmith")]
    client = make_client(lambda request: page(heads, 0, 1))
    names = [h["name"] for h in run(client.list_heads(PROMPT))]
    assert names == ["agent", "humectl-locksmith"]
    assert [h["name"] for h in client.reserved_heads["prompt"]] == ["humectl-lock", "humectl-lock:dev-"]
    locks = run(make_client(lambda request: page(heads, 0, 1)).list_heads(PROMPT, "humectl-lock", reserved=True))
    assert [h["name"] for h in locks] == ["humectl-lock"]  # exact name, though the server ignored the filter


# -- --timeout / HUMECTL_TIMEOUT --------------------------------------------------------------------


def test_timeout_from_flag_env_and_default() -> None:
    def timeout(flag: float | None, env: dict[str, str]) -> float:
        return build_settings(base_url=None, emulator_db=None, timeout_s=flag, env=env).timeout_s

    assert timeout(None, {}) == DEFAULT_TIMEOUT_S
    assert timeout(None, {"HUMECTL_TIMEOUT": "2.5"}) == 2.5
    assert timeout(7, {"HUMECTL_TIMEOUT": "2.5"}) == 7
    for bad in ("abc", "0", "-1", "inf"):
        with pytest.raises(UsageError, match="HUMECTL_TIMEOUT"):
            timeout(None, {"HUMECTL_TIMEOUT": bad})
    client = make_client(lambda request: page([], 0, 0), timeout_s=4.0)
    assert client._http.timeout.read == 4.0 and client._http.timeout.connect == 4.0


def test_cli_timeout_flag_and_env_are_checked(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from humectl.cli.app import cli

    db = f"--emulator={tmp_path / 'db.sqlite3'}"
    (tmp_path / "evi.yaml").write_text("prompts:\n  - {name: p, text: hi}\n")
    bad_flag = CliRunner().invoke(cli, ["plan", str(tmp_path), db, "--timeout", "0"])
    assert bad_flag.exit_code == 1 and "--timeout" in bad_flag.output
    bad_env = CliRunner().invoke(cli, ["plan", str(tmp_path), db], env={"HUMECTL_TIMEOUT": "soon"})
    assert bad_env.exit_code == 1 and "HUMECTL_TIMEOUT must be a number of seconds" in bad_env.output
    good = CliRunner().invoke(cli, ["plan", str(tmp_path), db, "--timeout", "5"], env={"HUMECTL_TIMEOUT": "soon"})
    assert good.exit_code == 0, good.output
