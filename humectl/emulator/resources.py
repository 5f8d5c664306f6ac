"""The nine operations every versioned EVI resource (prompt, tool, config) offers, written once.

What differs per kind (paths, page key, body schemas, how a body becomes stored content, how content
is rendered) lives in a :class:`ResourceKind`; the handlers below look it up instead of branching.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from humectl.emulator.configs import build_config_content, render_config
from humectl.emulator.responses import empty_ok, endpoint, json_response, store_of
from humectl.emulator.shapes import render_prompt, render_tool
from humectl.emulator.store import DuplicateNameError, Store, VersionRow
from humectl.emulator.validation import (
    CONFIG_BODY,
    CONFIG_VERSION_BODY,
    DESCRIPTION_BODY,
    NAME_BODY,
    PROMPT_BODY,
    PROMPT_VERSION_BODY,
    TOOL_BODY,
    TOOL_VERSION_BODY,
    Obj,
    bad_request,
    check_name,
    check_tool_parameters,
    no_such_name,
    not_found,
    parse_int,
    parse_page,
    parse_query_bool,
    parse_uuid,
    unknown_fields,
    validate_body,
    with_unknown_fields,
)

# (store, body, previous latest version or None) -> (content, prompt to create from text or None)
BuildContent = Callable[[Store, dict[str, Any], VersionRow | None], tuple[dict[str, Any], dict[str, Any] | None]]
Render = Callable[[Store, VersionRow], dict[str, Any]]


@dataclass(frozen=True)
class ResourceKind:
    name: str  # "prompt": the store's kind
    label: str  # "Prompt": for messages
    plural: str  # "prompts": the path segment
    page_key: str  # "prompts_page"
    create_body: Obj
    version_body: Obj
    build: BuildContent
    render: Render
    render_listed: Render  # an item of a list page (Hume's list schemas can differ from the single one)


def _build_prompt(
    store: Store, body: dict[str, Any], previous: VersionRow | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    content: dict[str, Any] = {"text": body["text"]}
    expansion = body.get("prompt_expansion")
    if expansion is not None:
        # prompt_expansion.enabled defaults to true (spec).
        enabled = expansion.get("enabled")
        content["prompt_expansion"] = {"enabled": True if enabled is None else enabled}
    return content, None


def _build_tool(
    store: Store, body: dict[str, Any], previous: VersionRow | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    check_tool_parameters(body["parameters"])
    return {
        "parameters": body["parameters"],  # byte-for-byte, as Hume keeps it
        "description": body.get("description"),
        "fallback_content": body.get("fallback_content"),
    }, None


def _build_config(
    store: Store, body: dict[str, Any], previous: VersionRow | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    return build_config_content(store, body, previous=previous)


PROMPTS = ResourceKind(
    "prompt",
    "Prompt",
    "prompts",
    "prompts_page",
    PROMPT_BODY,
    PROMPT_VERSION_BODY,
    _build_prompt,
    lambda store, row: render_prompt(row),
    lambda store, row: render_prompt(row, with_expansion=False),
)
TOOLS = ResourceKind(
    "tool",
    "Tool",
    "tools",
    "tools_page",
    TOOL_BODY,
    TOOL_VERSION_BODY,
    _build_tool,
    lambda store, row: render_tool(row),
    lambda store, row: render_tool(row),
)
CONFIGS = ResourceKind(
    "config",
    "Config",
    "configs",
    "configs_page",
    CONFIG_BODY,
    CONFIG_VERSION_BODY,
    _build_config,
    render_config,
    render_config,
)
RESOURCE_KINDS = (PROMPTS, TOOLS, CONFIGS)

# The key of a stored version's content that holds the fields of its request the spec lacks.
UNKNOWN = "unknown"


def _keep_unknown(kind: ResourceKind, request: Request, body: dict[str, Any], content: dict[str, Any]) -> None:
    """Store the fields of ``body`` the spec lacks with the version (live kept fields its spec lacks)."""
    if not request.app.state.config.keep_unknown_fields:
        return
    unknown = unknown_fields(body, kind.create_body)
    if unknown:
        content[UNKNOWN] = unknown


def _answer(kind: ResourceKind, store: Store, row: VersionRow, *, listed: bool = False) -> dict[str, Any]:
    """A stored version as Hume answers it, with the fields the spec lacks it was stored with."""
    shown = (kind.render_listed if listed else kind.render)(store, row)
    return with_unknown_fields(shown, row.content.get(UNKNOWN), kind.create_body)


# ---- helpers -----------------------------------------------------------------------------------


def _id_param(request: Request) -> str:
    return parse_uuid(request.path_params["id"])


def _version_param(request: Request) -> int:
    return parse_int(request.path_params["version"], ["path", "version"])


def _missing(kind: ResourceKind, rid: str, version: int | None = None) -> Exception:
    # Live's words (Arkitecht/laravel-hume's live tests; hume-python-sdk's service tests, 2024).
    if version is None:
        return not_found(f"{kind.label} (ID: {rid}) does not exist")
    return not_found(f"{kind.label} (ID: {rid}, VERSION: {version}) does not exist")


def _refuse_in_use(request: Request, kind: ResourceKind, rid: str, version: int | None) -> None:
    """With ``refuse_referenced_deletes``: a 400 for deleting what a config version references."""
    if kind.name == "config" or not request.app.state.config.refuse_referenced_deletes:
        return
    users = store_of(request).configs_using(kind.name, rid, version)
    if users:
        what = f"{kind.label} (ID: {rid})" if version is None else f"{kind.label} (ID: {rid}, VERSION: {version})"
        used = ", ".join(f"{name} version {v}" for name, v in users[:5])
        raise bad_request(f"{what} is used by config {used}", "resource_in_use")


def _duplicate(kind: ResourceKind, store: Store, name: str) -> Exception:
    owner = store.id_for_name(kind.name, name)
    return bad_request(
        f"A {kind.name} named {name!r} already exists (id {owner}); {kind.name} names must be unique",
        "duplicate_name",
    )


class _PageCache:
    """Rendered list pages (JSON bytes) of one store while its data does not change (Store.change_mark).

    A page of 100 configs embeds 300 prompt/tool versions; rendering it for every read made the
    emulator, not the client, the bottleneck of bench/plan_scale.py. Any change empties the cache, and
    so does passing ``budget`` bytes (a 5,000-config account read at page_size 10 and 100 is ~40 MB).
    """

    budget = 64 * 2**20

    def __init__(self) -> None:
        self.mark: tuple[int, int] | None = None
        self.pages: dict[tuple[Any, ...], bytes] = {}
        self.size = 0

    def get(self, mark: tuple[int, int], key: tuple[Any, ...]) -> bytes | None:
        if mark != self.mark:
            self.mark, self.pages, self.size = mark, {}, 0
        return self.pages.get(key)

    def put(self, mark: tuple[int, int], key: tuple[Any, ...], body: bytes) -> None:
        if mark != self.mark or self.size + len(body) > self.budget:
            self.mark, self.pages, self.size = mark, {}, 0
        self.size += len(body) - len(self.pages.get(key, b""))
        self.pages[key] = body


_PAGES: WeakKeyDictionary[Store, _PageCache] = WeakKeyDictionary()


def _paged(kind: ResourceKind, request: Request, *, rid: str | None, name: str | None) -> Response:
    store = store_of(request)
    page = parse_page(request.query_params)
    most_recent = parse_query_bool(request.query_params, "restrict_to_most_recent", True)
    mark = store.change_mark()  # read before the rows: a change meanwhile makes this entry stale, not wrong
    cache = _PAGES.setdefault(store, _PageCache())
    key = (kind.name, rid, name, most_recent, page.number, page.size)
    cached = cache.get(mark, key)
    if cached is None:
        rows, total = store.list_versions(
            kind.name, rid=rid, name=name, most_recent=most_recent, offset=page.offset, limit=page.size
        )
        body = {
            "page_number": page.number,
            "page_size": page.size,
            "total_pages": page.total_pages(total),
            kind.page_key: [_answer(kind, store, row, listed=True) for row in rows],
        }
        cached = bytes(json_response(body).body)
        cache.put(mark, key, cached)
    return Response(cached, media_type="application/json")


def _create_prompt_from_text(store: Store, spec: dict[str, Any]) -> dict[str, Any]:
    """A config posted with ``prompt.text`` gets a new prompt named as live named them:
    ``created_inline_<uuid>`` (a live answer recorded in Arkitecht/laravel-hume's tests)."""
    name = f"created_inline_{uuid.uuid4()}"
    content, _ = _build_prompt(store, {"text": spec["text"], "prompt_expansion": spec.get("prompt_expansion")}, None)
    row = store.create_resource("prompt", name, content, None)
    return {"id": row.id, "version": row.version}


# ---- the nine operations -----------------------------------------------------------------------


def routes_for(kind: ResourceKind) -> list[Route]:
    """The three paths of one kind, each with its methods."""

    @endpoint
    async def list_resources(request: Request) -> Response:
        name = request.query_params.get("name")
        if name is not None and store_of(request).id_for_name(kind.name, name) is None:
            raise no_such_name(kind.label, name)  # as live did: an error, not an empty page
        return _paged(kind, request, rid=None, name=name)

    @endpoint
    async def create(request: Request) -> Response:
        store = store_of(request)
        body = validate_body(await request.body(), kind.create_body)
        name = check_name(body["name"], kind.label)
        if not store.allow_duplicate_names and store.id_for_name(kind.name, name) is not None:
            raise _duplicate(kind, store, name)
        content, new_prompt = kind.build(store, body, None)
        _keep_unknown(kind, request, body, content)
        if new_prompt is not None:
            content["prompt"] = _create_prompt_from_text(store, new_prompt)
        try:
            row = store.create_resource(kind.name, name, content, body.get("version_description"))
        except DuplicateNameError:
            raise _duplicate(kind, store, name) from None
        return json_response(_answer(kind, store, row), status=201)

    @endpoint
    async def list_versions(request: Request) -> Response:
        rid = _id_param(request)
        if not store_of(request).resource_exists(kind.name, rid):
            raise _missing(kind, rid)
        return _paged(kind, request, rid=rid, name=None)

    @endpoint
    async def create_version(request: Request) -> Response:
        store = store_of(request)
        rid = _id_param(request)
        previous = store.latest_version(kind.name, rid)
        if previous is None:
            raise _missing(kind, rid)
        body = validate_body(await request.body(), kind.version_body)
        content, new_prompt = kind.build(store, body, previous)
        _keep_unknown(kind, request, body, content)
        if new_prompt is not None:
            content["prompt"] = _create_prompt_from_text(store, new_prompt)
        row = store.create_version(kind.name, rid, content, body.get("version_description"))
        if row is None:  # deleted while we validated
            raise _missing(kind, rid)
        return json_response(_answer(kind, store, row), status=201)

    @endpoint
    async def rename(request: Request) -> Response:
        store = store_of(request)
        rid = _id_param(request)
        if not store.resource_exists(kind.name, rid):
            raise _missing(kind, rid)
        body = validate_body(await request.body(), NAME_BODY)
        name = check_name(body["name"], kind.label)
        owner = None if store.allow_duplicate_names else store.id_for_name(kind.name, name)
        if owner is not None and owner != rid:
            raise _duplicate(kind, store, name)
        try:
            if not store.rename(kind.name, rid, name):
                raise _missing(kind, rid)
        except DuplicateNameError:
            raise _duplicate(kind, store, name) from None
        return empty_ok()

    @endpoint
    async def delete(request: Request) -> Response:
        rid = _id_param(request)
        _refuse_in_use(request, kind, rid, None)
        if not store_of(request).delete_resource(kind.name, rid):
            raise _missing(kind, rid)
        return empty_ok()

    @endpoint
    async def get_version(request: Request) -> Response:
        store = store_of(request)
        rid, version = _id_param(request), _version_param(request)
        row = store.get_version(kind.name, rid, version)
        if row is None:
            raise _missing(kind, rid, version)
        return json_response(_answer(kind, store, row))

    @endpoint
    async def update_description(request: Request) -> Response:
        store = store_of(request)
        rid, version = _id_param(request), _version_param(request)
        if store.get_version(kind.name, rid, version) is None:
            raise _missing(kind, rid, version)
        body = validate_body(await request.body(), DESCRIPTION_BODY)
        row = store.set_version_description(kind.name, rid, version, body.get("version_description"))
        if row is None:
            raise _missing(kind, rid, version)
        return json_response(_answer(kind, store, row))

    @endpoint
    async def delete_version(request: Request) -> Response:
        rid, version = _id_param(request), _version_param(request)
        _refuse_in_use(request, kind, rid, version)
        if not store_of(request).delete_version(kind.name, rid, version):
            raise _missing(kind, rid, version)
        return empty_ok()

    base = f"/v0/evi/{kind.plural}"
    return [
        _dispatch(base, {"GET": list_resources, "POST": create}),
        _dispatch(f"{base}/{{id}}", {"GET": list_versions, "POST": create_version, "PATCH": rename, "DELETE": delete}),
        _dispatch(
            f"{base}/{{id}}/version/{{version}}",
            {"GET": get_version, "PATCH": update_description, "DELETE": delete_version},
        ),
    ]


def _dispatch(path: str, handlers: dict[str, Callable[[Request], Any]]) -> Route:
    """One Route per path (so stats see one template per path) dispatching on the method."""

    async def dispatch(request: Request) -> Response:
        # Starlette adds HEAD wherever GET is allowed; answer it like GET (the server drops the body).
        method = "GET" if request.method == "HEAD" else request.method
        response: Response = await handlers[method](request)
        return response

    return Route(path, dispatch, methods=list(handlers))
