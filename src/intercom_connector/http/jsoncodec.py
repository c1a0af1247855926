"""One JSON decoder for the whole layer.

Replies are decoded exactly once, from bytes. orjson is used when the environment already has
it (it is several times faster on large list pages); it is not a dependency.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

try:  # pragma: no cover - depends on the environment
    import orjson

    loads: Callable[[bytes], Any] = orjson.loads
    JSONDecodeError: tuple[type[Exception], ...] = (orjson.JSONDecodeError, UnicodeDecodeError)
except ImportError:
    loads = json.loads
    JSONDecodeError = (ValueError, UnicodeDecodeError)

__all__ = ["JSONDecodeError", "loads"]
