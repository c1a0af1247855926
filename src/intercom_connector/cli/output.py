"""Write replies and records to stdout as JSON, NDJSON or CSV.

Records are written as they arrive, so ``--all`` over 100,000 contacts streams with flat
memory; progress goes to stderr only, so stdout stays clean for pipes.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from typing import Any, TextIO


class OutputFormat(StrEnum):
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


def dumps(value: Any, pretty: bool = True) -> str:
    if pretty:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return dumps(value, pretty=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RecordWriter:
    """Streams records in one format; CSV columns come from the first record."""

    def __init__(self, fmt: OutputFormat, stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self.stream = stream or sys.stdout
        self.count = 0
        self._csv: Any = None
        self._columns: list[str] = []

    def write(self, record: Any) -> None:
        if self.fmt is OutputFormat.ndjson:
            self.stream.write(dumps(record, pretty=False) + "\n")
        elif self.fmt is OutputFormat.csv:
            row = record if isinstance(record, dict) else {"value": record}
            if self._csv is None:
                self._columns = list(row)
                self._csv = csv.writer(self.stream, lineterminator="\n")
                self._csv.writerow(self._columns)
            self._csv.writerow([_cell(row.get(col)) for col in self._columns])
        else:
            prefix = "[\n" if self.count == 0 else ",\n"
            body = "\n".join("  " + line for line in dumps(record).splitlines())
            self.stream.write(prefix + body)
        self.count += 1

    def close(self) -> None:
        if self.fmt is OutputFormat.json:
            self.stream.write("[]\n" if self.count == 0 else "\n]\n")
        self.stream.flush()


async def stream_records(
    records: AsyncIterator[Any],
    writer: RecordWriter,
    *,
    label: str,
    show_progress: bool,
) -> int:
    """Write every record as it arrives, with a live count on stderr."""
    if not show_progress:
        async for record in records:
            writer.write(record)
        writer.close()
        return writer.count
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("[bold]{task.completed}[/] records"),
        TimeElapsedColumn(),
        transient=True,
        console=_stderr_console(),
    )
    with progress:
        task = progress.add_task(label, total=None)
        async for record in records:
            writer.write(record)
            progress.update(task, advance=1)
    writer.close()
    return writer.count


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def page_records(reply: Any, list_key: str | None) -> list[Any] | None:
    """The records of one reply, for NDJSON/CSV output of a single page."""
    if list_key and isinstance(reply, dict) and isinstance(reply.get(list_key), list):
        records: list[Any] = reply[list_key]
        return records
    return None


def write_reply(reply: Any, fmt: OutputFormat, list_key: str | None) -> None:
    if fmt is OutputFormat.json:
        sys.stdout.write(dumps(reply) + "\n")
        return
    records = page_records(reply, list_key)
    writer = RecordWriter(fmt)
    for record in records if records is not None else [reply]:
        writer.write(record)
    writer.close()


EventPrinter = Callable[[dict[str, Any]], None]
