"""Check a request against its operation's input schema before any handler sees it.

Stateful and generic operations go through the same gate, so a malformed request is refused
the same way everywhere. Query strings are coerced to the declared types first (``?per_page=5``
is the integer 5); path variables are taken as given (the URL always carries text, and an
unknown id is the handler's 404, not a 400). The body is checked against ``body_schema`` when
the catalog has one, because the flat input view can lose constraints (``anyOf`` bodies), and
against the body properties of the flat view otherwise. Query parameters the schema does not
declare are ignored, as Intercom does; so are undeclared body fields, which the spec's
schemas allow (none closes its objects).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from .catalog_data import Operation, with_defs
from .replies import ApiError

if TYPE_CHECKING:  # jsonschema is slow to import: loaded when a request needs checking
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

# Fields whose bad values Intercom reports with a dedicated code.
_SPECIAL_CODES: dict[tuple[str, ...], str] = {("sort", "order"): "invalid_sort_order"}
_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


class ValidInput(NamedTuple):
    """The query (values coerced to their declared types) and the body, once both passed."""

    query: dict[str, Any]
    body: Any


def _types_of(prop: dict[str, Any]) -> list[str]:
    declared = prop.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [t for t in declared if isinstance(t, str)]
    if "enum" in prop:
        return sorted({_JSON_TYPES.get(type(v), "string") for v in prop["enum"]})
    return []


def _coerce_one(raw: str, types: list[str]) -> Any:
    """Best-effort conversion of a query string value; failures stay strings for the schema."""
    if "integer" in types:
        try:
            return int(raw)
        except ValueError:
            pass
    if "number" in types:
        try:
            return float(raw)
        except ValueError:
            pass
    if "boolean" in types:
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    if "null" in types and raw == "" and "string" not in types:
        return None
    return raw


def coerce_query(props: dict[str, Any], pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        name = key[:-2] if key.endswith("[]") else key
        if name in props:
            values.setdefault(name, []).append(value)
    out: dict[str, Any] = {}
    for name, raws in values.items():
        prop = props[name]
        types = _types_of(prop)
        if "array" in types:
            item_types = _types_of(prop.get("items") or {})
            split = [part for raw in raws for part in raw.split(",")]
            out[name] = [_coerce_one(part, item_types) for part in split]
        else:
            out[name] = _coerce_one(raws[-1], types)
    return out


def _object_schema(props: dict[str, Any], required: Iterable[str]) -> dict[str, Any]:
    names = set(props)
    return {
        "type": "object",
        "properties": props,
        "required": [r for r in required if r in names],
    }


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _best_match(errors: Iterable[ValidationError]) -> ValidationError | None:
    from jsonschema.exceptions import best_match

    return best_match(errors)


def _error_field(error: ValidationError) -> str | None:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next(
            (r for r in _as_list(error.validator_value) if r not in error.instance),
            None,
        )
        if missing is not None:
            path.append(str(missing))
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(
            (error.schema.get("properties") or {}) if isinstance(error.schema, dict) else ()
        )
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            path.append(extra[0])
    return ".".join(path) or None


def to_api_error(error: ValidationError, status: int, where: str) -> ApiError:
    field_name = _error_field(error)
    path = tuple(str(p) for p in error.absolute_path)
    special = _SPECIAL_CODES.get(path)
    if special is not None:
        value = error.instance
        return ApiError(
            400,
            special,
            f"Sort order {value!r} is not valid; use ascending or descending",
            field_name=field_name,
        )
    if error.validator == "required":
        return ApiError(
            status,
            "parameter_not_found",
            f"{field_name or 'a parameter'} is required",
            field_name=field_name,
        )
    if error.validator == "additionalProperties":
        return ApiError(
            status,
            "parameter_invalid",
            f"{field_name or 'a field'} is not a valid {where} parameter",
            field_name=field_name,
        )
    label = field_name or where
    return ApiError(status, "parameter_invalid", f"{label}: {error.message}", field_name=field_name)


class InputValidator:
    """Compiled checks for one operation (built once, reused for every request)."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        required = self.op.input_schema.get("required") or []
        self.query_props = op.params_in("query")
        self.body_props = op.params_in("body")
        query_schema = _object_schema(self.query_props, required)
        self._query_required = bool(query_schema["required"])
        self._query_schema = query_schema
        self.accepts_body = bool(self.body_props) or op.body_schema is not None
        self._body_schema = (
            op.body_schema
            if op.body_schema is not None
            else _object_schema(self.body_props, required)
        )
        self._body_required = bool(set(required) & set(self.body_props))
        # Nothing to check when the request has no query and no body and nothing is required.
        self._trivial = not (set(required) - set(op.path_params)) and not self.body_props

    @cached_property
    def _query(self) -> Draft202012Validator:
        from jsonschema import Draft202012Validator

        return Draft202012Validator(with_defs(self._query_schema))

    @cached_property
    def _body(self) -> Draft202012Validator | None:
        from jsonschema import Draft202012Validator

        return Draft202012Validator(with_defs(self._body_schema)) if self.accepts_body else None

    def validate(self, pairs: list[tuple[str, str]], body: Any, has_body: bool) -> ValidInput:
        status = self.op.validation_status
        if self._trivial and not pairs and not has_body:
            return ValidInput({}, None)
        query = coerce_query(self.query_props, pairs)
        if query or self._query_required:
            err = _best_match(self._query.iter_errors(query))
            if err is not None:
                raise to_api_error(err, status, "query")
        if self._body is None:
            return ValidInput(query, None)
        if not has_body:
            if not self._body_required and self.op.body_schema is None:
                return ValidInput(query, {})
            body = {}
        err = _best_match(self._body.iter_errors(body))
        if err is not None:
            raise to_api_error(err, status, "body")
        return ValidInput(query, body)
