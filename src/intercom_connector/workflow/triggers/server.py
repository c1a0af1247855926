"""`serve` as one asyncio process: webhook endpoint, scheduler and dispatcher together.

Start-up order matters for the crash rules: the queue is recovered first (runs a killed
process claimed are started or resumed), then the scheduler adopts its schedules and runs
a missed slot once, then the endpoint starts accepting deliveries. Stopping goes the other
way: the endpoint stops accepting (requests in flight finish, so an acknowledged delivery
is always recorded), the scheduler stops, and runs get ``grace`` seconds before they are
cancelled and left for the next start to resume.

uvicorn serves the endpoint on a socket bound here (port 0 picks a free one, which tests
use); its own signal handling is switched off so SIGINT/SIGTERM stop the whole process
gracefully instead of only the HTTP server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import uvicorn

from intercom_connector.errors import UsageError
from intercom_connector.workflow.loader import LoadedWorkflow
from intercom_connector.workflow.model import ScheduleTrigger, WebhookTrigger
from intercom_connector.workflow.runlog import RunLog
from intercom_connector.workflow.triggers.clock import SchedulerClock, SystemClock
from intercom_connector.workflow.triggers.connection_guard import (
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    guarded_protocol,
)
from intercom_connector.workflow.triggers.dispatcher import (
    DEFAULT_MAX_RUNS,
    Dispatcher,
    HostedWorkflow,
    RunEnded,
)
from intercom_connector.workflow.triggers.group_commit import GroupCommit
from intercom_connector.workflow.triggers.notifications import TopicRoutes
from intercom_connector.workflow.triggers.receiver import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_BODY,
    WEBHOOK_PATH,
    Deliveries,
    webhook_app,
)
from intercom_connector.workflow.triggers.schedule import schedule_of
from intercom_connector.workflow.triggers.scheduler import ScheduledWorkflow, Scheduler
from intercom_connector.workflow.triggers.store import TriggerStore

log = logging.getLogger("intercom_connector.triggers")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787


class ServeProblem(UsageError):
    """The workflows cannot be served as given (manual trigger, duplicate name, no secret)."""

    label = "serve"


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the trigger server owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(frozen=True)
class ServeOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    max_body: int = DEFAULT_MAX_BODY
    max_runs: int = DEFAULT_MAX_RUNS
    grace: float = 10.0
    """Seconds runs may take to finish after a stop signal before they are cancelled."""
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    """Seconds a connection has to send a complete request head (408 and closed after)."""
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    """Seconds a delivery has to send its whole body (408 after)."""
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    """Open connections; past it the oldest idle one is closed first."""
    parser: str = "auto"
    """HTTP parser: ``httptools`` (the ``fast`` extra), ``h11``, or ``auto`` (httptools
    when installed)."""


def check_servable(workflows: Iterable[LoadedWorkflow], secret: str | None) -> None:
    """Refuse what `serve` cannot host, before anything starts."""
    seen: set[str] = set()
    for loaded in workflows:
        workflow = loaded.workflow
        where = loaded.file or workflow.name
        if not workflow.triggered:
            raise ServeProblem(
                f"{where}: trigger is manual; serve hosts webhook and schedule workflows "
                "(run this one with `intercom-connector run`)"
            )
        if workflow.name in seen:
            raise ServeProblem(f"{where}: another served workflow is named {workflow.name!r}")
        seen.add(workflow.name)
        if isinstance(workflow.trigger, WebhookTrigger) and not secret:
            raise ServeProblem(
                f"{where}: webhook deliveries are verified with the app's client secret; "
                "pass --client-secret or set INTERCOM_CLIENT_SECRET"
            )


class TriggerServer:
    """Hosts webhook and schedule workflows until stopped."""

    def __init__(
        self,
        workflows: Iterable[HostedWorkflow],
        *,
        secret: str | None = None,
        options: ServeOptions | None = None,
        clock: SchedulerClock | None = None,
        database: str | Path | None = None,
        secrets: Iterable[str | None] = (),
        on_run_ended: Callable[[RunEnded], None] = lambda ended: None,
    ) -> None:
        hosted_list = list(workflows)
        check_servable([hosted.loaded for hosted in hosted_list], secret)
        self.workflows = {hosted.name: hosted for hosted in hosted_list}
        self.secret = secret
        self.options = options or ServeOptions()
        self.clock = clock or SystemClock()
        self.database = database
        self.secrets = [*secrets, secret]
        self.on_run_ended = on_run_ended
        self.endpoint: str | None = None
        self.store: TriggerStore | None = None
        self.dispatcher: Dispatcher | None = None
        self.scheduler: Scheduler | None = None
        self.ready = asyncio.Event()
        self._stop: asyncio.Event | None = None
        self._deliveries = Deliveries()

    @property
    def routes(self) -> TopicRoutes:
        return TopicRoutes.of(
            (name, hosted.loaded.workflow.trigger.webhook.topics)
            for name, hosted in self.workflows.items()
            if isinstance(hosted.loaded.workflow.trigger, WebhookTrigger)
        )

    def _scheduled(self) -> list[ScheduledWorkflow]:
        found = []
        for name, hosted in self.workflows.items():
            trigger = hosted.loaded.workflow.trigger
            if isinstance(trigger, ScheduleTrigger):
                overlap = trigger.schedule.overlap == "allow"
                found.append(ScheduledWorkflow(name, schedule_of(trigger.schedule), overlap))
        return found

    def upcoming(self) -> list[tuple[str, datetime]]:
        return self.scheduler.upcoming() if self.scheduler is not None else []

    def stop(self) -> None:
        """Ask a running ``serve`` to stop gracefully (what SIGINT and SIGTERM do)."""
        if self._stop is not None:
            self._stop.set()

    async def serve(
        self,
        *,
        sock: socket.socket | None = None,
        handle_signals: bool = False,
        on_ready: Callable[[TriggerServer], None] = lambda server: None,
    ) -> None:
        """Run until ``stop()`` (or a signal, with ``handle_signals``)."""
        stop = self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        if handle_signals:
            for number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(number, stop.set)
        store = self.store = TriggerStore(self.database)
        runlog = RunLog(self.database)
        commits = GroupCommit(store)
        dispatcher = self.dispatcher = Dispatcher(
            store,
            runlog,
            self.workflows,
            max_runs=self.options.max_runs,
            secrets=self.secrets,
            on_run_ended=self.on_run_ended,
            commits=commits,
            receiving=self._deliveries.recently,
        )
        scheduled = self._scheduled()
        scheduler = self.scheduler = Scheduler(
            store, scheduled, self.clock, on_fire=dispatcher.wake
        )
        http: _Server | None = None
        tasks: list[asyncio.Task[None]] = []
        try:
            recovered = await dispatcher.recover()
            if recovered:
                log.info("recovered %d run(s) left by a stopped server", recovered)
            tasks.append(asyncio.create_task(dispatcher.run(stop)))
            if scheduled:
                tasks.append(asyncio.create_task(scheduler.run(stop)))
                await asyncio.sleep(0)  # let the scheduler adopt its schedules first
            if self.routes.patterns:
                http, sock = await self._start_http(store, dispatcher, sock)
                tasks.append(asyncio.create_task(http.serve(sockets=[sock])))
                while not http.started:
                    if tasks[-1].done():
                        await tasks[-1]
                        raise ServeProblem("the webhook endpoint did not start")
                    await asyncio.sleep(0.01)
                host, port = sock.getsockname()[:2]
                self.endpoint = f"http://{host}:{port}{WEBHOOK_PATH}"
            self.ready.set()
            on_ready(self)
            await stop.wait()
        finally:
            stop.set()
            if http is not None:
                http.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)
            await dispatcher.shutdown(self.options.grace)
            await commits.settle()
            runlog.close()
            store.close()
            if handle_signals:
                for number in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(number)
            log.info("stopped")

    async def _start_http(
        self, store: TriggerStore, dispatcher: Dispatcher, sock: socket.socket | None
    ) -> tuple[_Server, socket.socket]:
        assert self.secret is not None
        app = webhook_app(
            store,
            self.routes,
            self.secret,
            max_body=self.options.max_body,
            body_timeout=self.options.body_timeout,
            on_queued=dispatcher.wake,
            commits=dispatcher.commits,
            deliveries=self._deliveries,
        )
        if sock is None:
            sock = bind(self.options.host, self.options.port)
        config = uvicorn.Config(
            app,
            lifespan="off",
            log_level="warning",
            access_log=False,
            ws="none",
            http=guarded_protocol(
                self.options.header_timeout,
                self.options.max_connections,
                parser=self.options.parser,
            ),
        )
        return _Server(config), sock


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket (``port`` 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock
