"""Durations in workflow files: seconds as a number, or text like ``"1m30s"``."""

from __future__ import annotations

import re

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.IGNORECASE)
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0}


def parse_duration(text: str) -> float:
    """Seconds in ``"500ms"``, ``"90s"``, ``"1m30s"``, ``"2h"`` or a bare number ``"5"``."""
    cleaned = text.strip().lower()
    try:
        return float(cleaned)
    except ValueError:
        pass
    position, total = 0, 0.0
    for match in _DURATION.finditer(cleaned):
        if cleaned[position : match.start()].strip():
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2).lower()]
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        raise ValueError(
            f"{text!r} is not a duration; write seconds (5, 0.5) or units like "
            "'500ms', '30s', '1m30s', '2h'"
        )
    return total
