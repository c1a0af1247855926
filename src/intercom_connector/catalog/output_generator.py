"""Build ``outputs.json``: the shape of what every operation and step kind answers.

Facts only: field names, JSON types, list keys and enums, reduced from the reply schemas the
catalog generator already read out of the pinned spec (no prose, no formats, no examples).
The composites and the workflow step kinds are the connector's own, so their shapes are
written here as data. The workflow checks read this file to tell, before anything runs,
whether ``$.steps.list-contacts.data[0].id`` names something the reply has.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from intercom_connector.catalog.generator import render
from intercom_connector.catalog.outputs import referenced_definitions

KEPT_KEYS = (
    "type",
    "properties",
    "items",
    "enum",
    "anyOf",
    "allOf",
    "$ref",
    "additionalProperties",
)

_TEXT = {"type": "string"}
_INTEGER = {"type": "integer"}

COMPOSITE_OUTPUTS: dict[str, dict[str, Any]] = {
    "download_export_job": {
        "type": "object",
        "properties": {
            "completedFlag": {"type": "boolean"},
            "status": {
                "type": "string",
                "enum": ["pending", "in_progress", "completed", "no_data"],
            },
            "job_identifier": _TEXT,
            "file": {
                "type": ["object", "null"],
                "properties": {
                    "path": _TEXT,
                    "name": _TEXT,
                    "mime_type": _TEXT,
                    "size": _INTEGER,
                    "expires": {"type": ["integer", "null"]},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "raw_http_request": {
        "type": "object",
        "properties": {
            "status_code": _INTEGER,
            "headers": {"type": "object", "additionalProperties": _TEXT},
            "body": {},
        },
        "additionalProperties": False,
    },
}

NOTIFICATION = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["notification_event"]},
        "id": _TEXT,
        "topic": _TEXT,
        "app_id": _TEXT,
        "created_at": _INTEGER,
        "delivery_attempts": _INTEGER,
        "first_sent_at": _INTEGER,
        "delivery_status": _TEXT,
        "delivered_at": _INTEGER,
        "self": {"type": ["string", "null"]},
        "links": {"type": "object"},
        "data": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["notification_event_data"]},
                "item": {"type": "object"},
            },
        },
    },
}

_TIME = {"type": "string"}
_TIME_OR_NULL = {"type": ["string", "null"]}
SCHEDULE_EVENT = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["schedule"]},
        "workflow": _TEXT,
        "schedule": _TEXT,
        "timezone": _TEXT,
        "scheduled_at": _TIME,
        "scheduled_at_unix": _INTEGER,
        "previous_at": _TIME,
        "previous_at_unix": _INTEGER,
        "last_fired_at": _TIME_OR_NULL,
        "last_fired_at_unix": {"type": ["integer", "null"]},
        "missed": _INTEGER,
        "fired_at": _TIME,
        "fired_at_unix": _INTEGER,
    },
    "additionalProperties": False,
}

STEP_OUTPUTS: dict[str, dict[str, Any]] = {
    "loop": {
        "type": "object",
        "properties": {
            "iterations": _INTEGER,
            "broken": {"type": "boolean"},
            "results": {"type": "array", "items": {"type": "object"}},
        },
        "additionalProperties": False,
    },
    "iteration": {
        "type": "object",
        "properties": {"index": _INTEGER, "value": {}},
        "additionalProperties": False,
    },
    "condition": {
        "type": "object",
        "properties": {
            "result": {"type": "boolean"},
            "branch": {"type": "string", "enum": ["then", "else"]},
        },
        "additionalProperties": False,
    },
    "delay": {
        "type": "object",
        "properties": {"seconds": {"type": "number"}},
        "additionalProperties": False,
    },
    "map": {"type": "object"},
    "break": {"type": "null"},
    "all_pages": {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["list"]},
            "total_count": _INTEGER,
        },
        "additionalProperties": False,
    },
    "webhook": NOTIFICATION,
    "schedule": SCHEDULE_EVENT,
}


def reduce(schema: Any) -> Any:
    """A reply schema with only what says which fields exist and what type they are."""
    if isinstance(schema, list):
        return [reduce(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key in KEPT_KEYS:
        if key not in schema:
            continue
        value = schema[key]
        if key == "properties":
            out[key] = {name: reduce(sub) for name, sub in value.items()}
        elif key == "additionalProperties" and isinstance(value, bool):
            out[key] = value
        else:
            out[key] = reduce(value)
    return out


def build(catalog: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The outputs document for the catalog and schema documents of ``generator.build``."""
    definitions = schemas["$defs"]
    operations: dict[str, Any] = {}
    for entry in catalog["operations"]:
        name = entry["name"]
        if name in COMPOSITE_OUTPUTS:
            shape = COMPOSITE_OUTPUTS[name]
        else:
            reply = entry["response"]
            json_reply = (reply.get("content_type") or "application/json") == "application/json"
            shape = reduce(reply["schema"]) if reply.get("schema") and json_reply else {}
        operations[name] = {"schema": shape, "list_key": entry.get("list_key")}
    needed = referenced_definitions([op["schema"] for op in operations.values()], definitions)
    return {
        "spec_version": catalog["spec_version"],
        "generated_by": "scripts/generate_catalog.py",
        "operations": operations,
        "steps": STEP_OUTPUTS,
        "$defs": {name: reduce(definitions[name]) for name in needed},
    }


def write(catalog_path: Path, schemas_path: Path) -> Path:
    """Write ``outputs.json`` beside the catalog files just generated from the spec."""
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    schemas = json.loads(schemas_path.read_text(encoding="utf-8"))
    path = catalog_path.parent / "outputs.json"
    path.write_text(render(build(catalog, schemas)), encoding="utf-8")
    return path
