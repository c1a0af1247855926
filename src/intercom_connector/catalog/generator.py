"""Build the operation catalog from Intercom's OpenAPI description.

Reads the pinned spec (never shipped with the package), keeps facts only (paths, methods,
parameter names, types, enums, required flags, body and response schemas without prose or
examples) and merges them with the curated tables in ``curation.py``. The output is two JSON
documents committed inside the package: ``catalog.json`` (operations) and ``schemas.json``
(shared schema definitions referenced as ``#/$defs/NAME``). A test regenerates both and fails
on drift, so the committed data always matches the spec version it pins.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from intercom_connector.catalog import curation

DATA_DIR = Path(__file__).parent / "data"
# The spec lives beside the project root, in ../shared; INTERCOM_OPENAPI_SPEC overrides.
DEFAULT_SPEC = Path(
    os.environ.get(
        "INTERCOM_OPENAPI_SPEC",
        Path(__file__).resolve().parents[3].parent / "shared/intercom-openapi/api.intercom.io.yaml",
    )
)
METHODS = ("get", "post", "put", "patch", "delete")
# Prose and illustration: never copied into the project.
DROPPED_KEYS = {"description", "example", "examples", "title", "externalDocs", "discriminator"}
VERSION_HEADER = "Intercom-Version"


class CatalogError(Exception):
    """The spec and the curated tables disagree in a way the generator cannot settle."""


def normalize(schema: Any) -> Any:
    """Turn an OpenAPI 3.0 schema into plain JSON Schema with no prose.

    ``nullable`` becomes a ``null`` type, ``oneOf`` becomes ``anyOf`` (the spec's alternatives
    overlap, and a request matching two of them is still valid for Intercom), and component
    references point into the shared ``$defs``.
    """
    if isinstance(schema, list):
        return [normalize(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED_KEYS or key.startswith("x-") or key == "nullable":
            continue
        if key == "$ref":
            out["$ref"] = "#/$defs/" + value.rsplit("/", 1)[-1]
        elif key == "oneOf":
            out["anyOf"] = normalize(value)
        elif key == "properties":
            out["properties"] = {name: normalize(sub) for name, sub in value.items()}
        else:
            out[key] = normalize(value)
    if schema.get("nullable"):
        if "type" in out and isinstance(out["type"], str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        elif "$ref" in out or "anyOf" in out or "allOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class _Spec:
    """The parsed spec with reference resolution."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.components: dict[str, Any] = raw["components"]["schemas"]

    def deref(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
            seen += 1
            if seen > 50:
                raise CatalogError("reference cycle in spec")
        return schema

    def object_properties(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str], bool]:
        """Collect the top-level fields an object body may carry.

        Returns (properties, required, composed): alternatives of oneOf/anyOf contribute their
        fields (required only when every alternative requires them), allOf members contribute
        fully, and ``composed`` says whether the flat view loses a constraint, in which case
        the catalog keeps the whole body schema for a second check.
        """
        schema = self.deref(schema)
        props: dict[str, Any] = dict(schema.get("properties", {}))
        required = set(schema.get("required", []))
        composed = False
        for member in schema.get("allOf", []):
            sub_props, sub_required, _ = self.object_properties(member)
            props.update(sub_props)
            required |= sub_required
            composed = True
        for key in ("oneOf", "anyOf"):
            alternatives = schema.get(key)
            if not alternatives:
                continue
            composed = True
            common: set[str] | None = None
            for member in alternatives:
                sub_props, sub_required, _ = self.object_properties(member)
                for name, sub in sub_props.items():
                    props[name] = _either(props[name], sub) if name in props else sub
                common = sub_required if common is None else common & sub_required
            required |= common or set()
        return props, required, composed


def _either(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """A field two alternative body shapes both have: accept what either accepts."""
    first, second = normalize(first), normalize(second)
    if first == second:
        return first
    if set(first) == set(second) == {"type", "enum"} and first["type"] == second["type"]:
        return {
            "type": first["type"],
            "enum": [*first["enum"], *[v for v in second["enum"] if v not in first["enum"]]],
        }
    alternatives = first["anyOf"] if set(first) == {"anyOf"} else [first]
    return {"anyOf": [*alternatives, second]}


def _snake(text: str) -> str:
    text = re.sub(r"\(.*?\)", "", text.lower())
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in {"a", "an", "the", "all"}]
    verb = {"retrieve": "get", "creates": "create", "show": "get"}
    if words and words[0] in verb:
        words[0] = verb[words[0]]
    return "_".join(words)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _key(method: str, path: str, operation: dict[str, Any]) -> str:
    return operation.get("operationId") or f"{method.upper()} {path}"


