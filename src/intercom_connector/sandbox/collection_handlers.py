"""Handlers for every generic collection: one per role, registered under each operation's name.

``HANDLERS`` maps the name of every operation that ``collections.discover`` places in a
collection to the handler of its role, so create/get/update/delete/list/search behave the
same for articles, tickets, news items, data connectors or custom object instances. Lists
page in the style the catalog declares for the operation; deletes answer with the spec's
deleted-object shape (``{id, object, deleted: true}``) or an empty 204, as Intercom does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .call import Call, Handler
from .catalog_data import Operation, spec_operations
from .collection_store import fits, sample_of
from .collections import Collection, discover
from .generic import top_properties
from .handlers import modelled_operations
from .pagination import cursor_pages, decode_cursor, encode_cursor
from .replies import Reply, invalid, not_found
from .search import Field, run_search
from .state import SandboxState

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 150
_PAGING_PARAMS = frozenset({"page", "per_page", "starting_after", "phrase"})


def _collection(call: Call) -> tuple[Collection, str]:
    return collection_of()[call.op.name]


def _parents(state: SandboxState, collection: Collection, call: Call) -> tuple[str, ...]:
    """The parent ids of a nested collection, after checking stored parents exist."""
    parents = tuple(call.path.get(name, "") for name in collection.parent_params)
    for owner, index in _stored_parents(collection.path):
        bucket = state.collections.items(owner, parents[:index])
        if parents[index] not in bucket:
            raise not_found()
    return parents


def _shape(path: str) -> str:
    """A path template with its variable names dropped (``/articles/{}/draft``)."""
    return "/".join("{}" if s.startswith("{") else s for s in path.split("/"))


@cache
def _stored_parents(path: str) -> tuple[tuple[Collection, int], ...]:
    """Collections whose items appear as a parent in ``path``, with the parent's position."""
    found: list[tuple[Collection, int]] = []
    seen = {c.path: c for c, _ in collection_of().values()}
    for owner in seen.values():
        if owner.item_param is None:
            continue
        if _shape(path).startswith(_shape(f"{owner.path}/{{{owner.item_param}}}/")):
            found.append((owner, len(owner.parent_params)))
    return tuple(found)


def _bucket(state: SandboxState, call: Call) -> tuple[Collection, dict[str, dict[str, Any]]]:
    collection, _ = _collection(call)
    return collection, state.collections.items(collection, _parents(state, collection, call))


def _item_id(collection: Collection, call: Call) -> str:
    return call.path.get(collection.item_param or "", "")


def create(state: SandboxState, call: Call) -> Reply:
    collection, bucket = _bucket(state, call)
    store = state.collections
    data = call.data
    existing = _by_natural_key(bucket, data)
    if existing is None and data.get("id") is not None:
        existing = bucket.get(str(data["id"]))
    if existing is not None:
        store.overlay(collection, existing, data)
        return Reply.json(existing, call.op.response_status)
    obj = store.build(collection, data)
    store.add(bucket, obj)
    return Reply.json(obj, call.op.response_status)


def _by_natural_key(bucket: dict[str, dict[str, Any]], data: dict[str, Any]) -> Any:
    """Creates carrying an ``external_id`` update the object that already has it."""
    key = data.get("external_id")
    if key is None:
        return None
    return next((obj for obj in bucket.values() if obj.get("external_id") == key), None)


def get(state: SandboxState, call: Call) -> Reply:
    collection, bucket = _bucket(state, call)
    return Reply.json(state.collections.get(bucket, _item_id(collection, call)))


def update(state: SandboxState, call: Call) -> Reply:
    collection, bucket = _bucket(state, call)
    obj = state.collections.get(bucket, _item_id(collection, call))
    state.collections.overlay(collection, obj, call.data)
    return Reply.json(obj, call.op.response_status)


def delete(state: SandboxState, call: Call) -> Reply:
    collection, bucket = _bucket(state, call)
    obj = state.collections.remove(bucket, _item_id(collection, call))
    op = call.op
    if op.response_schema is None or op.response_status == 204:
        return Reply.empty(op.response_status)
    reply = sample_of(op.response_schema)
    if not isinstance(reply, dict) or "deleted" not in reply:
        return Reply.json(obj, op.response_status)
    props = top_properties(op.response_schema)
    reply["deleted"] = True
    if "object" in reply and fits(props.get("object", {}), obj.get("type")):
        reply["object"] = obj.get("type")
    for key in ("id", "external_id"):
        if key in reply and key in obj and fits(props.get(key, {}), obj[key]):
            reply[key] = obj[key]
        elif key in reply and fits(props.get(key, {}), str(obj.get(key))):
            reply[key] = str(obj.get(key))
    return Reply.json(reply, op.response_status)


def list_items(state: SandboxState, call: Call) -> Reply:
    _, bucket = _bucket(state, call)
    return _page(call, list(bucket.values()))


def search(state: SandboxState, call: Call) -> Reply:
    collection, bucket = _bucket(state, call)
    if isinstance(call.data.get("query"), dict):
        return _search_body(state, call, collection, bucket)
    filters = {k: v for k, v in call.query.items() if k not in _PAGING_PARAMS}
    phrase = call.query.get("phrase")
    found = [
        obj
        for obj in bucket.values()
        if all(str(obj.get(k)) == str(v) for k, v in filters.items() if k in obj)
        and (not phrase or _mentions(obj, str(phrase)))
    ]
    return _page(call, found)


def _mentions(obj: dict[str, Any], phrase: str) -> bool:
    folded = phrase.casefold()
    return any(isinstance(v, str) and folded in v.casefold() for v in obj.values())


