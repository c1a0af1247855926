"""``intercom-connector temporal server|worker|sync``, and `run`/`runs resume` on Temporal.

Everything here loads ``temporalio`` only when a command runs, so the CLI starts (and the
rest of it works) without the ``[temporal]`` extra. Connection options follow the Temporal
CLI's environment variables (``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``,
``TEMPORAL_API_KEY``, ``TEMPORAL_TLS_CERT``, ``TEMPORAL_TLS_KEY``, ``TEMPORAL_TLS_CA``), so
`run --engine temporal` needs no more flags than the issue's ``--address``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from intercom_connector.cli.call_commands import QuietOption
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.cli.errors import UsageProblem, reported, stderr
from intercom_connector.workflow import LoadedWorkflow, RunLog, RunResult, TerminalProgress

if TYPE_CHECKING:
    from intercom_connector.catalog.client import AsyncIntercomClient
    from intercom_connector.http.ratelimit import RateLimiter
    from intercom_connector.workflow.engines.temporal import TemporalTarget

DEFAULT_AUTH = "default"

temporal_app = typer.Typer(
    help="Run workflows on Temporal: a local dev server, and workers.", no_args_is_help=True
)

AddressOption = Annotated[
    str,
    typer.Option("--address", envvar="TEMPORAL_ADDRESS", help="Temporal frontend HOST:PORT."),
]
NamespaceOption = Annotated[
    str, typer.Option("--namespace", envvar="TEMPORAL_NAMESPACE", help="Temporal namespace.")
]
TaskQueueOption = Annotated[
    str,
    typer.Option(
        "--task-queue", envvar="INTERCOM_TEMPORAL_TASK_QUEUE", help="Task queue of the runs."
    ),
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="TEMPORAL_API_KEY",
        show_default=False,
        help="Temporal Cloud API key (prefer $TEMPORAL_API_KEY; implies TLS).",
    ),
]
TlsOption = Annotated[bool, typer.Option("--tls", help="TLS with the system's CA roots.")]
PayloadDirOption = Annotated[
    Path | None,
    typer.Option(
        "--payload-dir",
        envvar="INTERCOM_TEMPORAL_PAYLOADS",
        show_default=False,
        help="Directory shared by workers and starters for payloads over 256 KB "
        "(default: the connector home's temporal-payloads/).",
    ),
]


T = TypeVar("T")


def run_with_temporal(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` for work that holds a Temporal client.

    An error leaving it keeps its traceback's frames alive, and with them the client,
    until the interpreter is finalising; the client's runtime threads then end in a fatal
    "PyGILState_Release" abort (exit -6) instead of the error's exit code. The error
    leaves without those frames, so the client is gone first."""
    try:
        return asyncio.run(work)
    except BaseException as error:
        raise error.with_traceback(None) from error.__cause__


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def make_target(
    address: str,
    namespace: str = "default",
    task_queue: str = "intercom-connector",
    *,
    api_key: str | None = None,
    tls: bool = False,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    tls_ca: Path | None = None,
    payload_dir: Path | None = None,
) -> TemporalTarget:
    try:
        from intercom_connector.workflow.engines.temporal import TemporalTarget
    except ImportError:
        raise UsageProblem(
            "the Temporal engine needs the extra: pip install 'intercom-connector[temporal]'"
        ) from None
    return TemporalTarget(
        address=address,
        namespace=namespace,
        task_queue=task_queue,
        tls=tls,
        tls_cert=tls_cert or _env_path("TEMPORAL_TLS_CERT"),
        tls_key=tls_key or _env_path("TEMPORAL_TLS_KEY"),
        tls_ca=tls_ca or _env_path("TEMPORAL_TLS_CA"),
        api_key=api_key,
        payload_dir=payload_dir or _env_path("INTERCOM_TEMPORAL_PAYLOADS"),
    )


def target_from_env(address: str | None) -> TemporalTarget:
    """`run --engine temporal`: the address given, the rest as the Temporal CLI reads it."""
    return make_target(
        address or os.environ.get("TEMPORAL_ADDRESS") or "127.0.0.1:7233",
        os.environ.get("TEMPORAL_NAMESPACE") or "default",
        os.environ.get("INTERCOM_TEMPORAL_TASK_QUEUE") or "intercom-connector",
        api_key=os.environ.get("TEMPORAL_API_KEY"),
    )


def target_of(record: dict[str, Any]) -> TemporalTarget:
    """Where a logged Temporal run lives (its run_started connection record)."""
    return make_target(
        record.get("address") or "127.0.0.1:7233",
        record.get("namespace") or "default",
        record.get("task_queue") or "intercom-connector",
        api_key=os.environ.get("TEMPORAL_API_KEY"),
    )


