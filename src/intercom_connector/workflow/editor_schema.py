"""The workflow JSON Schema an editor completes from: every operation and its own inputs.

The model's schema (``model.workflow_json_schema``) knows steps, not operations. Here the
call step gets ``call:`` as an enum of every spelling the catalog accepts (names, display
names, aliases, operationIds, the spec's summaries), and one ``if``/``then`` per operation
keyed on those spellings, whose ``then`` is that operation's input schema. An editor
driven by yaml-language-server then completes ``input:`` fields and flags a misspelt one,
with no connector code running.

Every input value may also be a reference (a string starting with ``$.``), at any depth,
and path/query values may be given as text or numbers, as the validator accepts them.
"""

from __future__ import annotations

from typing import Any

from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.outputs import referenced_definitions
from intercom_connector.catalog.registry import Catalog, load_catalog
from intercom_connector.workflow.model import workflow_json_schema

REFERENCE: dict[str, Any] = {"type": "string", "pattern": r"^\$\."}
DEFS_PREFIX = "intercom."
_KEYWORDS_WITH_SCHEMAS = ("items", "additionalProperties", "not")
_KEYWORDS_WITH_LISTS = ("anyOf", "allOf", "oneOf")


def spellings(operation: Operation) -> list[str]:
    """Every text the loader resolves to ``operation`` verbatim."""
    names = [operation.name, operation.title, *operation.aliases]
    if operation.operation_id:
        names.append(operation.operation_id)
    if operation.kind == "spec" and operation.summary:
        names.append(operation.summary)
    return list(dict.fromkeys(names))


def _value(schema: Any) -> Any:
    """A field's schema made to accept a reference in its place, recursively."""
    inner = _strip(schema)
    if inner == {} or inner is True:
        return inner
    return {"anyOf": [inner, REFERENCE]}


def _strip(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = "#/$defs/" + DEFS_PREFIX + value.rsplit("/", 1)[-1]
        elif key == "properties":
            out[key] = {name: _value(sub) for name, sub in value.items()}
        elif key in _KEYWORDS_WITH_SCHEMAS and isinstance(value, dict):
            out[key] = _value(value)
        elif key in _KEYWORDS_WITH_LISTS:
            out[key] = [_strip(member) for member in value]
        else:
            out[key] = value
    return out


def _as_text_too(schema: dict[str, Any]) -> dict[str, Any]:
    """Path and query values travel as text: the validator takes 5 for '5' and '5' for 5."""
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if "integer" in kinds and "string" not in kinds:
        return {"anyOf": [schema, {"type": "string", "pattern": r"^-?[0-9]{1,18}$"}]}
    if "string" in kinds and not kinds & {"integer", "number"} and "enum" not in schema:
        return {"anyOf": [schema, {"type": "number"}]}
    return schema


def input_schema(operation: Operation) -> dict[str, Any]:
    schema = operation.input_schema
    properties = {}
    for name, field in schema.get("properties", {}).items():
        value = _value(field)
        if field.get("x-in") in ("path", "query", "header") and isinstance(value, dict):
            members = value.get("anyOf", [value])
            value = {"anyOf": [_as_text_too(members[0]), *members[1:]]}
        properties[name] = value
    out: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": bool(schema.get("additionalProperties")),
    }
    if schema.get("required"):
        out["required"] = list(schema["required"])
    return out


def editor_json_schema(catalog: Catalog | None = None) -> dict[str, Any]:
    """The workflow schema with operation names and per-operation inputs filled in."""
    catalog = catalog or load_catalog()
    schema = workflow_json_schema()
    call_step = schema["$defs"]["CallStep"]
    names: list[str] = []
    branches = []
    for operation in catalog:
        spelled = spellings(operation)
        names.extend(spelled)
        branches.append(
            {
                "if": {"properties": {"call": {"enum": spelled}}, "required": ["call"]},
                "then": {"properties": {"input": input_schema(operation)}},
            }
        )
    call_step["properties"]["call"]["enum"] = sorted(set(names))
    call_step["allOf"] = branches
    inputs = [branch["then"] for branch in branches]
    for name in referenced_definitions(inputs, catalog.definitions, prefix=DEFS_PREFIX):
        schema["$defs"][DEFS_PREFIX + name] = _strip(catalog.definitions[name])
    return schema
