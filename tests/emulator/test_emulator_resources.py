"""The nine operations of prompts, tools and configs, in process, the same checks for each kind."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator.conftest import (
    LIVE_ERROR_KEYS,
    UNKNOWN_ID,
    InProcessClient,
    config_body,
    created,
    prompt_body,
    tool_body,
)

KINDS: dict[str, tuple[str, Callable[..., dict[str, Any]]]] = {
    "prompts": ("prompts_page", prompt_body),
    "tools": ("tools_page", tool_body),
    "configs": ("configs_page", config_body),
}


def _names(kind: str) -> tuple[str, str]:
    return (f"{kind}_one", f"{kind}_two")


def _version_body(kind: str, n: int) -> dict[str, Any]:
    body = KINDS[kind][1]("ignored")
    body.pop("name")
    if kind == "prompts":
        body["text"] = f"text v{n}"
    elif kind == "tools":
        body["description"] = f"v{n}"
    return body


@pytest.fixture(params=list(KINDS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _create(client: InProcessClient, kind: str, name: str) -> dict[str, Any]:
    return created(client.post(f"/v0/evi/{kind}", json=KINDS[kind][1](name)))


def test_create_returns_201_uuid_version_0_ms_timestamps(client: InProcessClient, kind: str) -> None:
    body = _create(client, kind, _names(kind)[0])
    assert uuid.UUID(body["id"]).version == 4
    assert body["version"] == 0
    assert body["created_on"] == body["modified_on"] > 10**12  # epoch milliseconds
    assert body["name"] == _names(kind)[0]
    assert body["version_description"] is None
    if kind != "configs":
        assert body["version_type"] == "FIXED"


def test_create_version_increments_and_keeps_created_on(client: InProcessClient, kind: str) -> None:
    first = _create(client, kind, _names(kind)[0])
    for n in (1, 2):
        resp = client.post(
            f"/v0/evi/{kind}/{first['id']}", json={**_version_body(kind, n), "version_description": f"d{n}"}
        )
        v = created(resp)
        assert (v["id"], v["version"], v["created_on"], v["name"]) == (
            first["id"],
            n,
            first["created_on"],
            first["name"],
        )
        assert v["modified_on"] >= first["modified_on"]
        assert v["version_description"] == f"d{n}"


def test_list_restrict_to_most_recent_defaults_true(client: InProcessClient, kind: str) -> None:
    page_key = KINDS[kind][0]
    a = _create(client, kind, _names(kind)[0])
    b = _create(client, kind, _names(kind)[1])
    created(client.post(f"/v0/evi/{kind}/{a['id']}", json=_version_body(kind, 1)))
    latest = client.get(f"/v0/evi/{kind}").json()
    assert [(x["id"], x["version"]) for x in latest[page_key]] == [(a["id"], 1), (b["id"], 0)]
    assert latest["total_pages"] == 1 and latest["page_number"] == 0 and latest["page_size"] == 10
    every = client.get(f"/v0/evi/{kind}", params={"restrict_to_most_recent": "false"}).json()
    assert [(x["id"], x["version"]) for x in every[page_key]] == [(a["id"], 0), (a["id"], 1), (b["id"], 0)]
    explicit = client.get(f"/v0/evi/{kind}", params={"restrict_to_most_recent": "true"}).json()
    assert explicit == latest


def test_list_name_filter_is_exact(client: InProcessClient, kind: str) -> None:
    page_key = KINDS[kind][0]
    a = _create(client, kind, _names(kind)[0])
    _create(client, kind, _names(kind)[1])
    created(client.post(f"/v0/evi/{kind}/{a['id']}", json=_version_body(kind, 1)))
    named = client.get(f"/v0/evi/{kind}", params={"name": _names(kind)[0]}).json()
    assert [(x["id"], x["version"]) for x in named[page_key]] == [(a["id"], 1)]
    named_all = client.get(f"/v0/evi/{kind}", params={"name": _names(kind)[0], "restrict_to_most_recent": "false"})
    assert [x["version"] for x in named_all.json()[page_key]] == [0, 1]
    # A name nothing has: an error, as live answered (docs/fidelity.md), not an empty page.
    missing = client.get(f"/v0/evi/{kind}", params={"name": _names(kind)[0][:-1]})
    assert missing.status_code == 400, missing.text
    assert f"(Name: {_names(kind)[0][:-1]}) does not exist" in missing.json()["message"]


def test_list_versions_of_one_resource(client: InProcessClient, kind: str) -> None:
    page_key = KINDS[kind][0]
    a = _create(client, kind, _names(kind)[0])
    _create(client, kind, _names(kind)[1])
    for n in (1, 2):
        created(client.post(f"/v0/evi/{kind}/{a['id']}", json=_version_body(kind, n)))
    default = client.get(f"/v0/evi/{kind}/{a['id']}").json()
    assert [x["version"] for x in default[page_key]] == [2]  # restrict_to_most_recent defaults to true here too
    history = client.get(f"/v0/evi/{kind}/{a['id']}", params={"restrict_to_most_recent": "false"}).json()
    assert [x["version"] for x in history[page_key]] == [0, 1, 2]
    assert {x["id"] for x in history[page_key]} == {a["id"]}
    paged = client.get(f"/v0/evi/{kind}/{a['id']}", params={"restrict_to_most_recent": "false", "page_size": 2})
    assert paged.json()["total_pages"] == 2 and len(paged.json()[page_key]) == 2


def test_rename_keeps_versions_and_answers_empty_200(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    created(client.post(f"/v0/evi/{kind}/{a['id']}", json=_version_body(kind, 1)))
    resp = client.patch(f"/v0/evi/{kind}/{a['id']}", json={"name": "renamed"})
    assert resp.status_code == 200 and resp.content == b""
    history = client.get(f"/v0/evi/{kind}/{a['id']}", params={"restrict_to_most_recent": "false"}).json()
    assert [(x["name"], x["version"]) for x in history[KINDS[kind][0]]] == [("renamed", 0), ("renamed", 1)]
    # renaming to its own name is fine
    assert client.patch(f"/v0/evi/{kind}/{a['id']}", json={"name": "renamed"}).status_code == 200


def test_get_version_and_update_description(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    v1 = created(client.post(f"/v0/evi/{kind}/{a['id']}", json=_version_body(kind, 1)))
    got = client.get(f"/v0/evi/{kind}/{a['id']}/version/0")
    assert got.status_code == 200 and got.json() == a
    resp = client.patch(f"/v0/evi/{kind}/{a['id']}/version/1", json={"version_description": "better"})
    assert resp.status_code == 200
    assert resp.json() == {**v1, "version_description": "better"}  # nothing else changes, no new version
    assert client.get(f"/v0/evi/{kind}/{a['id']}/version/1").json()["version_description"] == "better"
    cleared = client.patch(f"/v0/evi/{kind}/{a['id']}/version/1", json={"version_description": None})
    assert cleared.json()["version_description"] is None
    assert client.patch(f"/v0/evi/{kind}/{a['id']}/version/1", json={}).json()["version_description"] is None
    listed = client.get(f"/v0/evi/{kind}/{a['id']}", params={"restrict_to_most_recent": "false"}).json()
    assert len(listed[KINDS[kind][0]]) == 2


def test_delete_version_never_reuses_numbers(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    created(client.post(f"/v0/evi/{kind}/{a['id']}", json=_version_body(kind, 1)))
    resp = client.delete(f"/v0/evi/{kind}/{a['id']}/version/1")
    assert resp.status_code == 200 and resp.content == b""
    assert client.get(f"/v0/evi/{kind}/{a['id']}/version/1").status_code == 404
    latest = client.get(f"/v0/evi/{kind}/{a['id']}").json()[KINDS[kind][0]]
    assert [x["version"] for x in latest] == [0]  # latest is now the one before
    again = created(client.post(f"/v0/evi/{kind}/{a['id']}", json=_version_body(kind, 2)))
    assert again["version"] == 2
    assert client.delete(f"/v0/evi/{kind}/{a['id']}/version/1").status_code == 404


def test_deleting_the_last_version_deletes_the_resource(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    assert client.delete(f"/v0/evi/{kind}/{a['id']}/version/0").status_code == 200
    assert client.get(f"/v0/evi/{kind}/{a['id']}").status_code == 404
    _create(client, kind, _names(kind)[0])  # the name is free again


def test_delete_resource(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    b = _create(client, kind, _names(kind)[1])
    resp = client.delete(f"/v0/evi/{kind}/{a['id']}")
    assert resp.status_code == 200 and resp.content == b""
    remaining = client.get(f"/v0/evi/{kind}", params={"restrict_to_most_recent": "false"}).json()[KINDS[kind][0]]
    assert [x["id"] for x in remaining] == [b["id"]]
    assert client.get(f"/v0/evi/{kind}/{a['id']}/version/0").status_code == 404
    assert client.delete(f"/v0/evi/{kind}/{a['id']}").status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("POST", "", "version"),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
        ("GET", "/version/0", None),
        ("PATCH", "/version/0", {"version_description": "x"}),
        ("DELETE", "/version/0", None),
    ],
)
def test_unknown_id_is_404_error_response(
    client: InProcessClient, kind: str, method: str, suffix: str, body: Any
) -> None:
    json_body = _version_body(kind, 1) if body == "version" else body
    resp = client.request(method, f"/v0/evi/{kind}/{UNKNOWN_ID}{suffix}", json=json_body)
    assert resp.status_code == 404, resp.text
    err = resp.json()
    assert set(err) == LIVE_ERROR_KEYS and UNKNOWN_ID in err["message"]


def test_unknown_version_of_known_id_is_404(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    for method in ("GET", "DELETE"):
        resp = client.request(method, f"/v0/evi/{kind}/{a['id']}/version/7")
        # Live's words: "Config (ID: <id>, VERSION: 1) does not exist" (laravel-hume's live tests).
        assert resp.status_code == 404 and f"(ID: {a['id']}, VERSION: 7) does not exist" in resp.json()["message"]


def test_malformed_path_parameters_are_422(client: InProcessClient, kind: str) -> None:
    resp = client.get(f"/v0/evi/{kind}/not-a-uuid")
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["path", "id"]
    a = _create(client, kind, _names(kind)[0])
    resp = client.get(f"/v0/evi/{kind}/{a['id']}/version/latest")
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["path", "version"]


def test_duplicate_names_rejected_on_create_and_rename(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    b = _create(client, kind, _names(kind)[1])
    dup = client.post(f"/v0/evi/{kind}", json=KINDS[kind][1](_names(kind)[0]))
    assert dup.status_code == 400
    assert dup.json()["code"] == "duplicate_name" and a["id"] in dup.json()["message"]
    clash = client.patch(f"/v0/evi/{kind}/{b['id']}", json={"name": _names(kind)[0]})
    assert clash.status_code == 400 and clash.json()["code"] == "duplicate_name"
    assert client.get(f"/v0/evi/{kind}/{b['id']}").json()[KINDS[kind][0]][0]["name"] == _names(kind)[1]


def test_names_of_other_kinds_do_not_clash(client: InProcessClient) -> None:
    created(client.post("/v0/evi/prompts", json=prompt_body("same")))
    created(client.post("/v0/evi/tools", json=tool_body("same")))
    created(client.post("/v0/evi/configs", json=config_body("same")))


@pytest.mark.parametrize("payload", [b"", b"{not json", b"[]", b'"text"'])
def test_unparseable_or_non_object_bodies_are_422(client: InProcessClient, kind: str, payload: bytes) -> None:
    resp = client.post(f"/v0/evi/{kind}", content=payload, headers={"content-type": "application/json"})
    assert resp.status_code == 422, resp.text
    assert resp.json()["detail"][0]["loc"][0] == "body"


def test_missing_required_fields_are_422_all_at_once(client: InProcessClient, kind: str) -> None:
    resp = client.post(f"/v0/evi/{kind}", json={})
    assert resp.status_code == 422
    missing = {tuple(d["loc"]) for d in resp.json()["detail"] if d["type"] == "missing"}
    required = {"prompts": {"name", "text"}, "tools": {"name", "parameters"}, "configs": {"name", "evi_version"}}
    assert missing == {("body", f) for f in required[kind]}


def test_wrong_types_are_422(client: InProcessClient, kind: str) -> None:
    resp = client.post(f"/v0/evi/{kind}", json={**KINDS[kind][1]("x"), "name": 5, "version_description": ["no"]})
    assert resp.status_code == 422
    assert {tuple(d["loc"]) for d in resp.json()["detail"]} == {("body", "name"), ("body", "version_description")}
    assert all(d["type"] == "string_type" for d in resp.json()["detail"])


def test_null_and_omitted_are_the_same(client: InProcessClient, kind: str) -> None:
    body = KINDS[kind][1]("with_nulls", version_description=None)
    with_null = _create(client, kind, "with_nulls")
    created_null = created(client.post(f"/v0/evi/{kind}", json={**body, "name": "with_nulls2"}))
    strip = {"id", "name", "created_on", "modified_on"}
    assert {k: v for k, v in with_null.items() if k not in strip} == {
        k: v for k, v in created_null.items() if k not in strip
    }


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_names_are_400(client: InProcessClient, kind: str, name: str) -> None:
    resp = client.post(f"/v0/evi/{kind}", json=KINDS[kind][1](name))
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_name"
    a = _create(client, kind, _names(kind)[0])
    assert client.patch(f"/v0/evi/{kind}/{a['id']}", json={"name": name}).status_code == 400


def test_rename_body_needs_a_name(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    resp = client.patch(f"/v0/evi/{kind}/{a['id']}", json={})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "name"]


def test_version_body_ignores_name(client: InProcessClient, kind: str) -> None:
    a = _create(client, kind, _names(kind)[0])
    v = created(client.post(f"/v0/evi/{kind}/{a['id']}", json={**_version_body(kind, 1), "name": "sneaky"}))
    assert v["name"] == _names(kind)[0]
