"""Schema-shaped replies for every catalog operation without a stateful implementation.

The reply is sampled from the operation's response schema: right types and enum values,
lists of two items, timestamps that look like Intercom's, and list metadata that ends
pagination at once (``pages.next`` null, one page, ``has_more`` false) so a client's
paginator terminates. Ids round-trip where it is cheap: a path ending in an id variable
answers with that id, and body fields the reply also carries are echoed when they fit the
reply's schema. Samples are deterministic and computed once per operation.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
from functools import cache
from typing import TYPE_CHECKING, Any

from .catalog_data import Operation, schema_defs, with_defs
from .replies import Reply

if TYPE_CHECKING:
    from .call import Call

SAMPLE_TIMESTAMP = 1_734_537_600
MAX_DEPTH = 7
_NULL = object()  # "no value": the key is left out
_OMIT = object()  # list metadata that must not appear at all
_SHAPE_KEYS = ("type", "properties", "items", "enum", "$ref", "allOf", "anyOf", "oneOf")
_TIMESTAMP_FORMATS = ("date-time", "timestamp")


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [t for t in declared if isinstance(t, str)]
    if "properties" in schema or "additionalProperties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    return []


def _nullable(schema: dict[str, Any]) -> bool:
    return "null" in _types(schema) or any(
        isinstance(o, dict) and _types(o) == ["null"] for o in schema.get("anyOf", ())
    )


class SchemaSampler:
    def __init__(self, defs: dict[str, Any]) -> None:
        self._defs = defs

    def sample(self, schema: Any, hint: str | None = None) -> Any:
        value = self._sample(schema, hint, 0, None)
        return None if value is _NULL else value

    def _sample(self, schema: Any, hint: str | None, depth: int, prop: str | None) -> Any:
        if not isinstance(schema, dict):
            return self._string(prop, hint, {})
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            target = self._defs.get(name, {})
            siblings = {k: v for k, v in schema.items() if k not in ("$ref", "x-in")}
            merged = (
                {"allOf": [target, siblings]} if any(k in siblings for k in _SHAPE_KEYS) else target
            )
            if depth >= MAX_DEPTH and _nullable(target):
                return None
            return self._sample(merged, name, depth, prop)
        if "enum" in schema:
            values = [v for v in schema["enum"] if v is not None]
            return values[0] if values else None
        if "allOf" in schema:
            return self._all_of(schema, hint, depth, prop)
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            chosen = next(
                (o for o in options if not (isinstance(o, dict) and _types(o) == ["null"])),
                options[0],
            )
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
            if any(k in rest for k in _SHAPE_KEYS):
                return self._sample({"allOf": [rest, chosen]}, hint, depth, prop)
            return self._sample(chosen, hint, depth, prop)
        types = _types(schema)
        concrete = [t for t in types if t != "null"]
        if types and not concrete:
            return None
        if depth >= MAX_DEPTH and "null" in types:
            return None
        kind = concrete[0] if concrete else None
        if kind == "object":
            return self._object(schema, hint, depth)
        if kind == "array":
            return self._array(schema, hint, depth, prop)
        if kind == "integer":
            return self._integer(schema, prop)
        if kind == "number":
            return self._number(schema)
        if kind == "boolean":
            return prop in ("deleted", "tagged", "success")
        return self._string(prop, hint, schema)

    def _all_of(
        self, schema: dict[str, Any], hint: str | None, depth: int, prop: str | None
    ) -> Any:
        parts = list(schema["allOf"])
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        if any(k in rest for k in _SHAPE_KEYS) or "required" in rest:
            parts.append(rest)
        merged: dict[str, Any] | None = None
        last: Any = None
        for part in parts:
            if isinstance(part, dict) and not any(k in part for k in _SHAPE_KEYS):
                continue
            value = self._sample(part, hint, depth, prop)
            if isinstance(value, dict):
                merged = {**(merged or {}), **value}
            elif value is not None:
                last = value
        if merged is not None:
            for name in schema.get("required", ()):
                merged.setdefault(name, f"sample_{name}")
            return merged
        return last

    def _object(self, schema: dict[str, Any], hint: str | None, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, sub in (schema.get("properties") or {}).items():
            if not isinstance(sub, dict):
                sub = {}
            if name == "type" and "enum" not in sub and "$ref" not in sub:
                out[name] = hint or "object"
                continue
            value = self._list_metadata(name, sub)
            if value is _OMIT:
                continue
            if value is _NULL:
                value = self._sample(sub, None, depth + 1, name)
            if value is not _NULL:
                out[name] = value
        for name in schema.get("required", ()):
            out.setdefault(name, f"sample_{name}")
        return out

    def _list_metadata(self, name: str, sub: dict[str, Any]) -> Any:
        """Values that make a sampled list the last page of its listing."""
        if name in ("next", "next_cursor", "starting_after", "next_page"):
            return None if _nullable(self._resolve(sub)) else _OMIT
        if name == "has_more":
            return False
        if name in ("page", "total_pages", "current_page"):
            return 1
        return _NULL

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self._defs.get(ref.rsplit("/", 1)[-1], {})
            return target if isinstance(target, dict) else {}
        return schema

    def _array(self, schema: dict[str, Any], hint: str | None, depth: int, prop: str | None) -> Any:
        items = schema.get("items", {})
        minimum = int(schema.get("minItems", 0))
        maximum = int(schema.get("maxItems", 2))
        count = max(minimum, min(2 if depth < MAX_DEPTH - 2 else 0, maximum))
        values = [self._sample(items, None, depth + 1, prop) for _ in range(count)]
        out = [v for v in values if v is not _NULL]
        for index, item in enumerate(out[1:], start=1):
            # Items of one list get distinct ids, as records of a real list would.
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                item["id"] = _digest(f"{item['id']}:{index}", max(len(item["id"]), 1))
            elif isinstance(item, dict) and type(item.get("id")) is int:
                item["id"] += index
        return out

    def _integer(self, schema: dict[str, Any], prop: str | None) -> int:
        if schema.get("format") in _TIMESTAMP_FORMATS or (prop or "").endswith("_at"):
            return SAMPLE_TIMESTAMP
        low = schema.get("minimum")
        high = schema.get("maximum")
        value = 1 if prop != "id" else int(_digest(prop, 6), 16)
        if isinstance(low, int | float) and value < low:
            value = int(low)
        if isinstance(high, int | float) and value > high:
            value = int(high)
        return value

    def _number(self, schema: dict[str, Any]) -> float:
        low = schema.get("minimum")
        return float(low) if isinstance(low, int | float) and low > 1.5 else 1.5

    def _string(self, prop: str | None, hint: str | None, schema: dict[str, Any]) -> str:
        fmt = schema.get("format")
        name = prop or ""
        if fmt == "date-time":
            value = "2024-12-18T16:00:00Z"
        elif fmt == "date":
            value = "2024-12-18"
        elif fmt == "uuid":
            raw = _digest(f"{hint}:{name}", 32)
            value = f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-8{raw[17:20]}-{raw[20:32]}"
        elif fmt == "email" or name.endswith("email"):
            value = "teammate@example.com"
        elif fmt == "uri" or name.endswith("url"):
            value = f"https://example.com/{hint or 'sample'}"
        elif name == "id" or name.endswith("_id"):
            value = _digest(f"{hint}:{name}", 24)
        elif name in ("name", "title"):
            value = f"Sample {(hint or 'item').replace('_', ' ')}"
        elif name == "body":
            value = "<p>Sample text</p>"
        else:
            value = f"sample_{name}" if name else "sample"
        max_length = schema.get("maxLength")
        if isinstance(max_length, int) and len(value) > max_length:
            value = value[:max_length]
        min_length = schema.get("minLength")
        if isinstance(min_length, int) and len(value) < min_length:
            value = value.ljust(min_length, "0")
        return value


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


@cache
def sampler() -> SchemaSampler:
    return SchemaSampler(schema_defs())


_SAMPLES: dict[str, Any] = {}


def _sample_for(op: Operation) -> Any:
    if op.name not in _SAMPLES:
        _SAMPLES[op.name] = sampler().sample(op.response_schema)
    return _SAMPLES[op.name]


def top_properties(schema: Any, depth: int = 0) -> dict[str, Any]:
    """The reply's top-level property schemas, through ``$ref``, ``allOf`` and options."""
    if not isinstance(schema, dict) or depth > 5:
        return {}
    out: dict[str, Any] = {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        out.update(top_properties(schema_defs().get(ref.rsplit("/", 1)[-1]), depth + 1))
    for part in schema.get("allOf", ()):
        out.update(top_properties(part, depth + 1))
    for part in reversed(schema.get("anyOf") or schema.get("oneOf") or ()):
        out.update(top_properties(part, depth + 1))  # the first option's field wins
    out.update(schema.get("properties") or {})
    return out


def _echo(op: Operation, call: Call, reply: dict[str, Any]) -> None:
    if op.path.endswith("}") and op.path_params and "id" in reply:
        raw = call.path.get(op.path_params[-1], "")
        if isinstance(reply["id"], int) and not isinstance(reply["id"], bool):
            if raw.isdigit():
                reply["id"] = int(raw)
        elif isinstance(reply["id"], str):
            reply["id"] = raw
    props = top_properties(op.response_schema)
    for key, value in call.data.items():
        if key in ("id", "type") or key not in reply or key not in props:
            continue
        from jsonschema import Draft202012Validator  # slow to import: only when needed

        if Draft202012Validator(with_defs(props[key])).is_valid(value):
            reply[key] = copy.deepcopy(value)


def sample_csv_gzip() -> bytes:
    return gzip.compress(b"id,value\n1,sample\n2,sample\n", mtime=0)


def generic_reply(op: Operation, call: Call) -> Reply:
    content_type = op.response_content_type
    if op.response_schema is None or content_type is None:
        if op.path.startswith("/download/") or "octet-stream" in op.accept:
            return Reply.octets(sample_csv_gzip(), filename="export.csv.gz")
        return Reply.empty(op.response_status)
    if content_type.startswith("text/"):
        return Reply.text("Sample text reply.\n", op.response_status, content_type)
    value = copy.deepcopy(_sample_for(op))
    if isinstance(value, dict):
        _echo(op, call, value)
    return Reply.json(value, op.response_status)
