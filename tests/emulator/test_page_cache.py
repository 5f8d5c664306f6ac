"""The emulator's list-page cache never serves a stale page: every write, here or through another
connection to the same file, is visible on the next read (resources.py ``_paged``, Store.change_mark)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from humectl.emulator.app import EmulatorConfig
from humectl.emulator.store import Store

from .conftest import InProcessClient


def names(client: InProcessClient, path: str = "/v0/evi/prompts", **params: object) -> list[str]:
    response = client.get(path, params={"page_size": 100, **params})
    assert response.status_code == 200
    page_key = path.rsplit("/", 1)[-1] + "_page"
    return [item["name"] for item in response.json()[page_key]]


def test_writes_through_the_api_show_on_the_next_read(client: InProcessClient) -> None:
    assert names(client) == []
    created = client.post("/v0/evi/prompts", json={"name": "a", "text": "hi"}).json()
    assert names(client) == ["a"]
    assert client.post(f"/v0/evi/prompts/{created['id']}", json={"text": "v1"}).status_code == 201
    page = client.get("/v0/evi/prompts", params={"page_size": 100}).json()["prompts_page"]
    assert [(p["name"], p["version"], p["text"]) for p in page] == [("a", 1, "v1")]
    assert client.patch(f"/v0/evi/prompts/{created['id']}", json={"name": "b"}).status_code == 200
    assert names(client) == ["b"]
    assert names(client, restrict_to_most_recent="false") == ["b", "b"]
    assert client.delete(f"/v0/evi/prompts/{created['id']}").status_code == 200
    assert names(client) == []


def test_a_renamed_prompt_shows_inside_the_configs_that_embed_it(client: InProcessClient) -> None:
    prompt = client.post("/v0/evi/prompts", json={"name": "p", "text": "hi"}).json()
    body = {"name": "c", "evi_version": "3", "prompt": {"id": prompt["id"], "version": 0}}
    assert client.post("/v0/evi/configs", json=body).status_code == 201
    first = client.get("/v0/evi/configs").json()["configs_page"][0]
    assert first["prompt"]["name"] == "p"
    client.patch(f"/v0/evi/prompts/{prompt['id']}", json={"name": "q"})
    again = client.get("/v0/evi/configs").json()["configs_page"][0]
    assert again["prompt"]["name"] == "q"


def test_a_write_by_another_connection_to_the_same_file_is_seen(
    tmp_path: Path, client_factory: Callable[..., InProcessClient]
) -> None:
    db = str(tmp_path / "account.sqlite3")
    client = client_factory(EmulatorConfig(db=db, seed=1))
    client.post("/v0/evi/prompts", json={"name": "a", "text": "hi"})
    assert names(client) == ["a"]
    other = Store(db)  # e.g. another humectl process on the same --emulator file
    try:
        other.create_resource("prompt", "b", {"text": "there"}, None)
    finally:
        other.close()
    assert names(client) == ["a", "b"]


def test_the_cache_empties_on_a_change_and_past_its_byte_budget() -> None:
    from humectl.emulator.resources import _PageCache

    cache = _PageCache()
    cache.budget = 10
    cache.put((1, 0), ("a",), b"12345")
    cache.put((1, 0), ("b",), b"12345")
    assert cache.get((1, 0), ("a",)) == b"12345" and cache.size == 10
    cache.put((1, 0), ("c",), b"1")  # over budget: start again
    assert cache.get((1, 0), ("a",)) is None and cache.get((1, 0), ("c",)) == b"1" and cache.size == 1
    assert cache.get((2, 0), ("c",)) is None and cache.size == 0  # the store changed