def _scope_for(key: str, method: str, tags: list[str]) -> str | None:
    if key in curation.SCOPE_OVERRIDES:
        return curation.SCOPE_OVERRIDES[key]
    read, write = curation.TAG_SCOPES[tags[0]]
    reads = method == "get" or key in curation.READ_POSTS
    return read if reads else write


def _success_response(spec: _Spec, operation: dict[str, Any]) -> dict[str, Any]:
    responses = operation.get("responses", {})
    successes = [(code, r) for code, r in responses.items() if str(code).startswith("2")]
    if not successes and "default" in responses:
        successes = [(200, responses["default"])]  # a few operations document only `default`
    for code, reply in successes:
        content = reply.get("content") or {}
        for content_type, media in content.items():
            schema = media.get("schema")
            return {
                "status": int(code),
                "content_type": content_type,
                "schema": normalize(schema) if schema else None,
            }
        return {"status": int(code), "content_type": None, "schema": None}
    return {"status": 200, "content_type": None, "schema": None}


def _parameters(
    spec: _Spec, path_item: dict[str, Any], operation: dict[str, Any]
) -> list[dict[str, Any]]:
    """The operation's parameters, with those declared once for the whole path; path
    parameters first so that a name the spec repeats in the query resolves to the path."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
        if "$ref" in parameter:
            parameter = spec.raw["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        merged[(parameter["in"], parameter["name"])] = parameter
    return sorted(merged.values(), key=lambda p: p["in"] != "path")


def _build_operation(
    spec: _Spec, method: str, path: str, path_item: dict[str, Any], operation: dict[str, Any]
) -> dict:
    key = _key(method, path, operation)
    name = curation.NAMES.get(key) or _snake(operation["summary"])
    properties: dict[str, Any] = {}
    required: list[str] = []
    one_of: list[dict[str, Any]] = []
    response = _success_response(spec, operation)
    accept = curation.ACCEPT.get(key) or response["content_type"] or "application/json"

    def add(field: str, schema: dict[str, Any], where: str, is_required: bool) -> None:
        if field in properties:
            raise CatalogError(f"{key}: field {field!r} appears in two places")
        schema = normalize(schema)
        if where == "path" and schema.get("type") == "integer":
            # ids travel as text, and list replies give them as strings ("id": "123"); some
            # operations even declare hex contact ids as integers
            schema = {**schema, "type": ["integer", "string"]}
        properties[field] = {**schema, "x-in": where}
        if is_required:
            required.append(field)

    for parameter in _parameters(spec, path_item, operation):
        where = parameter["in"]
        if where == "header" and parameter["name"] == VERSION_HEADER:
            continue
        if where == "header" and parameter["name"].lower() == "accept":
            accept = (parameter.get("schema", {}).get("enum") or [accept])[0]
            continue
        schema = parameter.get("schema", {})
        resolved = spec.deref(schema) if schema else {}
        if where == "query" and resolved.get("type") == "object" and parameter.get("explode", True):
            # form style, exploded: the object's fields travel as separate query parameters
            sub_props, sub_required, _ = spec.object_properties(resolved)
            for field, sub in sub_props.items():
                add(field, sub, "query", field in sub_required)
            alternatives = resolved.get("oneOf") or resolved.get("anyOf")
            if alternatives and parameter.get("required"):
                # e.g. events' filter: exactly one of user_id, intercom_user_id or email
                shapes = [{"required": spec.deref(a).get("required", [])} for a in alternatives]
                one_of.extend(shape for shape in shapes if shape["required"])
            continue
        if parameter["name"] in properties and where == "query":
            # the spec repeats a path parameter in the query: send the value in both places
            properties[parameter["name"]]["x-also-query"] = True
            continue
        add(parameter["name"], schema, where, bool(parameter.get("required")))

    for field in re.findall(r"{(\w+)}", path):
        # a few operations declare their path parameter in the query, or not at all
        if properties.get(field, {}).get("x-in") != "path":
            schema = properties.pop(field, {"type": "string"})
            if field in required:
                required.remove(field)
            add(field, {k: v for k, v in schema.items() if k != "x-in"}, "path", True)
            if schema.get("x-in") == "query":
                properties[field]["x-also-query"] = True

    pagination = curation.PAGINATION.get(key)
    if (
        pagination
        and pagination["style"] in curation.EXTRA_QUERY_FIELDS
        and not pagination.get("in_body")
    ):
        extras = curation.EXTRA_QUERY_FIELDS[pagination["style"]]
        for field, schema in extras.items():
            if field == "starting_after" and pagination.get("cursor_param"):
                continue
            if field not in properties:
                add(field, schema, "query", False)

    body_schema = None
    body_free = False
    if "requestBody" in operation:
        media = operation["requestBody"]["content"]
        raw_body = next(iter(media.values()))["schema"]
        body_props, body_required, composed = spec.object_properties(raw_body)
        if not body_props:
            body_free = True
        for field, schema in body_props.items():
            add(field, schema, "body", field in body_required)
        if composed:
            body_schema = normalize(raw_body)

    tags = list(operation.get("tags", []))
    retry_safe = (
        method in {"get", "put", "delete"}
        or key in curation.READ_POSTS
        or key in curation.IDEMPOTENT_POSTS
    )
    errors = sorted(int(code) for code in operation.get("responses", {}) if str(code)[0] in "45")
    list_key = (pagination or {}).get("items") or curation.LIST_KEYS.get(key)
    return {
        "name": name,
        "title": _title(name),
        "summary": operation.get("summary", ""),
        "operation_id": operation.get("operationId"),
        "tags": tags,
        "method": method.upper(),
        "path": path,
        "kind": "spec",
        "input_schema": {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": body_free,
            **({"oneOf": one_of} if one_of else {}),
        },
        "body_schema": body_schema,
        "pagination": pagination,
        "list_key": list_key,
        "retry_safe": retry_safe,
        "scope": _scope_for(key, method, tags),
        "accept": accept,
        "response": response,
        "error_statuses": errors,
        "aliases": list(curation.ALIASES.get(name, [])),
        "fixed": {},
    }


def _variant(base: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    schema = json.loads(json.dumps(base["input_schema"]))
    for field in variant["fixed"]:
        schema["properties"].pop(field, None)
        if field in schema["required"]:
            schema["required"].remove(field)
    return {
        **base,
        "name": variant["name"],
        "title": _title(variant["name"]),
        "kind": "variant",
        "input_schema": schema,
        "aliases": list(variant.get("aliases", [])),
        "fixed": dict(variant["fixed"]),
    }


def _composite(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry["name"],
        "title": entry["title"],
        "summary": entry["title"],
        "operation_id": None,
        "tags": entry["tags"],
        "method": entry["method"],
        "path": entry["path"],
        "kind": "composite",
        "input_schema": entry["input_schema"],
        "body_schema": None,
        "pagination": None,
        "list_key": None,
        "retry_safe": True,
        "scope": entry["scope"],
        "accept": "application/json",
        "response": {"status": 200, "content_type": "application/json", "schema": None},
        "error_statuses": [],
        "aliases": list(entry["aliases"]),
        "fixed": {},
    }


def build(spec_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (catalog, schemas) documents built from the spec at ``spec_path``."""
    data = spec_path.read_bytes()
    raw = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    spec = _Spec(raw)
    operations: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for path, item in raw["paths"].items():
        for method in METHODS:
            if method in item:
                entry = _build_operation(spec, method, path, item, item[method])
                operations.append(entry)
                by_key[_key(method, path, item[method])] = entry
    for variant in curation.VARIANTS:
        operations.append(_variant(by_key[variant["base"]], variant))
    operations.extend(_composite(entry) for entry in curation.COMPOSITES)

    names = [op["name"] for op in operations]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"duplicate operation names: {duplicates}")
    unknown = set(curation.NAMES) - set(by_key)
    unknown |= set(curation.PAGINATION) - set(by_key)
    if unknown:
        raise CatalogError(f"curation names operations the spec lacks: {sorted(unknown)}")

    catalog = {
        "spec_version": raw["info"]["version"],
        "spec_sha256": hashlib.sha256(data).hexdigest(),
        "generated_by": "scripts/generate_catalog.py",
        "servers": [server["url"] for server in raw.get("servers", [])],
        "scopes": curation.SCOPES,
        "operations": operations,
    }
    schemas = {"$defs": {name: normalize(s) for name, s in spec.components.items()}}
    return catalog, schemas


def render(document: dict[str, Any]) -> str:
    """Serialize deterministically so regeneration yields identical bytes."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def write(spec_path: Path, out_dir: Path = DATA_DIR) -> tuple[Path, Path]:
    catalog, schemas = build(spec_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog_path = out_dir / "catalog.json"
    schemas_path = out_dir / "schemas.json"
    catalog_path.write_text(render(catalog), encoding="utf-8")
    schemas_path.write_text(render(schemas), encoding="utf-8")
    return catalog_path, schemas_path
