"""Large JSON values served a page at a time, each node with the reference that reaches it.

The browser never receives a whole step output: it asks for the children of one node (a
page of them), and each child comes with its JSONPath reference as a workflow would write
it. Search walks the value on the server and answers the first matches with their paths,
so a 5 MB output stays a few kilobytes on the wire and a few hundred nodes in the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

PAGE_SIZE = 100
SEARCH_LIMIT = 200
_PREVIEW = 80
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Segment = str | int


class BadPointer(LookupError):
    """A node path that does not lead anywhere in the value."""


def reference(base: str, segments: list[Segment]) -> str:
    """The JSONPath reference to the node at ``segments`` below ``base``."""
    text = base
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _IDENTIFIER.match(segment):
            text += "." + segment
        else:
            text += f"[{_quoted(segment)}]"
    return text


def _quoted(key: str) -> str:
    """A bracketed name: single quotes as workflows are written, JSON quoting when needed."""
    plain = json.dumps(key, ensure_ascii=False)[1:-1]
    if "'" not in key and plain == key.replace('"', '\\"'):
        return f"'{key}'"
    return json.dumps(key, ensure_ascii=False)


def node_at(value: Any, segments: list[Segment]) -> Any:
    for segment in segments:
        in_list = isinstance(value, list) and isinstance(segment, int) and 0 <= segment < len(value)
        in_dict = isinstance(value, dict) and isinstance(segment, str) and segment in value
        if not (in_list or in_dict):
            raise BadPointer(f"no value at {reference('$', segments)}")
        value = value[segment]
    return value


def _type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def describe(value: Any, base: str | None, segments: list[Segment]) -> dict[str, Any]:
    """One node: its type, size or scalar value, and its reference (None if unreachable)."""
    kind = _type(value)
    node: dict[str, Any] = {
        "segment": segments[-1] if segments else None,
        "segments": segments,
        "type": kind,
        "path": None if base is None else reference(base, segments),
    }
    if kind in ("object", "array"):
        node["size"] = len(value)
    elif kind == "string" and len(value) > 2000:
        node["value"] = value[:2000]
        node["truncated"] = len(value)
    else:
        node["value"] = value
    return node


def children(
    value: Any, base: str | None, segments: list[Segment], offset: int = 0, limit: int = PAGE_SIZE
) -> dict[str, Any]:
    """A page of the children of the node at ``segments``."""
    node = node_at(value, segments)
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    if isinstance(node, dict):
        keys: list[Segment] = list(node)
        total = len(keys)
        page = keys[offset : offset + limit]
    elif isinstance(node, list):
        total = len(node)
        page = list(range(offset, min(total, offset + limit)))
    else:
        total, page = 0, []
    return {
        "node": describe(node, base, segments),
        "offset": offset,
        "total": total,
        "children": [describe(node[s], base, [*segments, s]) for s in page],
    }


def _walk(value: Any, segments: list[Segment]) -> Iterator[tuple[list[Segment], Any]]:
    yield segments, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, [*segments, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, [*segments, index])


def search(value: Any, base: str | None, text: str, limit: int = SEARCH_LIMIT) -> dict[str, Any]:
    """Nodes whose key or scalar value contains ``text`` (case-insensitive), first ``limit``."""
    needle = text.casefold()
    found: list[dict[str, Any]] = []
    more = False
    for segments, item in _walk(value, []):
        key = segments[-1] if segments else None
        scalar = not isinstance(item, dict | list)
        hit = isinstance(key, str) and needle in key.casefold()
        if scalar and not hit:
            shown = item if isinstance(item, str) else json.dumps(item)
            hit = needle in shown.casefold()
        if hit and segments:
            if len(found) == limit:
                more = True
                break
            entry = describe(item, base, segments)
            if not scalar:
                entry["preview"] = json.dumps(item, ensure_ascii=False, default=str)[:_PREVIEW]
            found.append(entry)
    return {"matches": found, "more": more}
