"""The dispatcher: starts a run for each queued event, and finishes what a crash left.

A pending event is claimed (its run id written) only once a run slot is free, so events
beyond ``max_runs`` wait in the queue, not in memory. The run then starts with that id;
when it ends, the event is marked finished with the run's status.

On start, ``recover`` looks at every claimed event without a finish, whose claiming
process is gone: a run id the run log has never seen is started now, with that id (the
process died between claim and start); a run the log shows unfinished is resumed from its
log; a run the log shows finished only needs its event marked. Nothing starts twice, and
nothing accepted is lost.

Acknowledgements go first. A delivery's 200 has a deadline (Intercom sends it again, and
pauses an endpoint that keeps failing), a queued event has none: it is on disk. Runs and
the receiver share one event loop, and while ``serve`` takes a burst of deliveries the runs
it starts meanwhile took almost half of that loop. So while deliveries are being handled
(``receiving``: a delivery open, or one answered in the last 2 ms), the next run waits
until they are answered, but never longer than ``RECEIVER_FIRST`` per start: under a
flood that never pauses, runs still start (20 a second at least), and a burst leaves a
backlog that drains at full speed as soon as it ends. Runs already going are not held.

On shutdown, no new run starts; runs still going after the grace period are cancelled and
left ``interrupted`` in the log, to be resumed by the next start.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.workflow.loader import LoadedWorkflow
from intercom_connector.workflow.runlog import RunLog, RunNotFound, new_run_id
from intercom_connector.workflow.runner import RunResult, resume_run, run_workflow
from intercom_connector.workflow.triggers.events import run_definition
from intercom_connector.workflow.triggers.group_commit import GroupCommit
from intercom_connector.workflow.triggers.store import Owner, TriggerEvent, TriggerStore

log = logging.getLogger("intercom_connector.triggers")

DEFAULT_MAX_RUNS = 4
POLL_SECONDS = 5.0
BATCH = 100
"""Events claimed per look at the queue; a full batch means more wait: look again at once."""
"""How often the queue is read when nothing woke the dispatcher (rows from elsewhere)."""
RECEIVER_FIRST = 0.05
"""Seconds a run start waits at most for the deliveries being handled to be answered."""
RECEIVER_POLL = 0.001


RunStarter = Callable[[LoadedWorkflow, TriggerEvent], Awaitable[RunResult]]
"""Runs a triggered workflow on another engine (Temporal) instead of in this process."""


@dataclass
class HostedWorkflow:
    """A workflow `serve` runs, with the client its runs use."""

    loaded: LoadedWorkflow
    client: AsyncIntercomClient
    connection: dict[str, Any] = field(default_factory=dict)
    """How the run connects, for the run log (never a token)."""
    start: RunStarter | None = None
    """When set, the run goes to this engine, which derives its id from the event's."""

    @property
    def name(self) -> str:
        return self.loaded.workflow.name


@dataclass(frozen=True)
class RunEnded:
    """Reported when a triggered run ends (or could not start)."""

    workflow: str
    run_id: str
    event_id: str
    status: str
    duration: float
    error: str | None = None
    resumed: bool = False


def _describe(event: TriggerEvent) -> str:
    return event.topic or event.event_id if event.kind == "webhook" else event.event_id


