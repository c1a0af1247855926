"""The operation record: one Intercom operation described as data.

Operations are executed by one generic executor (``executor.py``); nothing in the project
writes a function per operation. The record is immutable and built from the committed
``catalog.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Self

Location = Literal["path", "query", "header", "body", "local"]
Kind = Literal["spec", "variant", "composite"]


@dataclass(frozen=True)
class Field:
    """One input field of an operation's flat input schema."""

    name: str
    location: Location
    required: bool
    schema: dict[str, Any]

    @property
    def type_label(self) -> str:
        """A short human label for the field's type, for tables and error messages."""
        return type_label(self.schema)


def constrains_the_whole(schema: dict[str, Any]) -> bool:
    """Whether an empty input could fail the schema beyond its (hand-checked) required list.

    The per-field schemas apply only to fields that are present, so an operation given no
    input is checked without compiling its schema (and without importing jsonschema).
    """
    return bool(set(schema) - {"type", "properties", "required", "additionalProperties"})


def type_label(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return "object (" + schema["$ref"].rsplit("/", 1)[-1] + ")"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "|".join(k for k in kind if k != "null") + ("?" if "null" in kind else "")
    if kind == "array":
        items = schema.get("items") or {}
        return f"array of {type_label(items)}" if items else "array"
    if kind is None:
        alternatives = schema.get("anyOf") or schema.get("allOf")
        if alternatives:
            return " | ".join(sorted({type_label(a) for a in alternatives}))
        return "any"
    return str(kind)


@dataclass(frozen=True)
class Operation:
    """An Intercom operation: how to call it, what it takes and what it answers."""

    name: str
    title: str
    summary: str
    operation_id: str | None
    tags: tuple[str, ...]
    method: str
    path: str
    kind: Kind
    input_schema: dict[str, Any]
    body_schema: dict[str, Any] | None
    pagination: dict[str, Any] | None
    list_key: str | None
    retry_safe: bool
    scope: str | None
    accept: str
    response: dict[str, Any]
    error_statuses: tuple[int, ...]
    aliases: tuple[str, ...]
    fixed: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            name=data["name"],
            title=data["title"],
            summary=data.get("summary", ""),
            operation_id=data.get("operation_id"),
            tags=tuple(data.get("tags", ())),
            method=data["method"],
            path=data["path"],
            kind=data.get("kind", "spec"),
            input_schema=data["input_schema"],
            body_schema=data.get("body_schema"),
            pagination=data.get("pagination"),
            list_key=data.get("list_key"),
            retry_safe=bool(data.get("retry_safe")),
            scope=data.get("scope"),
            accept=data.get("accept", "application/json"),
            response=data.get("response", {}),
            error_statuses=tuple(data.get("error_statuses", ())),
            aliases=tuple(data.get("aliases", ())),
            fixed=dict(data.get("fixed", {})),
        )

    @property
    def fields(self) -> list[Field]:
        required = set(self.input_schema.get("required", ()))
        return [
            Field(name, schema.get("x-in", "body"), name in required, schema)
            for name, schema in self.input_schema.get("properties", {}).items()
        ]

    @property
    def pagination_style(self) -> str:
        return self.pagination["style"] if self.pagination else "none"

    @property
    def paginated(self) -> bool:
        return self.pagination is not None

    @property
    def accepts_no_input_unchecked(self) -> bool:
        """Whether an empty input is valid without checking it: no required field, no body,
        and no schema rule beyond its fields (the client then skips loading the validator)."""
        schema = self.input_schema
        return (
            self.body_schema is None
            and not schema.get("required")
            and not constrains_the_whole(schema)
        )

    @property
    def downloads(self) -> bool:
        """Whether the reply is a file rather than JSON."""
        return self.accept != "application/json"
