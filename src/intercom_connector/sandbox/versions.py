"""Answer per ``Intercom-Version``: unknown versions, operations a version lacks, older rules.

The facts come from the catalog's generated ``versions.json``. An operation that the
requested version does not have answers as an unknown path does; a request under an older
version is validated against that version's field types and enum values (``owner_id`` is an
integer before 2.16), so a client pinned to 2.14 sees 2.14's rules.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

from intercom_connector.catalog import versions

from .catalog_data import Operation
from .replies import ApiError

HEADER = "intercom-version"


def requested_version(headers: Any) -> str:
    """The version a request asks for (the latest when it names none); 400 if unknown."""
    version = headers.get(HEADER)
    if version is None or version == "":
        return versions.latest()
    if version not in versions.accepted_versions():
        known = ", ".join(versions.accepted_versions())
        raise ApiError(
            400,
            "intercom_version_invalid",
            f"The requested version could not be found; use one of {known}",
        )
    return str(version)


def check_exists(op: Operation, version: str) -> None:
    if not versions.exists_in(op.name, version):
        raise ApiError(404, "not_found", "Resource Not Found")


def _with_rule(prop: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in prop.items() if k not in ("type", "enum", "$ref", "anyOf", "oneOf")}
    kind = rule.get("type")
    if kind is not None:
        kept["type"] = [kind, "null"] if rule.get("nullable") else kind
    if "enum" in rule:
        kept["enum"] = [*rule["enum"], *([None] if rule.get("nullable") else [])]
    return kept


@cache
def operation_under(op: Operation, version: str) -> Operation:
    """``op`` as ``version`` describes its inputs (the same object when nothing differs).

    A changed body field drops the whole-body schema, so the flat view (which carries the
    older rule) is what validates the body.
    """
    rules = versions.field_rules(op.name, version)
    if not rules:
        return op
    props = dict(op.properties)
    for name, rule in rules.items():
        if name in props:
            props[name] = _with_rule(props[name], rule)
    schema = {**op.input_schema, "properties": props}
    body_changed = any(op.properties.get(n, {}).get("x-in") == "body" for n in rules)
    return replace(op, input_schema=schema, body_schema=None if body_changed else op.body_schema)
