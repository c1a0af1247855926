"""Incremental listings between runs: when "since" is, and where the last run left off.

``--updated-since`` takes a unix time, an ISO 8601 time (``2026-11-30T00:00:00Z``) or a
duration back from now (``90m``, ``24h``, ``7d``). A ``--state FILE`` keeps the high-water
mark of the last successful run, so a nightly sync is one command: the next run lists what
changed since then.

The mark saved is the run's start less ``INDEX_LAG``, not its end nor the newest
``updated_at`` seen: a record written during the run, or just before it but not yet in
Intercom's search index (new contacts can take minutes to appear), would otherwise fall
between two runs. The price is overlap: records changed in those minutes come again next
run, so consumers upsert by id. The file is small JSON, replaced atomically (written to a
temporary file in the same folder, flushed, then renamed over the old one), and only after
the listing finished: a failed run leaves the previous mark.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from intercom_connector.errors import UsageError

__all__ = ["INDEX_LAG", "ListingState", "parse_since"]

INDEX_LAG = 600.0
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def parse_since(text: str, now: float, flag: str = "--updated-since") -> float:
    """Unix seconds for a unix time, an ISO 8601 time with a zone, or a duration ago."""
    value = text.strip()
    try:
        return float(value)
    except ValueError:
        pass
    duration = _DURATION.match(value.lower())
    if duration:
        return now - float(duration.group(1)) * _UNITS[duration.group(2)]
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{flag} expects a unix time, an ISO 8601 time or a duration such as 24h or 7d, "
            f"got {text!r}"
        ) from None
    if when.tzinfo is None:
        raise UsageError(f"{flag} {text!r} needs a time zone, e.g. {value}Z")
    return when.timestamp()


class ListingState:
    """The high-water mark of one listing, kept in a JSON file between runs."""

    def __init__(self, path: str | Path, operation: str) -> None:
        self.path = Path(path)
        self.operation = operation

    def load(self) -> float | None:
        """The mark of the last successful run, or None before the first one."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise UsageError(f"--state {self.path}: cannot read it: {error.strerror}") from None
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(f"--state {self.path} is not JSON: {error.msg}") from None
        mark = data.get("high_water_mark") if isinstance(data, dict) else None
        if not isinstance(mark, int | float) or isinstance(mark, bool):
            raise UsageError(f"--state {self.path} has no numeric high_water_mark")
        if data.get("operation") != self.operation:
            raise UsageError(
                f"--state {self.path} belongs to {data.get('operation')!r}, "
                f"not {self.operation!r}: give each listing its own state file"
            )
        return float(mark)

    def save(self, started_at: float) -> float:
        """Record a finished run that started at ``started_at``; returns the mark saved."""
        mark = int(started_at - INDEX_LAG)
        document = {
            "operation": self.operation,
            "high_water_mark": mark,
            "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        folder = self.path.parent if str(self.path.parent) else Path(".")
        temporary: str | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream)
                stream.write("\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)  # the old state file stays as it was
            raise UsageError(f"--state {self.path}: cannot write it: {error.strerror}") from None
        return mark
