"""What operations answer, as shapes read from the committed ``outputs.json``.

A shape is a reduced JSON Schema (``type``, ``properties``, ``items``, ``enum``, ``anyOf``,
``allOf``, ``$ref``, ``additionalProperties``); references point into the same file's
``$defs``. ``all: true`` on a list operation gives ``{type: list, <list key>: [...],
total_count}``, built here from the reply's own item shape.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from intercom_connector.catalog.model import type_label

Shape = dict[str, Any]
OPEN: Shape = {}


class OutputShapes:
    """Reply shapes by operation name, step-kind shapes, and the definitions they share."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.operations: dict[str, dict[str, Any]] = document["operations"]
        self.steps: dict[str, Shape] = document["steps"]
        self.definitions: dict[str, Shape] = document["$defs"]

    def reply(self, name: str) -> Shape:
        """The reply of one call of ``name`` (canonical name); open when unknown."""
        entry = self.operations.get(name)
        return entry["schema"] if entry is not None else OPEN

    def all_pages(self, name: str, list_key: str | None) -> Shape:
        """The output of a call with ``all: true``: every record under the list key."""
        key = list_key or "data"
        records = self.resolve(self.reply(name)).get("properties", {}).get(key)
        items = self.resolve(records).get("items", OPEN) if records else OPEN
        base = self.steps["all_pages"]
        return {
            **base,
            "properties": {**base["properties"], key: {"type": "array", "items": items}},
        }

    def resolve(self, shape: Shape | None) -> Shape:
        """``shape`` with its ``$ref`` (and chains of them) followed."""
        seen = 0
        while isinstance(shape, dict) and "$ref" in shape and seen < 50:
            shape = self.definitions.get(shape["$ref"].rsplit("/", 1)[-1], OPEN)
            seen += 1
        return shape if isinstance(shape, dict) else OPEN


def referenced_definitions(
    schemas: Any, definitions: dict[str, Any], prefix: str = ""
) -> list[str]:
    """Names of every definition ``schemas`` reach through ``$ref``, directly or not.

    ``prefix`` is what the references in ``schemas`` put before a definition's own name.
    """

    def names(node: Any) -> set[str]:
        if isinstance(node, list):
            return set().union(*(names(item) for item in node)) if node else set()
        if not isinstance(node, dict):
            return set()
        found = set()
        if "$ref" in node:
            found.add(node["$ref"].rsplit("/", 1)[-1].removeprefix(prefix))
        return found.union(*(names(value) for value in node.values()))

    needed: set[str] = set()
    pending = names(schemas)
    while pending:
        name = pending.pop()
        if name in needed or name not in definitions:
            continue
        needed.add(name)
        pending |= names(definitions[name]) - needed
    return sorted(needed)


def output_rows(outputs: OutputShapes, name: str, depth: int = 2) -> list[tuple[str, str, str]]:
    """(field path, type, allowed values) of a reply, ``depth`` levels down, for `ops show`."""
    rows: list[tuple[str, str, str]] = []

    def visit(shape: Shape, prefix: str, level: int) -> None:
        resolved = outputs.resolve(shape)
        if resolved.get("type") == "array" or "items" in resolved:
            visit(resolved.get("items", OPEN), prefix + "[]", level)
            return
        for field, sub in resolved.get("properties", {}).items():
            path = f"{prefix}.{field}" if prefix else field
            target = outputs.resolve(sub)
            enum = target.get("enum") or []
            label = type_label(sub) if "$ref" in sub else type_label(target)
            rows.append((path, label, ", ".join(str(v) for v in enum if v is not None)))
            if level + 1 < depth:
                visit(sub, path, level + 1)

    visit(outputs.reply(name), "", 0)
    return rows


@cache
def load_outputs() -> OutputShapes:
    """The shapes shipped with the package (parsed once per process)."""
    data = resources.files("intercom_connector.catalog").joinpath("data", "outputs.json")
    return OutputShapes(json.loads(data.read_bytes()))
