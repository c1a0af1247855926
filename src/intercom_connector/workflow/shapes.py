"""Walking a reference's path through the shape of what it reads, before anything runs.

A shape is the reduced JSON Schema of ``catalog/outputs.py``. Walking ``.data[0].id``
through ``list_contacts``' reply either reaches the shape of ``id`` (a string), stops at a
field the reply does not have (with the closest names), stops at a list read like an
object or an object read like a list, or reaches an *open* part of the schema
(``custom_attributes``, a raw request's ``body``) beyond which nothing can be checked,
which the checks report as a note rather than an error.

Only plain paths are walked: ``.name``, ``['name']``, ``[0]``, ``[*]``, ``.*`` and slices.
A filter or a recursive descent ends the walk silently: what it selects is data-dependent.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from intercom_connector.catalog.outputs import OPEN, OutputShapes, Shape

_SEGMENT = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    |\[(?P<quote>['"])(?P<quoted>.*?)(?P=quote)\]
    |\[(?P<index>-?\d+)\]
    |(?P<wild>\[\*\]|\.\*)
    |(?P<slice>\[-?\d*:-?\d*(?::-?\d*)?\])""",
    re.VERBOSE,
)
JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")

Segment = tuple[str, str | int | None]
"""("key", name) | ("index", n) | ("many", None)."""


def segments(rest: str) -> tuple[list[Segment], bool]:
    """The plain segments of a path's remainder, and whether they cover all of it."""
    found: list[Segment] = []
    position = 0
    while position < len(rest):
        match = _SEGMENT.match(rest, position)
        if match is None:
            return found, False
        if match.group("name") is not None:
            found.append(("key", match.group("name")))
        elif match.group("quote") is not None:
            found.append(("key", match.group("quoted")))
        elif match.group("index") is not None:
            found.append(("index", int(match.group("index"))))
        else:
            found.append(("many", None))
        position = match.end()
    return found, True


@dataclass(frozen=True)
class Walked:
    """Where a walk ended: the shape reached, or why it stopped."""

    shape: Shape | None = None
    """None when the walk stopped (a problem) or could not go on (open, or a filter)."""
    problem: str | None = None
    note: str | None = None


