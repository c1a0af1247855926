"""The catalog as the sandbox sees it: the catalog's operation records and named schemas.

The sandbox sits at the bottom of the layer stack; of the catalog it imports only the
operation record (``catalog.model``, which imports nothing) and the packaged files
(``catalog.data_files``, the standard library only), so an in-process sandbox and the client
share one parse of ``catalog.json`` and ``schemas.json``. ``Operation`` adds what routing,
validation and replies ask of a record, and identity hashing so that per-operation caches
work.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Any

from intercom_connector.catalog.data_files import packaged
from intercom_connector.catalog.model import Operation as CatalogOperation


class Operation(CatalogOperation):
    """A catalog operation as the sandbox serves it.

    A plain subclass: it adds no field, so the record's dataclass methods serve it as they
    are (decorating it again would only generate them anew at every start).
    """

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    @property
    def response_status(self) -> int:
        return int(self.response.get("status") or 200)

    @property
    def response_content_type(self) -> str | None:
        value = self.response.get("content_type")
        return str(value) if value is not None else None

    @property
    def response_schema(self) -> Any:
        return self.response.get("schema")

    @cached_property
    def path_params(self) -> tuple[str, ...]:
        segments = self.path.split("/")
        return tuple(s[1:-1] for s in segments if s.startswith("{") and s.endswith("}"))

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


def _read_json(filename: str) -> Any:
    return packaged(filename)


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


@cache
def spec_routes() -> tuple[tuple[str, str, str], ...]:
    """``(method, path template, name)`` of the operations that exist on the wire.

    Those are the ``kind == "spec"`` ones: variants share a method and path with a spec
    operation and composites never leave the process, so neither gets a route of its own.
    """
    return tuple((entry["method"], entry["path"], name) for name, entry in _spec_entries().items())


@cache
def _spec_entries() -> dict[str, dict[str, Any]]:
    ops = catalog_document().get("operations", [])
    return {op["name"]: op for op in ops if op.get("kind", "spec") == "spec"}


@cache
def spec_operation(name: str) -> Operation:
    """The record of one wire operation, made when first asked for: a request needs one."""
    return Operation.from_dict(_spec_entries()[name])


@cache
def spec_operations() -> tuple[Operation, ...]:
    """Every operation that exists on the wire (see ``spec_routes``), in catalog order."""
    return tuple(spec_operation(name) for _, _, name in spec_routes())


def with_defs(schema: Any) -> dict[str, Any]:
    """Wrap a catalog schema so its ``#/$defs/NAME`` references resolve."""
    if isinstance(schema, dict):
        return {**schema, "$defs": schema_defs()}
    return {"$defs": schema_defs(), "allOf": [schema]} if schema is not None else {}
