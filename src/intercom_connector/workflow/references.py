"""JSONPath references: parsing them once, finding them in step fields, resolving them.

A reference is a string starting with ``$.`` and rooted at ``steps``, ``config`` or ``env``.
``{$.path}`` inside a longer string is a template slot, and a leading ``$$`` escapes a
literal ``$``. The step id right after ``$.steps.`` is taken apart here, before
python-jsonpath sees the path, and passed on in bracket form (``$.steps['list-contacts']``):
ids may contain hyphens, and the interpreter and the checks both need the id on its own.

A *singular* path (no wildcard, slice, filter or recursion) resolves to one value; one
that matches nothing is ``MISSING``, which inputs refuse and conditions may test. Any other
path resolves to the list of everything it matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonpath import JSONPath, JSONPathError

from intercom_connector.workflow.patterns import JSONPATH

ROOTS = ("steps", "config", "env")
ENV_KEYS = ("run_id", "workflow", "started_at", "started_at_unix")

_STEP_ID = r"[A-Za-z_][A-Za-z0-9_-]*"
_STEP_DOTTED = re.compile(rf"^\$\.steps\.({_STEP_ID})(.*)$", re.DOTALL)
_STEP_BRACKET = re.compile(r"""^\$\.steps\[(['"])(.+?)\1\](.*)$""", re.DOTALL)
_ROOT = re.compile(r"^\$\.([A-Za-z_]+)(.*)$", re.DOTALL)
_FIRST_KEY = re.compile(rf"^\.({_STEP_ID})|^\[(['\"])(.+?)\2\]")
_TEMPLATE_SLOT = re.compile(r"\{(\$\.[^{}]+)\}")
_DOTTED_NAMES = re.compile(r"^(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


class _Missing:
    """Nothing matched a singular path."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class ReferenceSyntaxError(ValueError):
    """A reference that cannot be parsed (found by the checks, before anything runs)."""


class ReferenceProblem(LookupError):
    """A reference that cannot be resolved at run time; names the step and the path."""


@dataclass(frozen=True)
class Reference:
    text: str
    root: str
    step_id: str | None
    first_key: str | None
    """The first key after the root (and the step id): ``value`` in ``$.steps.loop.value``."""
    query: JSONPath
    rest: str = ""
    """The path after the root (and the step id): ``.data[0].id``."""
    keys: tuple[str, ...] | None = None
    """For a path of dotted names only (``$.steps.loop-1.value.id``, most references): the
    keys from the context down, so ``lookup`` walks them instead of running the query.
    The walk gives what python-jsonpath gives such a path: a name selects a key of a
    mapping, and anything else (no such key, not a mapping) matches nothing."""

    @property
    def singular(self) -> bool:
        return bool(self.query.singular_query())

    def describe(self) -> str:
        return self.text if self.step_id is None else f"{self.text} (step {self.step_id!r})"


@lru_cache(maxsize=4096)
def parse_reference(text: str) -> Reference:
    """Parse ``$.steps.<id>...``, ``$.config...`` or ``$.env...`` (ReferenceSyntaxError)."""
    step_id: str | None = None
    rest: str
    match = _STEP_DOTTED.match(text) or _STEP_BRACKET.match(text)
    if match is not None:
        step_id = match.group(1) if match.re is _STEP_DOTTED else match.group(2)
        rest = match.groups()[-1]
        root = "steps"
        normalised = f"$.steps[{_quote(step_id)}]{rest}"
    else:
        root_match = _ROOT.match(text)
        if root_match is None or root_match.group(1) not in ROOTS:
            raise ReferenceSyntaxError(
                f"{text!r} is not a reference: it must start with $.steps.<step-id>, "
                "$.config or $.env"
            )
        root, rest = root_match.group(1), root_match.group(2)
        if root == "steps":
            raise ReferenceSyntaxError(f"{text!r} needs a step id after $.steps.")
        normalised = text
    first = _FIRST_KEY.match(rest)
    first_key = (first.group(1) or first.group(3)) if first else None
    try:
        query = JSONPATH.compile(normalised)
    except (JSONPathError, re.error, ValueError, RecursionError) as error:
        # re.error: a filter's regex literal that does not compile
        detail = (str(error).splitlines() or [type(error).__name__])[0]
        raise ReferenceSyntaxError(f"{text!r} is not valid JSONPath: {detail}") from None
    if not isinstance(query, JSONPath):
        raise ReferenceSyntaxError(f"{text!r}: compound JSONPath queries are not supported")
    keys = None
    if _DOTTED_NAMES.match(rest):
        names = tuple(rest.split(".")[1:])
        keys = (root, step_id, *names) if step_id is not None else (root, *names)
    return Reference(text, root, step_id, first_key, query, rest, keys)


def _quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "\\'") + "'"


def template_slots(text: str) -> list[str]:
    """The references inside ``{...}`` slots of a longer string."""
    if text.startswith(("$.", "$$")):
        return []
    return _TEMPLATE_SLOT.findall(text)


def find_references(value: Any, field: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, str]]:
    """Every reference text in ``value`` with the field path where it sits."""
    if isinstance(value, str):
        if value.startswith("$."):
            yield field, value
        else:
            for slot in template_slots(value):
                yield field, slot
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from find_references(item, (*field, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from find_references(item, (*field, index))


def has_references(value: Any) -> bool:
    return next(find_references(value), None) is not None


def lookup(text: str, context: Mapping[str, Any]) -> Any:
    """The value of one reference in ``{"steps": ..., "config": ..., "env": ...}``."""
    reference = parse_reference(text)
    if reference.step_id is not None and reference.step_id not in context["steps"]:
        raise ReferenceProblem(
            f"{text}: step {reference.step_id!r} has not run (yet) at this point, "
            "so it has no output to read"
        )
    if reference.keys is not None:
        found: Any = context
        for key in reference.keys:
            if not isinstance(found, Mapping) or key not in found:
                return MISSING
            found = found[key]
        return found
    try:
        matches = reference.query.findall(context)
    except (JSONPathError, TypeError, ValueError, re.error, RecursionError) as error:
        # a filter that cannot apply to the data it meets (count() of a scalar, `in` a string)
        detail = (str(error).splitlines() or [type(error).__name__])[0]
        raise ReferenceProblem(f"{text}: cannot be evaluated on this data: {detail}") from None
    if reference.singular:
        return matches[0] if matches else MISSING
    return matches


def resolve(value: Any, context: Mapping[str, Any], *, allow_missing: bool = False) -> Any:
    """``value`` with every reference replaced by what it points at.

    A singular reference that matches nothing raises ReferenceProblem unless
    ``allow_missing`` (conditions test for it), in which case it becomes ``MISSING``.
    """
    if isinstance(value, str):
        if value.startswith("$."):
            found = lookup(value, context)
            if found is MISSING and not allow_missing:
                raise ReferenceProblem(_nothing_matched(value))
            return found
        if value.startswith("$$"):
            return value[1:]
        if "{$." in value:
            return _fill_template(value, context)
        return value
    if isinstance(value, Mapping):
        return {
            key: resolve(item, context, allow_missing=allow_missing) for key, item in value.items()
        }
    if isinstance(value, list):
        return [resolve(item, context, allow_missing=allow_missing) for item in value]
    return value


def _fill_template(text: str, context: Mapping[str, Any]) -> str:
    def slot(match: re.Match[str]) -> str:
        found = lookup(match.group(1), context)
        if found is MISSING:
            raise ReferenceProblem(_nothing_matched(match.group(1)))
        if found is None:
            return ""
        if isinstance(found, str):
            return found
        return json.dumps(found, default=str)

    return _TEMPLATE_SLOT.sub(slot, text)


def _nothing_matched(text: str) -> str:
    reference = parse_reference(text)
    where = (
        f"the output of step {reference.step_id!r}"
        if reference.step_id is not None
        else f"$.{reference.root}"
    )
    return f"{text} matched nothing in {where}"