class ShapeWalker:
    def __init__(self, outputs: OutputShapes) -> None:
        self.outputs = outputs

    def types(self, shape: Shape | None) -> set[str] | None:
        """The JSON types a value of ``shape`` may have; None when the shape says nothing."""
        shape = self.outputs.resolve(shape)
        declared = shape.get("type")
        if isinstance(declared, str):
            found = {declared}
        elif isinstance(declared, list):
            found = set(declared)
        elif "enum" in shape:
            found = {literal_type(value) for value in shape["enum"]}
        elif "properties" in shape:
            found = {"object"}
        else:
            found = set()
        for key in ("anyOf", "allOf"):
            members = [self.types(member) for member in shape.get(key, [])]
            if any(member is None for member in members):
                return None if key == "anyOf" or not found else found
            for member in members:
                found |= member or set()
        return found or None

    def fields(self, shape: Shape) -> tuple[dict[str, Shape], Shape | None, bool]:
        """(declared fields, the shape of undeclared ones or None, whether the set is open)."""
        shape = self.outputs.resolve(shape)
        properties: dict[str, Shape] = dict(shape.get("properties", {}))
        extra = shape.get("additionalProperties")
        open_member = False
        for key in ("anyOf", "allOf"):
            for member in shape.get(key, []):
                more, member_extra, member_open = self.fields(member)
                objectish = "object" in (self.types(member) or {"object"})
                open_member = open_member or (key == "anyOf" and member_open and objectish)
                for name, sub in more.items():
                    properties[name] = (
                        {"anyOf": [properties[name], sub]} if name in properties else sub
                    )
                if extra is None and isinstance(member_extra, dict):
                    extra = member_extra
        is_open = open_member or (not properties and extra is None)
        return properties, extra if isinstance(extra, dict) else None, is_open

    def walk(self, shape: Shape, path: list[Segment], where: str) -> Walked:
        """Follow ``path`` from ``shape``; ``where`` names the start in messages."""
        many = False
        for segment, value in path:
            shape = self.outputs.resolve(shape)
            kinds = self.types(shape)
            if kinds is None:
                return Walked(
                    note=f"{where} is not described further (open schema); the rest "
                    "of the path is checked only when the run reads it"
                )
            kinds = kinds - {"null"}
            if segment == "key":
                outcome = self._field(shape, kinds, str(value), where)
                if not isinstance(outcome, dict):
                    return outcome
                shape, where = outcome, f"{where}.{value}"
            elif "array" in kinds:
                shape = self.outputs.resolve(shape).get("items", OPEN)
                many = many or segment == "many"
                where += f"[{value}]" if segment == "index" else "[*]"
            elif segment == "many" and "object" in kinds:
                return Walked(note=f"{where}[*] reads every field of an object; not checked")
            else:
                label = " or ".join(sorted(kinds)) or "empty"
                hint = self._field_hint(shape, kinds, where)
                return Walked(
                    problem=f"{where} is {article(label)}, not a list, so it has no "
                    f"index [{value if segment == 'index' else '*'}]{hint}"
                )
        return Walked(shape={"type": "array", "items": shape} if many else shape)

    def _field(self, shape: Shape, kinds: set[str], name: str, where: str) -> Shape | Walked:
        if "object" not in kinds:
            if "array" in kinds:
                return Walked(
                    problem=f"{where} is a list; did you mean {where}[0].{name} "
                    f"(one item) or {where}[*].{name} (every item)?"
                )
            label = " or ".join(sorted(kinds))
            return Walked(problem=f"{where} is {article(label)}, which has no field {name!r}")
        properties, extra, is_open = self.fields(shape)
        if name in properties:
            return properties[name]
        if is_open:
            return Walked(
                note=f"{where} is an open object (its fields are not in the schema); "
                f"{where}.{name} is checked only when the run reads it"
            )
        if extra is not None:
            return Walked(
                note=f"{where} holds free-form keys (like custom_attributes); "
                f"{where}.{name} is checked only when the run reads it"
            )
        close = difflib.get_close_matches(name, list(properties), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = f" (fields: {', '.join(sorted(properties))})" if len(properties) <= 12 else ""
        return Walked(problem=f"{where} has no field {name!r}{hint}{known}")

    def _field_hint(self, shape: Shape, kinds: set[str], where: str) -> str:
        """What to write instead of indexing something that is not a list."""
        if "object" not in kinds:
            return f"; did you mean {where} itself?"
        fields = self.fields(shape)[0]
        lists = self.list_fields(shape)
        if len(lists) == 1:
            return f"; did you mean {where}.{lists[0]}[...]?"
        if fields:
            example = "id" if "id" in fields else next(iter(fields))
            return f"; did you mean one of its fields, like {where}.{example}?"
        return f"; did you mean {where} itself?"

    def list_fields(self, shape: Shape) -> list[str]:
        """The fields of an object shape that hold lists."""
        return [
            name
            for name, sub in self.fields(shape)[0].items()
            if "array" in (self.types(sub) or set())
        ]


def article(label: str) -> str:
    names = {"object": "an object", "array": "a list", "integer": "an integer", "null": "null"}
    return names.get(label, f"a {label}")


def literal_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def literal_shape(value: Any) -> Shape:
    """The shape of a value written in the file (config values, literal lists, map parts)."""
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {str(key): literal_shape(item) for key, item in value.items()},
            "additionalProperties": False,
        }
    if isinstance(value, list):
        shapes = [literal_shape(item) for item in value]
        alike = bool(shapes) and all(shape == shapes[0] for shape in shapes)
        return {"type": "array", "items": shapes[0] if alike else OPEN}
    return {"type": literal_type(value)}
