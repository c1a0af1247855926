"""The catalog's packaged data files (``catalog/data/*.json``), each parsed once per process.

The CLI's client and an in-process sandbox read the same ``catalog.json`` and
``schemas.json``: parsing them once, not once per layer, is part of what keeps
``call --sandbox`` quick to start. Callers must not change what they get. Only the standard
library is imported here, so the sandbox, which imports nothing above it but the catalog's
model, reads through this module too.
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
    return json.loads((DATA_DIR / name).read_bytes())
