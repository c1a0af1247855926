"""Starting Temporal runs, and mirroring them into the local run log.

A Temporal run's id is its workflow id, and the run log on the starter's machine keeps a
mirror of it: ``start_run`` writes the same ``run_started`` event as the embedded engine
(with ``engine: temporal`` and where the service is), and ``mirror`` copies the workflow's
journal (paged by the ``journal`` query) into the log, feeding the same progress display
as it goes, then writes ``run_finished`` from the workflow's result. So `runs list`,
`runs show` and the browser debug panel read a Temporal run exactly as an embedded one.
Mirroring is idempotent: it starts after the events the log already holds, so a detached
run can be mirrored later, or again.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from intercom_connector.errors import UsageError
from intercom_connector.workflow.engine import ProgressEvent, ProgressHandler, StepRef
from intercom_connector.workflow.engines.temporal.connect import TemporalTarget
from intercom_connector.workflow.engines.temporal.messages import (
    DEFAULT_CONTINUE_AFTER,
    JOURNAL_QUERY,
    WORKFLOW_NAME,
    JournalPage,
    RunOutcome,
    RunRequest,
)
from intercom_connector.workflow.engines.temporal.payloads import (
    PayloadUnreadable,
    SealedPayloadCodec,
)
from intercom_connector.workflow.engines.temporal.stored_outputs import Fetch, expand
from intercom_connector.workflow.engines.temporal.worker import activity_queue
from intercom_connector.workflow.loader import LoadedWorkflow
from intercom_connector.workflow.runlog import (
    RUN_FINISHED,
    RUN_RESUMED,
    RUN_STARTED,
    STEP_FAILED,
    STEP_FINISHED,
    STEP_STARTED,
    TIMER_STARTED,
    WARNING,
    RunLog,
    new_run_id,
)
from intercom_connector.workflow.runner import (
    RunResult,
    merge_config,
    owner_record,
    run_env,
    started_record,
)

STEP_EVENTS = (STEP_STARTED, STEP_FINISHED, STEP_FAILED, TIMER_STARTED, WARNING)
_PROGRESS = {
    STEP_STARTED: "started",
    STEP_FINISHED: "finished",
    STEP_FAILED: "failed",
    TIMER_STARTED: "waiting",
}


def connection_record(target: TemporalTarget, auth: str) -> dict[str, Any]:
    """How the run connects, for the log and `runs resume`; never a secret."""
    return {
        "engine": "temporal",
        "auth": auth,
        "address": target.address,
        "namespace": target.namespace,
        "task_queue": target.task_queue,
    }


async def _start_workflow(client: Client, request: RunRequest, *, reuse_id: bool) -> None:
    """The run's workflow under its run id, on its authentication's queue. An id in use by
    a running workflow always raises WorkflowAlreadyStartedError; one used by a finished
    workflow does too unless ``reuse_id`` (a resume, or a run not started by an event)."""
    await client.start_workflow(
        WORKFLOW_NAME,
        request,
        id=request.run_id,
        task_queue=request.activity_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE
        if reuse_id
        else WorkflowIDReusePolicy.REJECT_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )


async def start_run(
    client: Client,
    target: TemporalTarget,
    loaded: LoadedWorkflow,
    *,
    auth: str,
    runlog: RunLog,
    config: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    once: bool = False,
    continue_after: int = DEFAULT_CONTINUE_AFTER,
) -> str | None:
    """Start the run; its id. ``once``: an id used before starts nothing (returns None)."""
    merged = merge_config(loaded.workflow.config, config)
    run_id = run_id or new_run_id()
    env = run_env(run_id, loaded.workflow.name, time.time())
    queue = activity_queue(target.task_queue, auth)
    request = RunRequest(
        run_id, loaded.data, loaded.file, merged, env, auth, queue, continue_after=continue_after
    )
    try:
        await _start_workflow(client, request, reuse_id=not once)
    except WorkflowAlreadyStartedError:
        if once:
            return None
        raise
    runlog.append(
        run_id,
        RUN_STARTED,
        data=started_record(loaded, merged, env, connection_record(target, auth)),
        durable=True,
    )
    return run_id


async def resume_run(client: Client, target: TemporalTarget, run_id: str, *, runlog: RunLog) -> str:
    """Start a failed Temporal run again under its id, replaying its finished steps."""
    summary = runlog.summary(run_id)
    start = summary.start
    journal = [
        {
            "type": e.type,
            "key": e.key,
            "step_id": e.step_id,
            "kind": e.kind,
            "data": e.data,
            "at": e.at,
        }
        for e in runlog.events(run_id, STEP_EVENTS)
    ]
    auth = start["connection"]["auth"]
    queue = activity_queue(target.task_queue, auth)
    request = RunRequest(
        run_id,
        start["definition"],
        start.get("file"),
        start["config"],
        start["env"],
        auth,
        queue,
        journal=json.dumps(journal),
    )
    try:
        await _start_workflow(client, request, reuse_id=True)
    except WorkflowAlreadyStartedError:
        raise UsageError(
            f"run {run_id} is still running on Temporal: nothing to resume; "
            f"`intercom-connector temporal sync {run_id}` follows it to its end"
        ) from None
    runlog.append(
        run_id, RUN_RESUMED, data={"attempt": summary.attempts + 1, **owner_record()}, durable=True
    )
    return run_id


async def _page(handle: WorkflowHandle, since: int) -> JournalPage | None:
    try:
        return await handle.query(JOURNAL_QUERY, since, result_type=JournalPage)
    except (RPCError, WorkflowQueryFailedError):
        return None  # between runs of a continue-as-new, or no worker yet: ask again


async def mirror(
    client: Client,
    run_id: str,
    runlog: RunLog,
    *,
    on_progress: ProgressHandler | None = None,
    poll_seconds: float = 0.5,
) -> RunResult:
    """Copy the run's journal into ``runlog`` until it ends; the run's result.

    The log keeps what each step produced exactly (it seals it at rest); masking secrets is
    the business of whatever shows it, as for the embedded engine."""
    handle = client.get_workflow_handle(run_id, result_type=RunOutcome)
    fetch = stored_output_reader(client)
    since = len(runlog.events(run_id, STEP_EVENTS))
    began = time.perf_counter()

    def copy(events: list[dict[str, Any]]) -> None:
        for event in events:
            data: Any = event.get("data")
            runlog.append(
                run_id,
                event["type"],
                key=event.get("key"),
                step_id=event.get("step_id"),
                kind=event.get("kind"),
                data=data,
                at=event.get("at"),
            )
            kind = _PROGRESS.get(event["type"])
            if on_progress is not None and kind is not None and event.get("key"):
                ref = StepRef(event["key"], event.get("step_id") or "", event.get("kind") or "")
                if kind == "failed":
                    data = (data or {}).get("error")
                elif kind == "waiting":
                    data = max(0.0, float(data["until"]) - time.time())
                on_progress(ProgressEvent(kind, ref, data))
        runlog.flush()

    ended: asyncio.Task[RunOutcome] = asyncio.ensure_future(handle.result())
    try:
        while not ended.done():
            asking = asyncio.ensure_future(_page(handle, since))
            await asyncio.wait({asking, ended}, return_when=asyncio.FIRST_COMPLETED)
            if not asking.done():
                asking.cancel()  # the run ended: its result holds the rest of the journal
                break
            page = asking.result()
            if page is not None:
                events = await expand(page.events, fetch)
                copy(events)
                since = page.next
                if events:
                    continue
            await asyncio.wait({ended}, timeout=poll_seconds)
        outcome: RunOutcome = await ended
    finally:
        ended.cancel()
    while since < outcome.journal_from:  # fell behind by more than the last leg: replay
        page = await _page(handle, since)
        if page is None or page.next == since:
            break
        copy(await expand(page.events, fetch))
        since = page.next
    copy((await expand(outcome.journal, fetch))[max(0, since - outcome.journal_from) :])
    finished: dict[str, Any] = {"status": outcome.status}
    if outcome.status != "succeeded":
        finished.update(error=outcome.error, step=outcome.step, key=outcome.key)
    runlog.append(run_id, RUN_FINISHED, data=finished, durable=True)
    return RunResult(
        run_id,
        outcome.status,
        await expand(outcome.outputs, fetch),
        outcome.error,
        outcome.step,
        outcome.key,
        time.perf_counter() - began,
    )


def stored_output_reader(client: Client) -> Fetch:
    """How this starter reads the outputs a run's workers kept in the payload store."""
    codec = client.data_converter.payload_codec
    if isinstance(codec, SealedPayloadCodec):
        return codec.fetch

    async def unreadable(reference: str) -> bytes:
        raise PayloadUnreadable(
            f"the run kept output {reference} in the payload store, and this client has no "
            "payload codec to read it: connect with `engines.temporal.connect`"
        )

    return unreadable


def triggered_run_id(workflow: str, event_id: str) -> str:
    """The run id of a triggered run: the same notification always names the same run."""
    slug = re.sub(r"[^a-z0-9]+", "-", workflow.lower()).strip("-") or "workflow"
    return f"{slug}-{event_id}"


async def start_triggered(
    client: Client,
    target: TemporalTarget,
    loaded: LoadedWorkflow,
    event_id: str,
    *,
    auth: str,
    runlog: RunLog,
) -> RunResult:
    """One workflow per notification id, whichever `serve` process received it (and however
    often): a redelivery finds the workflow id taken and starts nothing."""
    run_id = triggered_run_id(loaded.workflow.name, event_id)
    started = await start_run(
        client, target, loaded, auth=auth, runlog=runlog, run_id=run_id, once=True
    )
    if started is None:
        return RunResult(
            run_id, "duplicate", {}, f"notification {event_id} already started {run_id}"
        )
    return await mirror(client, run_id, runlog)
