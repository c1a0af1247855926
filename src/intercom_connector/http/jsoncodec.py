"""One JSON codec: orjson when it is installed (the ``[fast]`` extra), else the standard library.

Replies are decoded exactly once, from bytes, and records are encoded once for output; orjson
does both several times faster on large list pages. Values and text are the same with and
without it, because the three places where orjson differs from ``json`` are handled here:

- integers beyond 64 bits: ``orjson.loads`` reads them as floats (digits lost) and
  ``orjson.dumps`` refuses them. Text where a run of 19 or more digits could be a number (it
  follows what may precede a number: the start, a space, ``:``, ``,``, ``[`` or ``-``) is
  decoded by ``json``; a run after a letter or a dot (``"645f88440000000000000000"``, a
  fraction) cannot be an integer, so ids like that keep the fast path. A value orjson
  refuses is encoded by ``json``.
- NaN and Infinity: ``json`` reads and writes them, orjson refuses to read them and writes
  ``null``. Text orjson refuses is decoded by ``json``, whose non-finite numbers come back as
  ``NonFinite`` (a float) that orjson refuses to encode, so ``json`` writes them back as read.
- floats below 1e-4: ``json`` writes ``1e-05`` where orjson writes ``0.00001``; output with
  such a form is encoded again by ``json``.

A false alarm (a long digit run or ``0.0000`` inside a string) only takes the slower path.

A large text is decoded with the cyclic garbage collector paused (``collector_paused``): a
150-contact page builds some 5,000 containers, and the collector, started every 700 new
ones, would walk them (and on its full passes every older object) several times while the
page is built, though decoded JSON can hold no reference cycle. That halved the decoding
time of a listing's pages.
One difference remains, outside what is read: a NaN made in Python (not decoded) is written
as ``null`` by orjson; nothing in the connector makes one.
"""

from __future__ import annotations

import gc
import importlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

_orjson: ModuleType | None
try:  # pragma: no cover - depends on the environment ([fast] extra)
    _orjson = importlib.import_module("orjson")
except ImportError:  # pragma: no cover
    _orjson = None

JSONDecodeError: tuple[type[Exception], ...] = (ValueError, UnicodeDecodeError)

# The checks run on every page and record, so they are byte searches, not regex scans:
# digits mapped to "0", what may come just before a number's digits (JSON whitespace,
# ``:``, ``,``, ``[``, ``-``) to "^", all else to a space; then one search finds a run of 19
# digits that may be an integer.
_NUMBER_LEADS = frozenset(b" \t\n\r:,[-")
_DIGIT_CLASSES = bytes(
    48 if 48 <= code <= 57 else 94 if code in _NUMBER_LEADS else 32 for code in range(256)
)
_NINETEEN_DIGITS = b"0" * 19
_LONG_NUMBER = b"^" + _NINETEEN_DIGITS
_SINGLE_DIGIT_EXPONENT = re.compile(rb"\de-\d(?!\d)")


def _has_long_digit_run(raw: bytes) -> bool:
    """Whether ``raw`` may hold an integer of 19 digits or more (orjson's floats lose it)."""
    classes = raw.translate(_DIGIT_CLASSES)
    return _LONG_NUMBER in classes or classes.startswith(_NINETEEN_DIGITS)


def _orjson_only_float(encoded: bytes) -> bool:
    """Whether orjson wrote a float as json would not (``0.00001``, ``2.5e-8``)."""
    if b"0.0000" in encoded:
        return True
    return b"e-" in encoded and _SINGLE_DIGIT_EXPONENT.search(encoded) is not None


class NonFinite(float):
    """NaN or an infinity read from JSON text: a float, marked so encoding matches ``json``."""


def _standard_loads(data: bytes | str) -> Any:
    return json.loads(data, parse_constant=NonFinite)


# Texts from this size up are decoded with the collector paused (a page, not a record).
PAUSE_COLLECTOR_FROM = 16_384
_pause_lock = threading.Lock()
_pause_depth = 0
_resume_collector = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, if it runs, until the outermost pause ends
    (concurrent decodes in several threads share one pause)."""
    global _pause_depth, _resume_collector
    with _pause_lock:
        if _pause_depth == 0:
            _resume_collector = gc.isenabled()
            gc.disable()
        _pause_depth += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause_depth -= 1
            if _pause_depth == 0 and _resume_collector:
                gc.enable()


def loads(data: bytes | str) -> Any:
    """Decode JSON text (bytes or str) into plain Python values."""
    if len(data) < PAUSE_COLLECTOR_FROM:
        return _decode(data)
    with collector_paused():
        return _decode(data)


def _decode(data: bytes | str) -> Any:
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
