"""`call` and `raw`: run one operation, or any request, from the shell."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from intercom_connector.catalog.deadline import DEFAULT_DEADLINE
from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.registry import load_catalog
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.cli.errors import UsageProblem, reported
from intercom_connector.cli.listing_options import (
    Listing,
    OrderOption,
    ParallelOption,
    StateOption,
    UpdatedSinceOption,
)
from intercom_connector.cli.output import (
    RECORD_FORMATS,
    ColumnsOption,
    OutputFormat,
    OutputOption,
    RecordWriter,
    column_list,
    require_format,
    stream_records,
    write_reply,
)
from intercom_connector.json_input import loads_bounded

TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="INTERCOM_TOKEN",
        help="Access token for one-off use (default: $INTERCOM_TOKEN; --auth wins). "
        "Prefer the env var: shell history keeps flags.",
        show_default=False,
    ),
]
AuthOption = Annotated[
    str | None,
    typer.Option(
        "--auth",
        help="Name of a stored authentication (see `auth list`): its token, region and scopes.",
        show_default=False,
    ),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        show_default=False,
        help="us, eu or au: picks the API base URL (default: config.toml's region, or us).",
    ),
]
BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="Explicit API base URL (overrides --region).")
]
VersionOption = Annotated[
    str | None, typer.Option("--intercom-version", help="Intercom-Version header (default 2.16).")
]
SandboxOption = Annotated[
    bool, typer.Option("--sandbox", help="Run against an in-process sandbox with demo data.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress or retry notes.")]
TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=0.001,
        help="Seconds one operation may take, retries and settling a write included "
        "(each page, with --all).",
    ),
]


def _read_json(text: str, what: str) -> Any:
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise UsageProblem(f"{what}: cannot read {path}: {error.strerror}") from None
    try:
        return loads_bounded(text, what)
    except json.JSONDecodeError as error:
        raise UsageProblem(
            f"{what} is not valid JSON: {error.msg} at column {error.colno}"
        ) from None


def _coerce(op: Operation, key: str, raw: str) -> Any:
    """Give `-p key=value` the type the field's schema expects."""
    schema = op.input_schema.get("properties", {}).get(key, {})
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    try:
        if "integer" in kinds:
            return int(raw)
        if "number" in kinds:
            return float(raw)
    except ValueError:
        return raw  # validation names the field and the expected type
    if "boolean" in kinds and raw.lower() in ("true", "false", "1", "0", "yes", "no"):
        return raw.lower() in ("true", "1", "yes")
    if ("object" in kinds or "array" in kinds or "$ref" in schema) and raw[:1] in "[{":
        return _read_json(raw, f"-p {key}")
    return raw


def key_value_pairs(values: list[str] | None, flag: str) -> list[tuple[str, str]]:
    """`key=value` flags as pairs; a missing `=` or key is a usage error naming the flag."""
    pairs = []
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageProblem(f"{flag} expects key=value, got {item!r}")
        pairs.append((key.strip(), value))
    return pairs


def build_input(op: Operation, input_json: str | None, params: list[str] | None) -> dict:
    data: dict[str, Any] = {}
    if input_json:
        loaded = _read_json(input_json, "--input")
        if not isinstance(loaded, dict):
            raise UsageProblem("--input must be a JSON object of fields")
        data.update(loaded)
    for key, value in key_value_pairs(params, "-p"):
        data[key] = _coerce(op, key, value)
    return data


