"""The catalog in the panel: browse and search it, describe an operation, try it.

An operation's page is built from its flat input schema: one form control per field (its
type, whether it is required, its enum, its limits), so the form is data-driven like the
rest of the catalog. "Try it" sends the input through the same client as `call` (the
sandbox, or a stored authentication) and answers the reply with the ``call`` step that
would do the same in a workflow.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.registry import Catalog
from intercom_connector.redaction import Redactor
from intercom_connector.ui.actions import Connect

_SCALARS = ("string", "integer", "number", "boolean")


def operation_rows(catalog: Catalog, text: str | None, tag: str | None) -> list[dict[str, Any]]:
    return [
        {
            "name": op.name,
            "title": op.title,
            "method": op.method,
            "path": op.path,
            "tags": list(op.tags),
            "paginated": op.paginated,
        }
        for op in catalog.search(text or None, tag or None)
    ]


def _control(schema: dict[str, Any]) -> str:
    """The form control a field's schema asks for."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if schema.get("enum"):
        return "select"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string":
        return "text"
    return "json"


def form_fields(operation: Operation) -> list[dict[str, Any]]:
    """The operation's input fields, required first, as the form renders them."""
    fields = []
    for field in sorted(operation.fields, key=lambda f: (not f.required, f.name)):
        schema = field.schema
        limits = {
            key: schema[key]
            for key in ("minimum", "maximum", "minLength", "maxLength", "pattern", "format")
            if key in schema
        }
        fields.append(
            {
                "name": field.name,
                "location": field.location,
                "required": field.required,
                "type": field.type_label,
                "control": _control(schema),
                "json_type": schema.get("type") if schema.get("type") in _SCALARS else None,
                "enum": [str(value) for value in schema.get("enum") or []],
                "limits": limits,
                "default": schema.get("default"),
            }
        )
    return fields


def step_id_for(operation: Operation) -> str:
    return re.sub(r"[^a-z0-9]+", "-", operation.name.lower()).strip("-") or "call-1"


def call_step_yaml(operation: Operation, data: dict[str, Any]) -> str:
    """The workflow step that makes the same call."""
    step: dict[str, Any] = {"id": step_id_for(operation), "call": operation.name}
    if data:
        step["input"] = data
    return yaml.safe_dump([step], sort_keys=False, allow_unicode=True)


async def try_operation(
    connect: Connect, operation: Operation, data: dict[str, Any], target: str
) -> dict[str, Any]:
    """Call ``operation`` with ``data`` against ``target`` ('sandbox' or an auth name)."""
    connection = {"sandbox": True} if target == "sandbox" else {"auth": target}
    answer: dict[str, Any] = {"step_yaml": call_step_yaml(operation, data), "target": target}
    redactor = Redactor()
    try:
        async with connect(connection) as client:
            answer["reply"] = redactor.value(await client.call(operation.name, data))
            answer["ok"] = True
    except Exception as error:  # the reply pane shows it; the server goes on
        answer["ok"] = False
        answer["error"] = redactor.text(f"{type(error).__name__}: {error}")
    return answer