def _search_body(
    state: SandboxState, call: Call, collection: Collection, bucket: dict[str, dict[str, Any]]
) -> Reply:
    props = top_properties(collection.item_schema)
    page, pages, total = run_search(
        state,
        call,
        f"collection:{collection.path}",
        lambda: list(bucket.values()),
        lambda name: _field(props, name),
        DEFAULT_PER_PAGE,
    )
    reply = _envelope(call.op, page)
    _set_if_present(reply, "total_count", total)
    _set_if_present(reply, "pages", pages)
    return Reply.json(reply, call.op.response_status)


def _field(props: dict[str, Any], name: str) -> Field[dict[str, Any]] | None:
    head, _, rest = name.partition(".")
    if head not in props:
        return None

    def read(obj: dict[str, Any]) -> Any:
        value: Any = obj.get(head)
        for part in rest.split(".") if rest else ():
            value = value.get(part) if isinstance(value, dict) else None
        return value

    kind = "any" if rest else _kind(props[head], head)
    return Field(kind, read)


def _kind(schema: Any, name: str) -> str:
    declared = schema.get("type") if isinstance(schema, dict) else None
    if name.endswith("_at"):
        return "timestamp"
    return {"string": "string", "integer": "integer", "boolean": "boolean"}.get(
        declared if isinstance(declared, str) else "", "any"
    )


def _envelope(op: Operation, items: list[Any]) -> Any:
    """The operation's sampled reply with its list of items replaced by ``items``."""
    reply = sample_of(op.response_schema)
    if isinstance(reply, list):
        return items
    if not isinstance(reply, dict):
        return {"type": "list", "data": items}
    holder, key = _list_slot(reply, op.list_key)
    if holder is not None and key is not None:
        holder[key] = items
        for other, value in holder.items():
            if other != key and isinstance(value, list):
                holder[other] = []
    return reply


def _list_slot(reply: dict[str, Any], list_key: str | None) -> tuple[Any, str | None]:
    if list_key and isinstance(reply.get(list_key), list):
        return reply, list_key
    for key, value in reply.items():
        if isinstance(value, list):
            return reply, key
    for value in reply.values():
        if isinstance(value, dict):
            holder, inner = _list_slot(value, None)
            if inner is not None:
                return holder, inner
    return None, None


def _set_if_present(reply: Any, key: str, value: Any) -> None:
    if isinstance(reply, dict) and key in reply:
        reply[key] = value


def _offset(cursor: str) -> int:
    position = decode_cursor(cursor)[0]
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise invalid("starting_after is not a cursor of this list", "starting_after")
    return position


def _bounded(value: Any, default: int, maximum: int | None) -> int:
    """A page number or size the schema let through, brought into range.

    Where the spec bounds it, validation has refused anything outside; where it does not
    (``per_page=-5`` is schema-valid on some lists), the nearest sensible value is used.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        return default
    value = max(value, 1)
    return min(value, maximum) if maximum is not None else value


def _page(call: Call, items: list[dict[str, Any]]) -> Reply:
    op = call.op
    style = (op.pagination or {}).get("style")
    per_page_prop = op.params_in("query").get("per_page") or {}
    default = per_page_prop.get("default", DEFAULT_PER_PAGE)
    maximum = per_page_prop.get("maximum", MAX_PER_PAGE)
    total = len(items)
    if style == "cursor":
        per_page = _bounded(call.query.get("per_page"), default, maximum)
        start = call.query.get("starting_after")
        offset = _offset(start) if start else 0
        more = offset + per_page < total
        cursor = encode_cursor([offset + per_page]) if more else None
        reply = _envelope(op, items[offset : offset + per_page])
        pages = cursor_pages(offset // per_page + 1, per_page, total, cursor)
    elif style == "page" or "page" in call.query:
        per_page = _bounded(call.query.get("per_page"), default, maximum)
        page = _bounded(call.query.get("page"), 1, None)
        offset = (page - 1) * per_page
        reply = _envelope(op, items[offset : offset + per_page])
        pages = {**cursor_pages(page, per_page, total, None), "next": None}
    else:
        reply = _envelope(op, items)
        pages = None
    _set_if_present(reply, "total_count", total)
    if pages is not None and isinstance(reply, dict) and isinstance(reply.get("pages"), dict):
        sampled = reply["pages"]
        reply["pages"] = {k: v for k, v in pages.items() if k in sampled or (k == "next" and v)}
    return Reply.json(reply, op.response_status)


def _singleton(state: SandboxState, call: Call) -> tuple[Collection, dict[str, Any]]:
    """The one object of a singleton path (per parent), made from its schema on first read."""
    collection, bucket = _bucket(state, call)
    obj = bucket.get("")
    if obj is None:
        obj = sample_of(collection.item_schema)
        obj = obj if isinstance(obj, dict) else {}
        bucket[""] = obj
    return collection, obj


def read(state: SandboxState, call: Call) -> Reply:
    return Reply.json(_singleton(state, call)[1], call.op.response_status)


def replace(state: SandboxState, call: Call) -> Reply:
    collection, obj = _singleton(state, call)
    state.collections.overlay(collection, obj, call.data)
    return Reply.json(obj, call.op.response_status)


ROLE_HANDLERS: dict[str, Handler] = {
    "read": read,
    "replace": replace,
    "create": create,
    "get": get,
    "update": update,
    "delete": delete,
    "list": list_items,
    "search": search,
}


@cache
def collection_of() -> dict[str, tuple[Collection, str]]:
    """Operation name -> (collection, role), for every spec operation without a model."""
    modelled = modelled_operations()
    return discover(op for op in spec_operations() if op.name not in modelled)


HANDLERS: dict[str, Handler] = {
    name: ROLE_HANDLERS[role] for name, (_, role) in collection_of().items()
}
"""The collection handler of every spec operation outside the hand-written models."""
