"""Build a minimal valid input for any operation from its schema.

Used by ``ops show --example`` to show people what an input looks like, and by the tests
that call every catalog operation. Values are deterministic: the same operation always
yields the same sample.
"""

from __future__ import annotations

from typing import Any

from intercom_connector.catalog.model import Operation

_MAX_DEPTH = 6
_FORMATTED = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "uri": "https://example.com/sample",
    "url": "https://example.com/sample",
    "uuid": "3f0c1e52-8d6a-4b7e-9a41-6c2d5b8e7f10",
    "email": "someone@example.com",
}


class SampleBuilder:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def value(self, schema: dict[str, Any], name: str = "", depth: int = 0) -> Any:
        schema = self._resolve(schema)
        if "enum" in schema:
            options = [v for v in schema["enum"] if v is not None]
            return options[0] if options else None
        if "const" in schema:
            return schema["const"]
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                choices = [c for c in schema[key] if self._resolve(c).get("type") != "null"]
                if choices:
                    base = {k: v for k, v in schema.items() if k != key}
                    return self.value({**base, **self._resolve(choices[0])}, name, depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
            for member in schema["allOf"]:
                member = self._resolve(member)
                merged["properties"].update(member.get("properties", {}))
                merged["required"] += member.get("required", [])
            merged["properties"].update(schema.get("properties", {}))
            merged["required"] += schema.get("required", [])
            return self.value(merged, name, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind is None and "properties" in schema:
            kind = "object"
        if kind == "object":
            if depth >= _MAX_DEPTH:
                return {}
            return {
                field: self.value(schema["properties"].get(field, {}), field, depth + 1)
                for field in schema.get("required", [])
                if field in schema.get("properties", {})
            }
        if kind == "array":
            minimum = max(1, int(schema.get("minItems", 1)))
            if depth >= _MAX_DEPTH:
                return []
            return [self.value(schema.get("items") or {}, name, depth + 1)] * minimum
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return float(schema.get("minimum", 1))
        if kind == "boolean":
            return True
        if kind == "string":
            fixed = _FORMATTED.get(schema.get("format", ""))
            longest = int(schema.get("maxLength", 1_000))
            if fixed is not None and len(fixed) <= longest:
                return fixed
            if fixed is not None:  # e.g. a "uuid" capped at 24 characters: Intercom's hex ids
                return "0123456789abcdef0123456789abcdef"[:longest].ljust(
                    int(schema.get("minLength", 0)), "0"
                )
            if "email" in name:
                return "someone@example.com"
            text = f"sample-{name}" if name else "sample"
            return text.ljust(int(schema.get("minLength", 0)), "x")
        return "sample"

    def _matching_shape(self, schema: dict[str, Any], fixed: dict[str, Any]) -> dict[str, Any]:
        """Of a body's alternative shapes, the first one that agrees with the fixed fields."""
        schema = self._resolve(schema)
        for alternative in schema.get("anyOf", []):
            properties = self._resolve(alternative).get("properties", {})
            if all(
                value in self._resolve(properties.get(key, {})).get("enum", [value])
                for key, value in fixed.items()
            ):
                return {**{k: v for k, v in schema.items() if k != "anyOf"}, **alternative}
        return schema

    def input_for(self, operation: Operation, optional: bool = False) -> dict[str, Any]:
        """Required fields (and every field when ``optional``) with valid sample values."""
        fields = {}
        for field in operation.fields:
            if field.location == "local":
                continue
            if field.required or optional:
                fields[field.name] = self.value(field.schema, field.name)
        for shape in operation.input_schema.get("oneOf", [])[:1]:
            # e.g. "exactly one of user_id, intercom_user_id, email": satisfy the first
            for name in shape.get("required", []):
                schema = operation.input_schema["properties"].get(name, {})
                fields.setdefault(name, self.value(schema, name))
        if operation.body_schema is not None:
            body = self.value(self._matching_shape(operation.body_schema, operation.fixed))
            if isinstance(body, dict):
                for key, value in body.items():
                    if key not in operation.fixed:
                        fields.setdefault(key, value)
        return fields
