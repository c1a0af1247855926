"""Check an operation's input against its schema before any request is sent.

Every problem names the operation and the field, says what was expected, and suggests the
closest field name for a typo, so that a bad workflow step or CLI call is fixed without
reading the spec. Validators are compiled once per operation.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intercom_connector.catalog.model import Operation, constrains_the_whole, type_label
from intercom_connector.json_input import MAX_NESTING, exceeds_nesting

if TYPE_CHECKING:  # jsonschema is slow to import: loaded when an input needs checking
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
from intercom_connector.errors import UsageError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the field (dotted path) and what was expected."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(UsageError):
    """The input does not fit the operation's schema; nothing was sent."""

    label = "invalid input"

    def __init__(self, operation: str, problems: list[Problem]) -> None:
        self.operation = operation
        self.problems = problems
        listed = "; ".join(str(p) for p in problems)
        super().__init__(f"invalid input for {operation}: {listed}")


_MAX_SHOWN = 60


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _coerce_scalar(value: Any, schema: dict[str, Any]) -> Any:
    """Path and query values travel as text anyway: accept 123 where '123' is expected, and
    '123' where 123 is (ids from list replies are strings)."""
    expected = schema.get("type")
    kinds = expected if isinstance(expected, list) else [expected]
    if "string" in kinds and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if "integer" in kinds and "string" not in kinds and isinstance(value, str):
        text = value.strip()
        if _INTEGER_TEXT.fullmatch(text):
            return int(text)
    return value


_INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")


_NOT_BLANK = "path parameter must not be empty or a dot segment"


def _is_blank(value: Any) -> bool:
    """Blank, or a dot segment that URL normalisation would turn into the parent path."""
    return isinstance(value, str) and value.strip() in ("", ".", "..")


class InputValidator:
    """Validates inputs of one catalog's operations against their schemas.

    ``definitions`` gives the shared ``$defs``; it is called only when a schema is compiled,
    so an input that needs no schema check (``call identify_admin``) never reads them.
    """

    def __init__(self, definitions: Callable[[], dict[str, Any]]) -> None:
        self._definitions = definitions
        self._compiled: dict[tuple[str, str], Draft202012Validator] = {}

    def _validator(self, operation: Operation, part: str) -> Draft202012Validator:
        key = (operation.name, part)
        validator = self._compiled.get(key)
        if validator is None:
            base = operation.input_schema if part == "input" else operation.body_schema or {}
            if part == "input":
                # presence and unknown fields are reported by hand, with better wording
                base = {k: v for k, v in base.items() if k not in ("required",)}
                base["additionalProperties"] = True
            from jsonschema import Draft202012Validator

            validator = Draft202012Validator({**base, "$defs": self._definitions()})
            self._compiled[key] = validator
        return validator

    def prepare(self, operation: Operation, data: Any) -> dict[str, Any]:
        """Return the input with path/query scalars coerced, or raise InvalidInput."""
        if data is None:
            data = {}
        if exceeds_nesting(data):
            # the schema validator recurses: a value nested thousands deep would crash it
            raise InvalidInput(
                operation.name, [Problem("", f"input nests deeper than {MAX_NESTING} levels")]
            )
        if not isinstance(data, dict):
            raise InvalidInput(
                operation.name,
                [Problem("", f"input must be an object of fields, got {type(data).__name__}")],
            )
        properties: dict[str, Any] = operation.input_schema.get("properties", {})
        problems: list[Problem] = []
        prepared: dict[str, Any] = {}
        for name, value in data.items():
            schema = properties.get(name)
            if schema is None:
                if name in operation.fixed:
                    problems.append(
                        Problem(name, f"is set by {operation.name} itself and cannot be given")
                    )
                    continue
                if operation.input_schema.get("additionalProperties"):
                    prepared[name] = value
                    continue
                close = difflib.get_close_matches(name, list(properties), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                known = ", ".join(properties) or "none"
                problems.append(Problem(name, f"unknown field{hint} (fields: {known})"))
                continue
            if schema.get("x-in") in ("path", "query", "header"):
                value = _coerce_scalar(value, schema)
            if schema.get("x-in") == "path" and _is_blank(value):
                # an empty id would drop a path segment: GET /contacts/ lists every contact
                problems.append(
                    Problem(
                        name, f"path parameter must not be empty or a dot segment, got {value!r}"
                    )
                )
                continue
            prepared[name] = value
        refused = {problem.field for problem in problems}
        for name in operation.input_schema.get("required", ()):
            if prepared.get(name) is None and name not in refused:
                expected = type_label(properties.get(name, {}))
                problems.append(Problem(name, f"required field is missing (expected {expected})"))
        if problems:
            raise InvalidInput(operation.name, problems)

        problems = (
            [_problem(e) for e in self._validator(operation, "input").iter_errors(prepared)]
            if prepared or constrains_the_whole(operation.input_schema)
            else []
        )
        if not problems and operation.body_schema is not None:
            body = {**operation.fixed}
            body.update(
                (k, v) for k, v in prepared.items() if properties.get(k, {}).get("x-in") == "body"
            )
            errors = list(self._validator(operation, "body").iter_errors(body))
            problems = [self._body_problem(e, body) for e in errors]
        if problems:
            raise InvalidInput(operation.name, problems)
        return prepared

    def _body_problem(self, error: ValidationError, body: dict[str, Any]) -> Problem:
        if error.validator != "anyOf" or error.absolute_path:
            return _problem(error)
        # The body has several accepted shapes: say what each one still lacks.
        hints = []
        alternatives: list[Any] = list(error.validator_value)  # type: ignore[arg-type]
        for alternative in alternatives:
            while "$ref" in alternative:
                alternative = self._definitions()[alternative["$ref"].rsplit("/", 1)[-1]]
            required = alternative.get("required", [])
            missing = [name for name in required if name not in body]
            if missing:
                hints.append("missing " + ", ".join(missing))
            else:
                hints.append("other field values differ")
        shapes = "; ".join(f"shape {i + 1}: {hint}" for i, hint in enumerate(hints[:6]))
        return Problem("", f"the fields fit none of the accepted body shapes ({shapes})")


def _path_of(error: ValidationError) -> str:
    parts: list[str] = []
    for part in error.absolute_path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def _problem(error: ValidationError) -> Problem:
    return Problem(_path_of(error), _describe(error))


def _describe(error: ValidationError) -> str:
    validator = error.validator
    value: Any = error.validator_value
    if validator == "type":
        expected = value if isinstance(value, str) else " or ".join(value)
        return f"expected {expected}, got {_show(error.instance)}"
    if validator == "enum":
        options = ", ".join(repr(v) for v in value if v is not None)
        return f"expected one of {options}, got {_show(error.instance)}"
    if validator == "required":
        return error.message.replace("'", "", 2) if "property" in error.message else error.message
    if validator in ("maximum", "minimum", "maxLength", "minLength", "maxItems", "minItems"):
        return f"{_show(error.instance)} breaks {validator} {value}"
    if validator in ("oneOf", "anyOf") and all(
        isinstance(option, dict) and set(option) == {"required"} for option in value
    ):
        choices = ", ".join("+".join(option["required"]) for option in value)
        return f"give exactly one of: {choices}"
    if validator == "anyOf":
        return f"{_show(error.instance)} fits none of the accepted shapes"
    return error.message if len(error.message) < 200 else error.message[:197] + "..."
