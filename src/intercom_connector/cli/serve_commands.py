"""``intercom-connector serve WORKFLOW...``: host webhook and schedule workflows.

The lead mounts it: ``app.command("serve")(serve)``.

One process: the webhook endpoint (``POST /webhooks/intercom`` on 127.0.0.1:8787 unless
told otherwise), the scheduler and the dispatcher that starts the runs. Where runs send
their requests is decided as for ``run``: ``--sandbox``, ``--auth``, ``--token`` /
``--base-url``, else each workflow's own ``authentication:``, else ``$INTERCOM_TOKEN``.
Deliveries are verified with the app's client secret (``--client-secret`` or
``$INTERCOM_CLIENT_SECRET``; the stored authentications keep no client secret).

With ``--sandbox`` the whole loop is local: the sandbox signs notifications of its own
events with its OAuth app's secret and sends them to this server's endpoint;
``--sandbox-port`` also serves it on a loopback port, so other commands can cause events
(``intercom-connector call create_contact --base-url http://127.0.0.1:PORT ...``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Annotated, Any

import typer

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.cli.call_commands import (
    AuthOption,
    BaseUrlOption,
    QuietOption,
    RegionOption,
    SandboxOption,
    VersionOption,
)
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.cli.errors import UsageProblem, reported, stderr
from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import LoadedWorkflow, load_workflow
from intercom_connector.workflow.model import WebhookTrigger
from intercom_connector.workflow.triggers import (
    DEFAULT_HOST,
    DEFAULT_MAX_BODY,
    DEFAULT_PORT,
    HostedWorkflow,
    ServeOptions,
    TriggerServer,
    bind,
    check_servable,
)

CLIENT_SECRET_ENV = "INTERCOM_CLIENT_SECRET"


def _log_to_stderr(quiet: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    for name in ("intercom_connector.triggers", "intercom_connector.sandbox.webhooks"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING if quiet else logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


def _banner(server: TriggerServer) -> None:
    lines = [f"serving {len(server.workflows)} workflow(s); Ctrl-C stops"]
    for name, hosted in server.workflows.items():
        trigger = hosted.loaded.workflow.trigger
        if isinstance(trigger, WebhookTrigger):
            topics = ", ".join(trigger.webhook.topics)
            lines.append(f"  webhook   {name}: POST {server.endpoint}  ({topics})")
    for name, moment in server.upcoming():
        lines.append(f"  schedule  {name}: next run {moment.isoformat()}")
    stderr.out("\n".join(lines), highlight=False)


async def _serve(
    loaded: list[LoadedWorkflow],
    connection: Connection | None,
    secret: str | None,
    options: ServeOptions,
    sandbox_port: int | None,
    quiet_retries: bool = False,
    start: Any = None,
) -> None:
    async with AsyncExitStack() as stack:
        sandbox = None
        hosted: list[HostedWorkflow] = []
        if connection is not None and connection.sandbox:
            from intercom_connector.sandbox import Sandbox, SandboxConfig, run_in_thread

            sandbox = Sandbox(SandboxConfig())
            if sandbox_port is not None:
                handle = run_in_thread(sandbox, port=sandbox_port)
                stack.callback(handle.stop)
                stderr.out(f"sandbox on {handle.base_url} (token {sandbox.token})")
                client = AsyncIntercomClient(sandbox.token, base_url=handle.base_url)
            else:
                transport = httpx.ASGITransport(app=sandbox.app)
                client = AsyncIntercomClient(
                    sandbox.token, base_url="http://sandbox.local", transport=transport
                )
            await stack.enter_async_context(client)
            hosted = [HostedWorkflow(item, client, connection.record(), start) for item in loaded]
            connections: list[Connection] = []
        else:
            clients: dict[Any, tuple[AsyncIntercomClient, Connection]] = {}
            for item in loaded:
                own = connection or Connection(
                    auth=item.workflow.authentication, quiet=quiet_retries
                )
                key = (own.auth, own.token, own.base_url, own.region, own.version)
                if key not in clients:
                    client = await stack.enter_async_context(open_client(own))
                    clients[key] = (client, own)
                client, used = clients[key]
                hosted.append(HostedWorkflow(item, client, used.record(), start))
            connections = [used for _, used in clients.values()]
        secrets: list[str | None] = [os.environ.get("INTERCOM_TOKEN")]
        for used in connections:
            secrets.extend([used.token, *used.secrets])  # tokens opened from --auth too
        server = TriggerServer(hosted, secret=secret, options=options, secrets=secrets)
        sock = None
        if server.routes.patterns:
            try:
                sock = bind(options.host, options.port)
            except OSError as error:
                raise UsageProblem(
                    f"cannot listen on {options.host}:{options.port}: {error.strerror}"
                ) from None

        def ready(running: TriggerServer) -> None:
            if sandbox is not None and running.endpoint is not None:
                sandbox.subscribe(running.endpoint, secret)
            _banner(running)

        await server.serve(sock=sock, handle_signals=True, on_ready=ready)


def serve(
    files: Annotated[list[Path], typer.Argument(help="Webhook and schedule workflow files.")],
    host: Annotated[
        str, typer.Option(help="Interface for the webhook endpoint; keep loopback behind a proxy.")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="TCP port of the webhook endpoint.")] = DEFAULT_PORT,
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            envvar=CLIENT_SECRET_ENV,
            show_default=False,
            help="The Intercom app's client secret, which signs webhook deliveries "
            f"(prefer ${CLIENT_SECRET_ENV}: shell history keeps flags).",
        ),
    ] = None,
    max_body: Annotated[
        int, typer.Option(help="Largest delivery accepted, in bytes (larger: 413).")
    ] = DEFAULT_MAX_BODY,
    max_runs: Annotated[int, typer.Option(help="Runs going at once; more events wait.")] = 4,
    grace: Annotated[
        float, typer.Option(help="Seconds runs get to finish after Ctrl-C/SIGTERM.")
    ] = 10.0,
    auth: AuthOption = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Access token for the runs (else --auth, each workflow's authentication, "
            "or $INTERCOM_TOKEN).",
            show_default=False,
        ),
    ] = None,
    region: RegionOption = None,
    base_url: BaseUrlOption = None,
    version: VersionOption = None,
    sandbox: SandboxOption = False,
    sandbox_port: Annotated[
        int | None,
        typer.Option(help="With --sandbox: also serve the sandbox on this loopback port."),
    ] = None,
    quiet: QuietOption = False,
    engine: Annotated[
        str, typer.Option(help="embedded, or temporal: one workflow per notification id.")
    ] = "embedded",
    address: Annotated[
        str | None, typer.Option(help="With --engine temporal: the Temporal HOST:PORT.")
    ] = None,
) -> None:
    """Host webhook and schedule workflows: one run per matching notification or slot."""
    connection = None
    if sandbox or auth or token or base_url:
        connection = Connection(token, region, base_url, version, sandbox, quiet, auth=auth)
    redact = connection.redact if connection is not None else (lambda text: text)
    with reported(redact):
        if sandbox_port is not None and not sandbox:
            raise UsageProblem("--sandbox-port needs --sandbox")
        if sandbox and (auth or token or base_url):
            raise UsageProblem("--sandbox excludes --auth, --token and --base-url")
        if max_runs < 1 or max_body < 1:
            raise UsageProblem("--max-runs and --max-body must be at least 1")
        if not files:
            raise UsageProblem("name at least one workflow file")
        loaded = [load_workflow(file) for file in files]
        if sandbox and not client_secret:
            from intercom_connector.sandbox import SandboxConfig

            client_secret = SandboxConfig().oauth_clients[0].client_secret
        check_servable(loaded, client_secret)
        _log_to_stderr(quiet)
        options = ServeOptions(host, port, max_body, max_runs, grace)
        start = None
        if engine == "temporal":
            from intercom_connector.cli.temporal_commands import trigger_starter

            start = trigger_starter(address, auth)
        elif engine != "embedded":
            raise UsageProblem(f"--engine {engine!r}: use embedded or temporal")
        asyncio.run(_serve(loaded, connection, client_secret, options, sandbox_port, quiet, start))