@temporal_app.callback()
def temporal_group() -> None:
    """Temporal: the same workflow files, durable and spread over many workers."""


@temporal_app.command("server")
def server(
    port: Annotated[int, typer.Option(help="gRPC port on 127.0.0.1.")] = 7233,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file for the server's state (default: connector home)."),
    ] = None,
) -> None:
    """A local Temporal development server (127.0.0.1, state in a SQLite file), until Ctrl-C."""
    with reported():
        from intercom_connector.home import connector_home
        from intercom_connector.workflow.engines.temporal import DevServer

        dev = DevServer(port=port, db=db or connector_home() / "temporal.db")
        dev.start()
        stderr.out(f"Temporal dev server on {dev.address} (state in {dev.db}); Ctrl-C stops")
        try:
            dev.wait()
        except KeyboardInterrupt:
            pass
        finally:
            dev.stop()


def _client_source(
    stack: AsyncExitStack,
    *,
    token: str | None,
    sandbox_url: str | None,
    limiter_for: Callable[[str], RateLimiter],
    secrets: list[str | None],
) -> Callable[[str], Awaitable[AsyncIntercomClient]]:
    """One client per authentication name, opened on first use and kept for the worker;
    its requests draw permits from the authentication's shared quota (``limiter_for``)."""
    from intercom_connector.sandbox import DEFAULT_TOKEN

    opened: dict[str, AsyncIntercomClient] = {}
    lock = asyncio.Lock()

    async def client_for(auth: str) -> AsyncIntercomClient:
        async with lock:
            if auth not in opened:
                if sandbox_url:
                    connection = Connection(token or DEFAULT_TOKEN, base_url=sandbox_url)
                elif token:
                    connection = Connection(token)
                else:
                    connection = Connection(auth=auth)
                connection.quiet = True
                opened[auth] = await stack.enter_async_context(
                    open_client(connection, limiter=limiter_for(auth))
                )
                secrets.extend([connection.token, *connection.secrets])
            return opened[auth]

    return client_for


async def _work(target: TemporalTarget, settings: Any, **source: Any) -> None:
    from intercom_connector.http.ratelimit import RateLimitPolicy
    from intercom_connector.redaction import Redactor
    from intercom_connector.workflow.engines.temporal import build_workers, connect, run_workers
    from intercom_connector.workflow.engines.temporal.quota import QuotaLimiter, leaser
    from intercom_connector.workflow.engines.temporal.worker import activity_queue

    client = await connect(target)
    policy = RateLimitPolicy(requests_per_minute=int(settings.requests_per_minute))

    def limiter_for(auth: str) -> RateLimiter:
        queue = activity_queue(settings.task_queue, auth)
        lease = leaser(client, queue, settings.requests_per_second)
        return QuotaLimiter(policy, lease)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    secrets: list[str | None] = [os.environ.get("INTERCOM_TOKEN")]
    redactor = Redactor(secrets)
    async with AsyncExitStack() as stack:
        clients = _client_source(stack, secrets=secrets, limiter_for=limiter_for, **source)

        async def tracked(auth: str) -> AsyncIntercomClient:
            opened = await clients(auth)
            for secret in secrets:
                redactor.add(secret)
            return opened

        workers = build_workers(client, settings, tracked, redactor)
        for auth in settings.auths:
            await tracked(auth)  # fail now, not at the first call, when a token is missing
        stderr.out(
            f"worker on {target.address} ({target.namespace}), queue {target.task_queue}, "
            f"auth {', '.join(settings.auths)}; Ctrl-C stops",
            highlight=False,
        )
        await run_workers(workers, stop)