def call(
    name: Annotated[str, typer.Argument(help="Operation name, operationId or display name.")],
    input_json: Annotated[
        str | None,
        typer.Option("--input", "-i", help="Input as JSON, @file.json, or - for stdin."),
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="One input field: key=value.")
    ] = None,
    all_pages: Annotated[
        bool, typer.Option("--all", help="Follow every page and stream all records.")
    ] = False,
    output: OutputOption = None,
    columns: ColumnsOption = None,
    auth: AuthOption = None,
    token: TokenOption = None,
    region: RegionOption = None,
    base_url: BaseUrlOption = None,
    version: VersionOption = None,
    sandbox: SandboxOption = False,
    quiet: QuietOption = False,
    timeout: TimeoutOption = DEFAULT_DEADLINE,
    parallel: ParallelOption = 1,
    order: OrderOption = None,
    updated_since: UpdatedSinceOption = None,
    state: StateOption = None,
) -> None:
    """Run one operation. Records go to stdout; progress and errors to stderr."""
    connection = Connection(token, region, base_url, version, sandbox, quiet, auth=auth)
    connection.deadline = timeout
    listing = Listing(parallel, order, updated_since, state)
    with reported(connection.redact):
        listing.check(all_pages)
        output = require_format(output, OutputFormat.json, *RECORD_FORMATS)
        op = load_catalog().get(name)
        data = build_input(op, input_json, param)
        _warn_if_missing_in(op, version)
        pages = listing if all_pages else None
        asyncio.run(_call(connection, op, data, pages, output, column_list(columns)))


def _warn_if_missing_in(op: Operation, version: str | None) -> None:
    """Say so when the Intercom-Version sent predates the operation (Intercom answers 404)."""
    from intercom_connector.catalog import versions

    if version and not versions.exists_in(op.name, version):
        typer.echo(
            f"warning: {op.name} is not in Intercom-Version {version} "
            f"(it appeared in {versions.since(op.name)}); Intercom will answer 404",
            err=True,
        )


async def _call(
    connection: Connection,
    op: Operation,
    data: dict,
    listing: Listing | None,
    output: OutputFormat,
    columns: list[str] | None,
) -> None:
    async with open_client(connection) as client:
        if listing is not None:
            client.prepare(op.name, data)  # fail on bad input before any output starts
            show = not connection.quiet and sys.stderr.isatty()
            count = await stream_records(
                listing.records(client, op.name, data),
                RecordWriter(output, columns=columns),
                label=op.name,
                show_progress=show,
            )
            if not connection.quiet:
                typer.echo(f"{count} records", err=True)
            return
        reply = await client.call(op.name, data)
        write_reply(reply, output, op.list_key, columns)


def raw(
    method: Annotated[str, typer.Argument(help="GET, POST, PUT, PATCH or DELETE.")],
    endpoint: Annotated[str, typer.Argument(help="Path like /contacts, or an Intercom URL.")],
    query: Annotated[
        list[str] | None, typer.Option("--query", "-q", help="Query parameter key=value.")
    ] = None,
    header: Annotated[list[str] | None, typer.Option("--header", "-H", help="key=value.")] = None,
    body: Annotated[
        str | None, typer.Option("--body", "-b", help="JSON body, @file.json, or - for stdin.")
    ] = None,
    allow_error_status: Annotated[
        bool, typer.Option(help="Print 4xx/5xx replies instead of failing.")
    ] = False,
    auth: AuthOption = None,
    token: TokenOption = None,
    region: RegionOption = None,
    base_url: BaseUrlOption = None,
    version: VersionOption = None,
    sandbox: SandboxOption = False,
    quiet: QuietOption = False,
    timeout: TimeoutOption = DEFAULT_DEADLINE,
) -> None:
    """Raw HTTP request: any method and endpoint, with the connection's base URL and token."""
    connection = Connection(token, region, base_url, version, sandbox, quiet, auth=auth)
    connection.deadline = timeout
    with reported(connection.redact):
        data: dict[str, Any] = {"method": method.upper(), "endpoint": endpoint}
        if query:
            data["query"] = dict(key_value_pairs(query, "--query"))
        if header:
            data["headers"] = dict(key_value_pairs(header, "--header"))
        if body is not None:
            data["body"] = _read_json(body, "--body")
        if allow_error_status:
            data["allow_error_status"] = True
        result = asyncio.run(_raw(connection, data))
        write_reply(result, OutputFormat.json, None)


async def _raw(connection: Connection, data: dict) -> Any:
    async with open_client(connection) as client:
        return await client.call("raw_http_request", data)
