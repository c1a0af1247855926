"""The catalog's packaged data files (``catalog/data/*.json``), each parsed once per process.

The CLI's client and an in-process sandbox read the same ``catalog.json`` and
``schemas.json``: parsing them once, not once per layer, is part of what keeps
``call --sandbox`` quick to start. Callers must not change what they get. Only the standard
library is imported here, so the sandbox, which imports nothing above it but the catalog's
model, reads through this module too.

orjson (the ``[fast]`` extra) reads them in half the time when it is installed; it reads
these files exactly as ``json`` does (no integer beyond 64 bits, no NaN: a test checks every
file), and a file it refused would be read by ``json``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
"""Beside this module, as setuptools installs package data (importlib.resources would cost
more to import than the catalog takes to read)."""


@cache
def packaged(name: str) -> Any:
    """The parsed contents of ``catalog/data/<name>``, shared by every reader."""
    return decode((DATA_DIR / name).read_bytes())


def decode(text: bytes) -> Any:
    """``json.loads``, by orjson when it is installed and accepts the text."""
    try:
        import orjson
    except ImportError:
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
