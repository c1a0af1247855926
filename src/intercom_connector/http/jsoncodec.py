"""One JSON codec: orjson when it is installed (the ``[fast]`` extra), else the standard library.

Replies are decoded exactly once, from bytes, and records are encoded once for output; orjson
does both several times faster on large list pages. Values and text are the same with and
without it, because the three places where orjson differs from ``json`` are handled here:

- integers beyond 64 bits: ``orjson.loads`` reads them as floats (digits lost) and
  ``orjson.dumps`` refuses them. Text with a run of 19 or more digits is decoded by ``json``;
  a value orjson refuses is encoded by ``json``.
- NaN and Infinity: ``json`` reads and writes them, orjson refuses to read them and writes
  ``null``. Text orjson refuses is decoded by ``json``, whose non-finite numbers come back as
  ``NonFinite`` (a float) that orjson refuses to encode, so ``json`` writes them back as read.
- floats below 1e-4: ``json`` writes ``1e-05`` where orjson writes ``0.00001``; output with
  such a form is encoded again by ``json``.

A false alarm (a long digit run or ``0.0000`` inside a string) only takes the slower path.
One difference remains, outside what is read: a NaN made in Python (not decoded) is written
as ``null`` by orjson; nothing in the connector makes one.
"""

from __future__ import annotations

import importlib
import json
import re
from types import ModuleType
from typing import Any

_orjson: ModuleType | None
try:  # pragma: no cover - depends on the environment ([fast] extra)
    _orjson = importlib.import_module("orjson")
except ImportError:  # pragma: no cover
    _orjson = None

JSONDecodeError: tuple[type[Exception], ...] = (ValueError, UnicodeDecodeError)

# The checks run on every page and record, so they are byte searches, not regex scans:
# digits mapped to "0" (all else to a space) find a run of 19 in one pass.
_DIGITS_AS_ZERO = bytes(48 if 48 <= code <= 57 else 32 for code in range(256))
_NINETEEN_DIGITS = b"0" * 19
_SINGLE_DIGIT_EXPONENT = re.compile(rb"\de-\d(?!\d)")


def _has_long_digit_run(raw: bytes) -> bool:
    return _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZERO)


def _orjson_only_float(encoded: bytes) -> bool:
    """Whether orjson wrote a float as json would not (``0.00001``, ``2.5e-8``)."""
    if b"0.0000" in encoded:
        return True
    return b"e-" in encoded and _SINGLE_DIGIT_EXPONENT.search(encoded) is not None


class NonFinite(float):
    """NaN or an infinity read from JSON text: a float, marked so encoding matches ``json``."""


def _standard_loads(data: bytes | str) -> Any:
    return json.loads(data, parse_constant=NonFinite)


def loads(data: bytes | str) -> Any:
    """Decode JSON text (bytes or str) into plain Python values."""
    if _orjson is None:
        return _standard_loads(data)
    raw = data.encode() if isinstance(data, str) else data
    if _has_long_digit_run(raw):
        return _standard_loads(data)
    try:
        return _orjson.loads(raw)
    except _orjson.JSONDecodeError:
        return _standard_loads(data)


def dumps(value: Any, indent: bool = False) -> str:
    """JSON text of plain data, compact or indented by two spaces, non-ASCII kept as is;
    other objects as their ``str()``."""
    if _orjson is not None:
        option = _orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS
        if indent:
            option |= _orjson.OPT_INDENT_2
        try:
            encoded: bytes = _orjson.dumps(value, option=option)
        except TypeError:
            pass
        else:
            if not _orjson_only_float(encoded):
                return encoded.decode()
    if indent:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


__all__ = ["JSONDecodeError", "NonFinite", "dumps", "loads"]