@temporal_app.command("worker")
def worker(
    address: AddressOption = "127.0.0.1:7233",
    namespace: NamespaceOption = "default",
    task_queue: TaskQueueOption = "intercom-connector",
    concurrency: Annotated[int, typer.Option(help="Batches of calls run at once.")] = 16,
    auth: Annotated[
        list[str] | None,
        typer.Option(
            "--auth", help="Authentication(s) whose runs this worker serves (default: default)."
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="INTERCOM_TOKEN",
            show_default=False,
            help="Token for the served authentication instead of the local store "
            "(prefer $INTERCOM_TOKEN).",
        ),
    ] = None,
    sandbox_url: Annotated[
        str | None,
        typer.Option(help="Send calls to a sandbox process at this URL (its token by default)."),
    ] = None,
    rate_limit: Annotated[
        int,
        typer.Option(
            help="Requests per minute the Intercom app allows, shared by every worker of "
            "the authentication (leased from its quota workflow)."
        ),
    ] = 10_000,
    api_key: ApiKeyOption = None,
    tls: TlsOption = False,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", show_default=False, help="mTLS client cert.")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", show_default=False, help="mTLS client key.")
    ] = None,
    tls_ca: Annotated[
        Path | None, typer.Option("--tls-ca", show_default=False, help="CA of the server.")
    ] = None,
    payload_dir: PayloadDirOption = None,
) -> None:
    """Run workflows and their calls; holds the secrets. Start several to share the work."""
    with reported():
        if concurrency < 1 or rate_limit < 1:
            raise UsageProblem("--concurrency and --rate-limit must be at least 1")
        target = make_target(
            address,
            namespace,
            task_queue,
            api_key=api_key,
            tls=tls,
            tls_cert=tls_cert,
            tls_key=tls_key,
            tls_ca=tls_ca,
            payload_dir=payload_dir,
        )
        from intercom_connector.workflow.engines.temporal import WorkerSettings

        settings = WorkerSettings(
            task_queue,
            auth or [DEFAULT_AUTH],
            concurrency=concurrency,
            requests_per_minute=rate_limit,
            identity=f"{os.getpid()}@{socket.gethostname()}",
        )
        run_with_temporal(
            _work(
                target,
                settings,
                token=token,
                sandbox_url=sandbox_url,
            )
        )


async def _start_and_follow(
    target: TemporalTarget,
    loaded: LoadedWorkflow,
    config: dict[str, Any],
    auth: str,
    *,
    detach: bool,
    quiet: bool,
) -> RunResult | str:
    from intercom_connector.workflow.engines.temporal import connect, mirror, start_run

    client = await connect(target)
    with RunLog() as log:
        run_id = await start_run(client, target, loaded, auth=auth, runlog=log, config=config)
        assert run_id is not None
        if detach:
            return run_id
        progress = TerminalProgress(Console(stderr=True, highlight=False))
        with progress:
            return await mirror(client, run_id, log, on_progress=None if quiet else progress)


def run_on_temporal(
    loaded: LoadedWorkflow,
    config: dict[str, Any],
    *,
    auth: str | None,
    address: str | None,
    detach: bool,
    quiet: bool,
) -> RunResult | str:
    """`run FILE --engine temporal`: the result, or with ``detach`` the run id at once."""
    target = target_from_env(address)
    name = auth or loaded.workflow.authentication or DEFAULT_AUTH
    return run_with_temporal(
        _start_and_follow(target, loaded, config, name, detach=detach, quiet=quiet)
    )


async def _resume(target: TemporalTarget, run_id: str, quiet: bool) -> RunResult:
    from intercom_connector.workflow.engines.temporal import connect, mirror, resume_run

    client = await connect(target)
    with RunLog() as log:
        await resume_run(client, target, run_id, runlog=log)
        progress = TerminalProgress(Console(stderr=True, highlight=False))
        with progress:
            return await mirror(client, run_id, log, on_progress=None if quiet else progress)


def resume_on_temporal(run_id: str, record: dict[str, Any], *, quiet: bool) -> RunResult:
    """`runs resume` of a Temporal run: a new workflow under the id, replaying the log."""
    target = target_of(record)
    return run_with_temporal(_resume(target, run_id, quiet))


async def _sync(target: TemporalTarget, run_id: str) -> RunResult:
    from intercom_connector.workflow.engines.temporal import connect, mirror

    client = await connect(target)
    with RunLog() as log:
        return await mirror(client, run_id, log)


@temporal_app.command("sync")
def sync(
    run_id: Annotated[str, typer.Argument(help="Run id of a Temporal run started here.")],
    quiet: QuietOption = False,
) -> None:
    """Mirror a (detached) Temporal run into the local run log; waits until it ends."""
    with reported():
        with RunLog() as log:
            resolved = log.resolve_id(run_id)
            record = log.summary(resolved).start.get("connection") or {}
        if record.get("engine") != "temporal":
            raise UsageProblem(f"run {resolved} did not run on Temporal")
        target = target_of(record)
        result = run_with_temporal(_sync(target, resolved))
        if not quiet:
            stderr.out(f"run {resolved}: {result.status}", highlight=False)


def trigger_starter(address: str | None, auth: str | None) -> Any:
    """`serve --engine temporal`: each accepted event starts the workflow its id names."""
    target = target_from_env(address)
    connected: list[Any] = []

    async def start(loaded: LoadedWorkflow, event: Any) -> RunResult:
        from intercom_connector.workflow.engines.temporal import connect, start_triggered

        if not connected:
            connected.append(await connect(target))
        name = auth or loaded.workflow.authentication or DEFAULT_AUTH
        with RunLog() as log:
            return await start_triggered(
                connected[0], target, loaded, event.event_id, auth=name, runlog=log
            )

    return start
