"""Write replies and records to stdout as a table, JSON, NDJSON or CSV.

Every command that prints data takes the one ``-o/--output`` option (``OutputOption``) and
says which formats apply to it (``require_format``). Records are written as they arrive, so
``--all`` over 100,000 contacts streams with flat memory; CSV keeps every column (the union
of the records' keys, gathered in a temporary file first, or the ``--columns`` given);
progress goes to stderr only, so stdout stays clean for pipes.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from enum import StrEnum
from typing import Annotated, Any, TextIO

import typer

from intercom_connector.cli.errors import UsageProblem
from intercom_connector.http.jsoncodec import dumps as encode_json


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


OutputOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--output",
        "-o",
        show_default=False,
        help="table, json, ndjson or csv, where the command has it (default: config.toml's "
        "output where it applies, else a table for listings and JSON for replies).",
    ),
]
ColumnsOption = Annotated[
    str | None,
    typer.Option("--columns", help="CSV columns, comma-separated (default: every key seen)."),
]
RECORD_FORMATS = (OutputFormat.json, OutputFormat.ndjson, OutputFormat.csv)
LISTING_FORMATS = (OutputFormat.table, *RECORD_FORMATS)
TABLE_OR_JSON = (OutputFormat.table, OutputFormat.json)


def require_format(
    fmt: OutputFormat | None, fallback: OutputFormat, *allowed: OutputFormat
) -> OutputFormat:
    """The format to write in: the one asked for, if the command has it (else a usage error
    naming the ones it has); without ``-o``, config.toml's output if it applies, or
    ``fallback``."""
    if fmt is None:
        from intercom_connector.cli.settings import setting

        configured = setting("output")
        return OutputFormat(configured) if configured in allowed else fallback
    if fmt not in allowed:
        names = ", ".join(f.value for f in allowed)
        raise UsageProblem(f"--output {fmt.value} does not apply here; use {names}")
    return fmt


def column_list(text: str | None) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] if text else None


def dumps(value: Any, pretty: bool = True) -> str:
    """JSON text, indented for people or compact (one NDJSON line), through the fast codec."""
    return encode_json(value, indent=pretty)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return dumps(value, pretty=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RecordWriter:
    """Streams records in one format.

    CSV has one header, so it needs every column before the first row: with ``columns``
    given, rows stream as they come; without, records wait in a temporary file (flat memory)
    while their keys are gathered, and are written at ``close`` under the union of the keys,
    in the order they were first seen.
    """

    def __init__(
        self,
        fmt: OutputFormat,
        stream: TextIO | None = None,
        columns: list[str] | None = None,
    ) -> None:
        self.fmt = fmt
        self.stream = stream or sys.stdout
        self.count = 0
        self._columns: dict[str, None] = dict.fromkeys(columns or ())
        self._fixed = columns is not None
        self._csv: Any = None
        self._spool: Any = None

    def _row(self, record: Any) -> dict[str, Any]:
        return record if isinstance(record, dict) else {"value": record}

    def _write_csv(self, row: dict[str, Any]) -> None:
        if self._csv is None:
            self._csv = csv.writer(self.stream, lineterminator="\n")
            self._csv.writerow(list(self._columns))
        self._csv.writerow([_cell(row.get(col)) for col in self._columns])

    def write(self, record: Any) -> None:
        if self.fmt is OutputFormat.ndjson:
            self.stream.write(dumps(record, pretty=False) + "\n")
        elif self.fmt is OutputFormat.csv:
            row = self._row(record)
            if self._fixed:
                self._write_csv(row)
            else:
                if self._spool is None:
                    import tempfile

                    self._spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in close())
                self._columns.update(dict.fromkeys(row))
                self._spool.write(dumps(row, pretty=False) + "\n")
        else:
            prefix = "[\n" if self.count == 0 else ",\n"
            body = "\n".join("  " + line for line in dumps(record).splitlines())
            self.stream.write(prefix + body)
        self.count += 1

    def close(self) -> None:
        if self.fmt is OutputFormat.json:
            self.stream.write("[]\n" if self.count == 0 else "\n]\n")
        elif self.fmt is OutputFormat.csv and self._spool is not None:
            self._spool.seek(0)
            for line in self._spool:
                self._write_csv(json.loads(line))
            self._spool.close()
            self._spool = None
        self.stream.flush()

    def write_all(self, records: Iterable[Any]) -> None:
        for record in records:
            self.write(record)
        self.close()


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


def write_reply(
    reply: Any, fmt: OutputFormat, list_key: str | None, columns: list[str] | None = None
) -> None:
    if fmt is OutputFormat.json:
        sys.stdout.write(dumps(reply) + "\n")
        return
    records = page_records(reply, list_key)
    RecordWriter(fmt, columns=columns).write_all(records if records is not None else [reply])


def write_records(records: list[Any], fmt: OutputFormat, columns: list[str] | None = None) -> None:
    """A listing in a record format: JSON as one array, NDJSON a line each, CSV a row each."""
    if fmt is OutputFormat.json:
        sys.stdout.write(dumps(records) + "\n")
    else:
        RecordWriter(fmt, columns=columns).write_all(records)


EventPrinter = Callable[[dict[str, Any]], None]
