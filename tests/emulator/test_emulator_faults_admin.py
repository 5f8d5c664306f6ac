"""Auth, pagination edges, fault injection (429/5xx/ambiguous writes/latency) and the admin endpoints."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from humectl.emulator.app import EmulatorConfig
from humectl.emulator.faults import TokenBucket, retry_after_header
from tests.emulator.conftest import LIVE_ERROR_KEYS, UNAUTHORIZED, InProcessClient, created, prompt_body

Factory = Callable[..., InProcessClient]

# ---- auth ---------------------------------------------------------------------------------------


def test_missing_key_is_401(client_factory: Factory) -> None:
    c = client_factory(api_key=None)
    resp = c.get("/v0/evi/prompts")
    assert resp.status_code == 401 and resp.json() == UNAUTHORIZED
    assert c.get("/v0/evi/prompts", headers={"X-Hume-Api-Key": ""}).status_code == 401
    assert c.get("/v0/evi/prompts", headers={"X-Hume-Api-Key": "anything"}).status_code == 200


def test_configured_key_is_the_only_one_accepted(client_factory: Factory) -> None:
    c = client_factory(EmulatorConfig(api_key="s3cret"), api_key="wrong")
    assert c.get("/v0/evi/configs").status_code == 401
    assert c.post("/v0/evi/prompts", json=prompt_body()).status_code == 401
    assert c.get("/v0/evi/configs", headers={"X-Hume-Api-Key": "s3cret"}).status_code == 200
    assert c.get("/v0/evi/prompts", headers={"X-Hume-Api-Key": "s3cret"}).json()["prompts_page"] == []


def test_unknown_paths_and_methods_are_json(client: InProcessClient) -> None:
    resp = client.get("/v0/evi/nothing-here")
    assert resp.status_code == 404 and set(resp.json()) == LIVE_ERROR_KEYS
    assert resp.json()["path"] == "/v0/evi/nothing-here" and resp.json()["status"] == 404
    resp = client.put("/v0/evi/prompts", json={})
    assert resp.status_code == 405 and resp.json()["code"] == "method_not_allowed"


# ---- pagination ---------------------------------------------------------------------------------


def test_pagination_edges(client: InProcessClient) -> None:
    for i in range(25):
        created(client.post("/v0/evi/prompts", json=prompt_body(f"p{i:02}")))
    first = client.get("/v0/evi/prompts").json()
    assert (first["page_size"], first["total_pages"], len(first["prompts_page"])) == (10, 3, 10)
    last = client.get("/v0/evi/prompts", params={"page_number": 2}).json()
    assert [p["name"] for p in last["prompts_page"]] == [f"p{i:02}" for i in range(20, 25)]
    past = client.get("/v0/evi/prompts", params={"page_number": 3})
    assert past.status_code == 200 and past.json()["prompts_page"] == [] and past.json()["total_pages"] == 3
    assert len(client.get("/v0/evi/prompts", params={"page_size": 100}).json()["prompts_page"]) == 25
    assert len(client.get("/v0/evi/prompts", params={"page_size": 1}).json()["prompts_page"]) == 1
    far = client.get("/v0/evi/prompts", params={"page_number": 10**30})
    assert far.status_code == 200 and far.json()["prompts_page"] == []


@pytest.mark.parametrize(
    ("params", "status", "where"),
    [
        ({"page_size": 0}, 400, "page_size"),
        ({"page_size": 101}, 400, "page_size"),
        ({"page_number": -1}, 400, "page_number"),
        ({"page_size": "ten"}, 422, "page_size"),
        ({"page_number": "1.5"}, 422, "page_number"),
        ({"restrict_to_most_recent": "maybe"}, 422, "restrict_to_most_recent"),
    ],
)
def test_bad_paging_parameters(client: InProcessClient, params: dict[str, object], status: int, where: str) -> None:
    for path in ("/v0/evi/prompts", "/v0/evi/tools", "/v0/evi/configs", "/v0/evi/chats"):
        if path == "/v0/evi/chats" and "restrict" in where:
            continue
        resp = client.get(path, params=params)
        assert resp.status_code == status, (path, resp.text)
        text = resp.json()["message"] if status == 400 else resp.json()["detail"][0]["loc"][-1]
        assert where in text


def test_empty_collection_has_zero_pages(client: InProcessClient) -> None:
    assert client.get("/v0/evi/tools").json() == {"page_number": 0, "page_size": 10, "total_pages": 0, "tools_page": []}


# ---- faults -------------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(client_factory: Factory) -> None:
    c = client_factory(EmulatorConfig(rate_limit=2))
    statuses = [c.get("/v0/evi/prompts").status_code for _ in range(5)]
    assert statuses[:2] == [200, 200] and 429 in statuses
    resp = next(r for r in (c.get("/v0/evi/prompts") for _ in range(3)) if r.status_code == 429)
    assert resp.headers["Retry-After"] == "1"
    body = resp.json()
    assert body["code"] == "rate_limited" and "retry after 1 s" in body["message"]
    stats = c.get("/_emulator/stats").json()
    assert stats["rate_limited"] >= 1 and stats["responses"]["GET /v0/evi/prompts"]["429"] >= 1


def test_retry_after_is_honest_about_slow_buckets(client_factory: Factory) -> None:
    c = client_factory(EmulatorConfig(rate_limit=0.2))  # one request every 5 s
    assert c.get("/v0/evi/tools").status_code == 200
    resp = c.get("/v0/evi/tools")
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) == 5


def test_token_bucket_refills_at_the_rate() -> None:
    now = [100.0]
    bucket = TokenBucket(2.0, clock=lambda: now[0])
    assert bucket.take() == 0.0 and bucket.take() == 0.0
    wait = bucket.take()
    assert wait == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take() == 0.0
    assert retry_after_header(0.01) == "1" and retry_after_header(1.2) == "2" and retry_after_header(5.0) == "5"


def test_fault_rate_fails_before_doing_anything(client_factory: Factory) -> None:
    c = client_factory(EmulatorConfig(fault_rate=1.0))
    resp = c.post("/v0/evi/prompts", json=prompt_body())
    assert resp.status_code == 503 and resp.json()["code"] == "injected_fault"
    c.put("/_emulator/faults", json={"fault_rate": 0})
    assert c.get("/v0/evi/prompts").json()["prompts_page"] == []


def test_faults_are_deterministic_with_a_seed(client_factory: Factory) -> None:
    runs = []
    for _ in range(2):
        c = client_factory(EmulatorConfig(fault_rate=0.5, seed=42))
        runs.append([c.get("/v0/evi/prompts").status_code for _ in range(30)])
    assert runs[0] == runs[1] and set(runs[0]) == {200, 503}


def test_ambiguous_write_commits_then_answers_502(client_factory: Factory) -> None:
    c = client_factory(EmulatorConfig(ambiguous_write_rate=1.0))
    resp = c.post("/v0/evi/prompts", json=prompt_body())
    assert resp.status_code == 502 and resp.json()["code"] == "bad_gateway"
    listed = c.get("/v0/evi/prompts").json()["prompts_page"]
    assert [p["name"] for p in listed] == ["support-agent"]  # it was committed
    pid = listed[0]["id"]
    assert c.post(f"/v0/evi/prompts/{pid}", json={"text": "v1"}).status_code == 502
    assert c.get(f"/v0/evi/prompts/{pid}/version/1").status_code == 200
    # a write that fails validation is answered truthfully; reads and other writes are never lost
    assert c.post("/v0/evi/prompts", json={"name": "x"}).status_code == 422
    assert c.patch(f"/v0/evi/prompts/{pid}", json={"name": "y"}).status_code == 200
    assert c.post("/v0/tts/voices", json={"generation_id": "g", "name": "v"}).status_code == 502
    stats = c.get("/_emulator/stats").json()
    assert stats["ambiguous_writes"] == 3 and stats["by_status"]["502"] == 3


def test_latency_is_added_without_blocking_other_requests(client_factory: Factory) -> None:
    c = client_factory(EmulatorConfig(latency_ms=150))
    start = time.perf_counter()
    assert c.get("/v0/evi/prompts").status_code == 200
    assert time.perf_counter() - start >= 0.15
    start = time.perf_counter()
    responses = c.gather(*[("GET", "/v0/evi/tools", {}) for _ in range(8)])
    elapsed = time.perf_counter() - start
    assert all(r.status_code == 200 for r in responses)
    assert 0.15 <= elapsed < 0.15 * 4  # concurrent sleeps, not 8 x 150 ms
    start = time.perf_counter()
    c.get("/_emulator/stats")
    assert time.perf_counter() - start < 0.1  # admin endpoints are never delayed


# ---- admin --------------------------------------------------------------------------------------


def test_stats_count_by_route_template_and_status(client: InProcessClient) -> None:
    p = created(client.post("/v0/evi/prompts", json=prompt_body()))
    created(client.post(f"/v0/evi/prompts/{p['id']}", json={"text": "v1"}))
    client.get("/v0/evi/prompts")
    client.get("/v0/evi/prompts")
    client.get(f"/v0/evi/prompts/{p['id']}/version/9")
    stats = client.get("/_emulator/stats").json()
    assert stats["requests"] == {
        "GET /v0/evi/prompts": 2,
        "GET /v0/evi/prompts/{id}/version/{version}": 1,
        "POST /v0/evi/prompts": 1,
        "POST /v0/evi/prompts/{id}": 1,
    }
    assert stats["total"] == 5
    assert stats["by_status"] == {"200": 2, "201": 2, "404": 1}
    assert stats["responses"]["GET /v0/evi/prompts/{id}/version/{version}"] == {"404": 1}


def test_reset_empties_store_and_counters_but_keeps_faults(client: InProcessClient) -> None:
    created(client.post("/v0/evi/prompts", json=prompt_body()))
    client.post("/v0/tts/voices", json={"generation_id": "g", "name": "v"})
    client.put("/_emulator/faults", json={"latency_ms": 1})
    assert client.post("/_emulator/reset").status_code == 200
    assert client.get("/_emulator/stats").json()["total"] == 0
    assert client.get("/v0/evi/prompts").json()["prompts_page"] == []
    assert client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"] == []
    assert client.get("/_emulator/faults").json()["latency_ms"] == 1
    created(client.post("/v0/evi/prompts", json=prompt_body()))  # the name is free again


def test_faults_endpoint_reads_and_sets(client: InProcessClient) -> None:
    assert client.get("/_emulator/faults").json() == {
        "latency_ms": 0,
        "rate_limit": None,
        "fault_rate": 0.0,
        "ambiguous_write_rate": 0.0,
        "seed": 1,
    }
    resp = client.put("/_emulator/faults", json={"rate_limit": 1, "fault_rate": 0.25})
    assert resp.status_code == 200
    assert resp.json()["rate_limit"] == 1 and resp.json()["fault_rate"] == 0.25 and resp.json()["latency_ms"] == 0
    client.put("/_emulator/faults", json={"rate_limit": None, "fault_rate": None})
    assert client.get("/_emulator/faults").json()["rate_limit"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"fault_rate": 1.5}, 400),
        ({"ambiguous_write_rate": -0.1}, 400),
        ({"latency_ms": -1}, 400),
        ({"rate_limit": 0}, 400),
        ({"fault_rate": "high"}, 422),
    ],
)
def test_faults_endpoint_rejects_bad_settings(client: InProcessClient, body: dict[str, object], status: int) -> None:
    resp = client.put("/_emulator/faults", json=body)
    assert resp.status_code == status
    assert client.get("/_emulator/faults").json()["fault_rate"] == 0.0


def test_admin_is_exempt_from_faults_but_not_from_a_key(client_factory: Factory) -> None:
    c = client_factory(EmulatorConfig(api_key="k", rate_limit=0.01, fault_rate=1.0), api_key="k")
    for _ in range(5):
        assert c.get("/_emulator/stats").status_code == 200
        assert c.get("/_emulator/faults").status_code == 200
    assert c.get("/_emulator/stats").json()["total"] == 0
    stranger = client_factory(EmulatorConfig(api_key="k"), api_key="not-k")
    for method, path in (("GET", "stats"), ("POST", "reset"), ("GET", "faults"), ("PUT", "faults"), ("POST", "seed")):
        refused = stranger.request(method, f"/_emulator/{path}", json={})
        assert refused.status_code == 401 and refused.json() == UNAUTHORIZED, path
    assert client_factory(api_key=None).get("/_emulator/stats").status_code == 200  # no key set: open
