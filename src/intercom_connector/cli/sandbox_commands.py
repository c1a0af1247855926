"""``intercom-connector sandbox serve``: run the local Intercom on a loopback port.

Thin on purpose: options become a ``SandboxConfig`` (``config_from_options``, testable
without a server) and ``sandbox.server.serve`` does the rest.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

import typer

from intercom_connector.cli.errors import UsageProblem, reported
from intercom_connector.sandbox import DEFAULT_TOKEN, Sandbox, SandboxConfig
from intercom_connector.sandbox import server as sandbox_server
from intercom_connector.sandbox.config import DEFAULT_RATE_LIMIT
from intercom_connector.sandbox.journal import JournalMismatch

sandbox_app = typer.Typer(help="Run a local Intercom sandbox.", no_args_is_help=True)


@sandbox_app.callback()
def sandbox_group() -> None:
    """A local Intercom (REST API 2.16) for demos, tests and offline automation work."""


def parse_latency(text: str) -> float | tuple[float, float]:
    """``0.05`` (fixed seconds) or ``0.01-0.1`` (a uniform range)."""
    try:
        if "-" in text.strip("-"):
            low, high = text.split("-", 1)
            return (float(low), float(high))
        return float(text)
    except ValueError as exc:
        raise typer.BadParameter("use seconds like 0.05 or a range like 0.01-0.1") from exc


def config_from_options(
    *,
    token: str = DEFAULT_TOKEN,
    seed: int = 0,
    contacts: int = 100,
    companies: int = 25,
    conversations: int = 40,
    latency: str = "0",
    rate_limit: int | None = None,
    error_rate: float = 0.0,
    drop_rate: float = 0.0,
    throttle_rate: float = 0.0,
    export_seconds: float = 3.0,
    scopes: str | None = None,
    state: str | None = None,
) -> SandboxConfig:
    limit = DEFAULT_RATE_LIMIT if rate_limit is None else (rate_limit if rate_limit > 0 else None)
    try:
        return SandboxConfig(
            token=token,
            seed=seed,
            contacts=contacts,
            companies=companies,
            conversations=conversations,
            latency=parse_latency(latency),
            error_rate=error_rate,
            drop_rate=drop_rate,
            throttle_rate=throttle_rate,
            export_seconds=export_seconds,
            rate_limit=limit,
            state_path=state,
            scopes=None
            if scopes is None
            else tuple(s.strip() for s in scopes.split(",") if s.strip()),
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@sandbox_app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; keep loopback unless needed.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port (0: any free one, named on start).")] = 8700,
    token: Annotated[str, typer.Option(help="Bearer token the sandbox accepts.")] = DEFAULT_TOKEN,
    seed: Annotated[int, typer.Option(help="Seed for the generated workspace.")] = 0,
    contacts: Annotated[int, typer.Option(help="Contacts to seed.")] = 100,
    companies: Annotated[int, typer.Option(help="Companies to seed.")] = 25,
    conversations: Annotated[int, typer.Option(help="Conversations to seed.")] = 40,
    latency: Annotated[
        str, typer.Option(help="Added latency in seconds: 0.05, or a range 0.01-0.1.")
    ] = "0",
    rate_limit: Annotated[
        int | None,
        typer.Option(help="Requests per 10-second window (0 = unlimited; default 1667)."),
    ] = None,
    error_rate: Annotated[float, typer.Option(help="Share of requests answering 5xx.")] = 0.0,
    drop_rate: Annotated[float, typer.Option(help="Share of connections dropped.")] = 0.0,
    throttle_rate: Annotated[
        float, typer.Option(help="Share of requests answering 429 (never processed).")
    ] = 0.0,
    export_seconds: Annotated[
        float, typer.Option(help="Seconds until a content export job completes.")
    ] = 3.0,
    scopes: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated scopes the token holds (read_users,...); other "
            "operations answer 403. Default: every scope."
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            help="SQLite file keeping the workspace across restarts (created if absent). "
            "Default: in memory only."
        ),
    ] = None,
) -> None:
    """Serve the sandbox until Ctrl-C."""
    config = config_from_options(
        token=token,
        seed=seed,
        contacts=contacts,
        companies=companies,
        conversations=conversations,
        latency=latency,
        rate_limit=rate_limit,
        error_rate=error_rate,
        drop_rate=drop_rate,
        throttle_rate=throttle_rate,
        export_seconds=export_seconds,
        scopes=scopes,
        state=state,
    )
    with reported():
        try:
            sock = sandbox_server.listen(host, port)
        except OSError as error:
            raise UsageProblem(
                f"cannot listen on {host}:{port}: {error.strerror or error} "
                "(is another sandbox running? pick another --port)"
            ) from None
    port = sock.getsockname()[1]
    with reported():
        try:
            sandbox = Sandbox(config, base_url=f"http://{host}:{port}")
        except (JournalMismatch, sqlite3.DatabaseError) as error:
            sock.close()
            raise UsageProblem(f"--state {state}: {error}") from None
    sandbox.state.ensure_seeded()  # before the banner: whoever waits for it finds data ready
    typer.echo(f"Intercom sandbox on http://{host}:{port}")
    typer.echo(f"Token: {config.token}   (Authorization: Bearer {config.token})")
    typer.echo("Admin: GET /_sandbox/requests, POST /_sandbox/reset   Ctrl-C to stop")
    sandbox_server.serve(sandbox, host=host, port=port, sock=sock)
