"""The catalog as the sandbox sees it: operations and schemas read straight from the JSON data.

The sandbox sits at the bottom of the layer stack, so it reads ``catalog.json`` and
``schemas.json`` itself instead of importing the catalog package (which imports layers the
sandbox must not depend on). Only the facts the sandbox needs are lifted into ``Operation``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

_DATA_PACKAGE = "intercom_connector.catalog.data"


@dataclass(frozen=True, eq=False)
class Operation:
    """One HTTP operation of the catalog, reduced to what routing, validation and replies need."""

    name: str
    method: str
    path: str
    kind: str
    input_schema: dict[str, Any]
    body_schema: dict[str, Any] | None
    response_status: int
    response_content_type: str | None
    response_schema: Any
    error_statuses: tuple[int, ...]
    accept: str
    list_key: str | None
    pagination: dict[str, Any] | None
    path_params: tuple[str, ...] = field(default=())
    scope: str | None = None

    @property
    def properties(self) -> dict[str, Any]:
        props = self.input_schema.get("properties")
        return props if isinstance(props, dict) else {}

    def params_in(self, location: str) -> dict[str, Any]:
        """Input properties sent in one place (``path``, ``query``, ``header``, ``body``).

        A property named like a path template variable is a path parameter whatever its
        ``x-in`` says: the template is what the URL actually carries.
        """
        out: dict[str, Any] = {}
        for name, prop in self.properties.items():
            where = "path" if name in self.path_params else prop.get("x-in")
            if where == location:
                out[name] = prop
        return out

    @property
    def validation_status(self) -> int:
        """Status for a rejected request: 422 only where the spec documents 422 and not 400."""
        if 422 in self.error_statuses and 400 not in self.error_statuses:
            return 422
        return 400


def _template_params(path: str) -> tuple[str, ...]:
    return tuple(seg[1:-1] for seg in path.split("/") if seg.startswith("{") and seg.endswith("}"))


def _read_json(filename: str) -> Any:
    text = resources.files(_DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def schema_defs() -> dict[str, Any]:
    """All named schemas (``#/$defs/NAME`` targets)."""
    data = _read_json("schemas.json")
    defs = data.get("$defs", {})
    return defs if isinstance(defs, dict) else {}


@cache
def catalog_document() -> dict[str, Any]:
    data = _read_json("catalog.json")
    return data if isinstance(data, dict) else {}


def _operation(raw: dict[str, Any]) -> Operation:
    response = raw.get("response") or {}
    path = str(raw["path"])
    return Operation(
        name=str(raw["name"]),
        method=str(raw["method"]).upper(),
        path=path,
        kind=str(raw.get("kind", "spec")),
        input_schema=raw.get("input_schema") or {"type": "object", "properties": {}},
        body_schema=raw.get("body_schema"),
        response_status=int(response.get("status") or 200),
        response_content_type=response.get("content_type"),
        response_schema=response.get("schema"),
        error_statuses=tuple(int(s) for s in raw.get("error_statuses") or ()),
        accept=str(raw.get("accept") or "application/json"),
        list_key=raw.get("list_key"),
        pagination=raw.get("pagination"),
        path_params=_template_params(path),
        scope=raw.get("scope"),
    )


@cache
def spec_operations() -> tuple[Operation, ...]:
    """The operations that exist on the wire (``kind == "spec"``).

    Variants share a method and path with a spec operation and composites never leave the
    process, so neither gets a route of its own.
    """
    ops = catalog_document().get("operations", [])
    return tuple(_operation(op) for op in ops if op.get("kind", "spec") == "spec")


@cache
def operations_by_name() -> dict[str, Operation]:
    return {op.name: op for op in spec_operations()}


def with_defs(schema: Any) -> dict[str, Any]:
    """Wrap a catalog schema so its ``#/$defs/NAME`` references resolve."""
    if isinstance(schema, dict):
        return {**schema, "$defs": schema_defs()}
    return {"$defs": schema_defs(), "allOf": [schema]} if schema is not None else {}
