"""Generate ``data/versions.json``: the operations of each Intercom-Version, and field changes.

Reads the pinned 2.16 description and the older ones beside it in
``../shared/intercom-openapi/versions/*/api.intercom.io.yaml``. Facts only: for every catalog
operation (matched by method and path, path variable names ignored) the version it appeared
in and the later versions that lack it; and for each older version the top-level input
fields whose type or enum values differ from 2.16's (``owner_id`` integer before 2.16, a
message type spelled ``inapp``). No prose or examples are copied.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from .generator import DATA_DIR, DEFAULT_SPEC, render
from .versions import version_key

VERSIONS_FILE = "versions.json"
LATEST = "2.16"
_METHODS = ("get", "post", "put", "patch", "delete")
_VAR = re.compile(r"\{[^}]+\}")


def _load(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=loader)
    return document


def _described_versions(spec: Path) -> dict[str, Path]:
    found = {LATEST: spec}
    for path in sorted((spec.parent / "versions").glob("*/api.intercom.io.yaml")):
        version = str(_load(path).get("info", {}).get("version", path.parent.name))
        found[version] = path
    return found


class _Description:
    """One version's description: operations by route, fields by operation."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._schemas = document.get("components", {}).get("schemas", {})
        self.routes: dict[tuple[str, str], dict[str, Any]] = {}
        for path, item in (document.get("paths") or {}).items():
            shared = item.get("parameters") or []
            for method in _METHODS:
                if method in item:
                    operation = {**item[method], "_shared": shared}
                    self.routes[(method.upper(), _VAR.sub("{}", path))] = operation

    def _resolve(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        if not isinstance(schema, dict) or depth > 8:
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._resolve(self._schemas.get(ref.rsplit("/", 1)[-1]), depth + 1)
        return schema

    def _properties(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        schema = self._resolve(schema)
        if depth > 5:
            return {}
        out: dict[str, Any] = {}
        options = schema.get("oneOf") or schema.get("anyOf") or []
        for part in [*reversed(options), *schema.get("allOf", [])]:
            out.update(self._properties(part, depth + 1))
        out.update(schema.get("properties") or {})
        return out

    def fields(self, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Top-level input fields (path, query, body) reduced to type and enum."""
        raw: dict[str, Any] = {}
        for param in [*operation["_shared"], *(operation.get("parameters") or [])]:
            param = self._resolve(param)
            if param.get("in") in ("path", "query") and "name" in param:
                raw[param["name"]] = param.get("schema", {})
        content = self._resolve(operation.get("requestBody")).get("content") or {}
        body = (content.get("application/json") or {}).get("schema")
        raw.update(self._properties(body))
        return {name: self._fact(schema) for name, schema in raw.items()}

    def _fact(self, schema: Any) -> dict[str, Any]:
        schema = self._resolve(schema)
        fact: dict[str, Any] = {}
        if isinstance(schema.get("type"), str):
            fact["type"] = schema["type"]
        enum = schema.get("enum")
        if enum is None and schema.get("type") == "array":
            enum = self._resolve(schema.get("items")).get("enum")
        if isinstance(enum, list):
            fact["enum"] = sorted({str(v) for v in enum if v is not None})
        if schema.get("nullable"):
            fact["nullable"] = True
        return fact


def _catalog_routes() -> list[tuple[str, str, str]]:
    catalog = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
    return [
        (op["name"], op["method"].upper(), _VAR.sub("{}", op["path"]))
        for op in catalog["operations"]
        if op.get("kind", "spec") == "spec"
    ]


def build(spec: Path = DEFAULT_SPEC) -> dict[str, Any]:
    paths = _described_versions(spec)
    versions = sorted(paths, key=version_key)
    numbered = [v for v in versions if v[:1].isdigit()]
    documents = {v: _load(paths[v]) for v in versions}
    described = {v: _Description(documents[v]) for v in versions}
    accepted: set[str] = set(versions)
    for document in documents.values():
        schema = document.get("components", {}).get("schemas", {}).get("intercom_version", {})
        accepted.update(str(v) for v in schema.get("enum") or ())
    latest = described[LATEST]
    operations: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for name, method, path in _catalog_routes():
        present = [v for v in numbered if (method, path) in described[v].routes]
        entry: dict[str, Any] = {"since": present[0] if present else LATEST}
        absent = [v for v in numbered if version_key(v) > version_key(entry["since"])]
        absent = [v for v in absent if v not in present]
        if absent:
            entry["absent"] = absent
        operations[name] = entry
        current = latest.fields(latest.routes[(method, path)])
        changes: dict[str, Any] = {}
        for version in present:
            if version == LATEST:
                continue
            older = described[version].fields(described[version].routes[(method, path)])
            diff = {
                field: fact
                for field, fact in older.items()
                if field in current and fact and _differs(fact, current[field])
            }
            if diff:
                changes[version] = diff
        if changes:
            fields[name] = changes
    return {
        "latest": LATEST,
        "accepted": sorted(accepted, key=version_key),
        "versions": versions,
        "operations": operations,
        "fields": fields,
        "generated_by": "intercom_connector.catalog.versions_generator",
    }


def _differs(older: dict[str, Any], current: dict[str, Any]) -> bool:
    if older.get("type") != current.get("type"):
        return "type" in older and "type" in current
    return "enum" in older and "enum" in current and older["enum"] != current["enum"]


def write(spec: Path = DEFAULT_SPEC, out_dir: Path = DATA_DIR) -> Path:
    target = out_dir / VERSIONS_FILE
    target.write_text(render(build(spec)), encoding="utf-8")
    return target
