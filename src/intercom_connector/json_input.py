"""JSON typed by a person (``--input``, ``--config``, ``-p``), read with bounds.

``json.loads`` raises RecursionError for a list nested a hundred thousand deep and ValueError
for a number of more than 4,300 digits; deep data that does load still breaks the recursive
schema validation and run-log sealing further on. Here each is a usage error that names the
flag, and nesting is bounded without recursing.
"""

from __future__ import annotations

import json
from typing import Any

from intercom_connector.errors import UsageError

MAX_NESTING = 100
"""Objects and lists inside one another in one value given on the command line."""


class InvalidJson(UsageError, ValueError):
    """Text given as JSON that is not JSON, or exceeds a bound; names where it came from."""


def _too_deep(what: str) -> InvalidJson:
    return InvalidJson(f"{what} nests deeper than {MAX_NESTING} levels")


def exceeds_nesting(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether dicts and lists in ``value`` nest deeper than ``limit`` (no recursion)."""
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, depth + 1) for child in children)
    return False


def loads_bounded(text: str, what: str) -> Any:
    """Parse ``text``; ``what`` (a flag name) starts every message.

    json.JSONDecodeError is raised as it is, for callers that fall back to plain text.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(what) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # int() refusing a number of thousands of digits
        raise InvalidJson(f"{what} has a number too long to read: {error}".split(";")[0]) from None
    if exceeds_nesting(value):
        raise _too_deep(what)
    return value