class Dispatcher:
    def __init__(
        self,
        store: TriggerStore,
        runlog: RunLog,
        workflows: Mapping[str, HostedWorkflow],
        *,
        max_runs: int = DEFAULT_MAX_RUNS,
        secrets: Iterable[str | None] = (),
        on_run_ended: Callable[[RunEnded], None] = lambda ended: None,
        commits: GroupCommit | None = None,
        receiving: Callable[[], bool] = lambda: False,
    ) -> None:
        if max_runs < 1:
            raise ValueError("max_runs must be at least 1")
        self.store = store
        self.runlog = runlog
        self.workflows = dict(workflows)
        self.secrets = list(secrets)
        self.on_run_ended = on_run_ended
        self.commits = commits or GroupCommit(store)
        """Claims and finishes join the endpoint's group commits (the same instance)."""
        self.receiving = receiving
        """Whether deliveries are waiting for their acknowledgement (they go first)."""
        self.owner = Owner.me()
        self._slots = asyncio.Semaphore(max_runs)
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._claiming = 0
        """Claims asked for and not yet turned into a run (the event is no longer pending)."""

    # --- control -----------------------------------------------------------------------
    def wake(self) -> None:
        """New events were queued."""
        self._wake.set()

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def recover(self) -> int:
        """Start or resume the runs of events a previous process claimed; how many."""
        recovered = 0
        for event in self.store.claimed_unfinished():
            assert event.run_id is not None
            mine = event.claimed_by == self.owner
            if event.claimed_by is not None and not mine and event.claimed_by.alive():
                continue  # another serve process is on it
            if event.workflow not in self.workflows:
                log.warning(
                    "%s: run %s is unfinished, but the workflow is not served now",
                    event.workflow,
                    event.run_id,
                )
                continue
            try:
                status = self.runlog.summary(event.run_id).status
            except RunNotFound:
                status = None
            if status in ("succeeded", "failed"):
                self.store.finish(event.seq, str(status))
                continue
            if status == "running" and not mine:
                continue  # its process is alive after all
            # (a run claimed by this very process but not among its tasks was orphaned by
            # an earlier dispatcher here: resumed like any interrupted run)
            self.store.take_over(event.seq, self.owner)
            await self._slots.acquire()
            self._spawn(event, event.run_id, resume=status is not None)
            recovered += 1
        return recovered

    async def run(self, stop: asyncio.Event) -> None:
        """Start runs for queued events until ``stop`` is set."""
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()
                pending = self.store.pending(self.workflows, limit=BATCH)
                claim_failed = False
                for event in pending:
                    slot = asyncio.ensure_future(self._slots.acquire())
                    await asyncio.wait({slot, stopping}, return_when=asyncio.FIRST_COMPLETED)
                    if not slot.done():
                        slot.cancel()
                        await asyncio.gather(slot, return_exceptions=True)
                        return
                    await self._after_deliveries()
                    if not await self._claim(event):
                        claim_failed = True
                        break
                if claim_failed:  # the store refused a write: give it a moment
                    await asyncio.wait({stopping}, timeout=POLL_SECONDS)
                    continue
                if len(pending) == BATCH:
                    continue  # a backlog: nothing will wake us for the rest of it
                waking = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait(
                    {waking, stopping}, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                if not waking.done():
                    waking.cancel()
                    await asyncio.gather(waking, return_exceptions=True)
        finally:
            if not stopping.done():
                stopping.cancel()
                await asyncio.gather(stopping, return_exceptions=True)

    async def _claim(self, event: TriggerEvent) -> bool:
        """Claim ``event`` for a new run and start it (its slot is held); False when the
        claim's commit failed: the event stays queued, the slot is freed, and the queue is
        read again after a pause instead of the dispatcher ending."""
        run_id = new_run_id()
        self._claiming += 1
        try:
            claimed = await self.commits.claim(event.seq, run_id, self.owner)
        except (sqlite3.Error, OSError) as error:
            self._slots.release()
            log.error(
                "%s: could not claim event %s (%s); looking again in %.0f s",
                event.workflow,
                event.event_id,
                error,
                POLL_SECONDS,
            )
            return False
        finally:
            self._claiming -= 1
        if claimed:
            self._spawn(event, run_id, resume=False)
        else:
            self._slots.release()  # another dispatcher has it
        return True

    async def _after_deliveries(self) -> None:
        """Wait (at most ``RECEIVER_FIRST``) until no delivery waits for its 200."""
        if not self.receiving():
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECEIVER_FIRST
        while self.receiving() and loop.time() < deadline:
            await asyncio.sleep(RECEIVER_POLL)

    async def idle(self, timeout: float = 30.0) -> None:
        """Wait until no run is going and nothing is queued (tests, graceful stop)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks or self._claiming or self.store.pending(self.workflows):
            if loop.time() > deadline:
                raise TimeoutError("the dispatcher did not become idle")
            if self._tasks:
                await asyncio.wait(set(self._tasks), timeout=max(0.0, deadline - loop.time()))
            else:
                await asyncio.sleep(0.01)

    async def shutdown(self, grace: float) -> None:
        """Let running runs finish for ``grace`` seconds, then cancel the rest."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- one run -----------------------------------------------------------------------
    def _spawn(self, event: TriggerEvent, run_id: str, *, resume: bool) -> None:
        task = asyncio.create_task(self._run_event(event, run_id, resume))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_event(self, event: TriggerEvent, run_id: str, resume: bool) -> None:
        hosted = self.workflows[event.workflow]
        verb = "resuming" if resume else "starting"
        log.info("%s: %s run %s for %s", event.workflow, verb, run_id, _describe(event))
        try:
            result = await self._execute(hosted, event, run_id, resume)
        except asyncio.CancelledError:
            log.warning("%s: run %s interrupted by shutdown", event.workflow, run_id)
            raise
        except Exception as error:  # the run could not start: scope, definition, resume
            message = f"{type(error).__name__}: {error}"
            await self.commits.finish(event.seq, "error", message)
            log.error("%s: run %s could not run: %s", event.workflow, run_id, message)
            self.on_run_ended(
                RunEnded(event.workflow, run_id, event.event_id, "error", 0.0, message, resume)
            )
            return
        finally:
            self._slots.release()
        await self.commits.finish(event.seq, result.status, result.error)
        if result.succeeded:
            log.info("%s: run %s succeeded in %.2fs", event.workflow, run_id, result.duration)
        else:
            log.warning("%s: run %s failed: %s", event.workflow, run_id, result.error)
        self.on_run_ended(
            RunEnded(
                event.workflow,
                run_id,
                event.event_id,
                result.status,
                result.duration,
                result.error,
                resume,
            )
        )

    async def _execute(
        self, hosted: HostedWorkflow, event: TriggerEvent, run_id: str, resume: bool
    ) -> RunResult:
        if hosted.start is not None:
            return await hosted.start(
                run_definition(hosted.loaded, event.event, hosted.client.catalog), event
            )
        if resume:
            return await resume_run(
                run_id, hosted.client, runlog=self.runlog, secrets=self.secrets, force=True
            )
        loaded = run_definition(hosted.loaded, event.event, hosted.client.catalog)
        connection = {**hosted.connection, "trigger": event.kind, "event_id": event.event_id}
        return await run_workflow(
            loaded,
            hosted.client,
            runlog=self.runlog,
            connection=connection,
            secrets=self.secrets,
            run_id=run_id,
        )
