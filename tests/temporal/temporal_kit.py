"""Helpers for the Temporal engine tests: workers (in this process or as processes), runs.

A module of its own (not conftest) so test files can import it by a name no other test
folder uses.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.redaction import Redactor
from intercom_connector.workflow import LoadedWorkflow, RunLog, RunResult, parse_workflow
from intercom_connector.workflow.engines.temporal import (
    TemporalTarget,
    WorkerSettings,
    build_workers,
    connect,
    mirror,
    run_workers,
    start_run,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI = Path(sys.executable).parent / "intercom-connector"


def workflow(text: str) -> LoadedWorkflow:
    return parse_workflow(textwrap.dedent(text), "test.yaml")


def unique_queue() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def in_process_worker(
    target: TemporalTarget, api: AsyncIntercomClient, **settings: Any
) -> AsyncIterator[None]:
    """A worker in this event loop whose calls go through ``api``."""
    client = await connect(target)

    async def clients(auth: str) -> AsyncIntercomClient:
        return api

    workers = build_workers(
        client, WorkerSettings(target.task_queue, ["default"], **settings), clients, Redactor()
    )
    stop = asyncio.Event()
    running = asyncio.create_task(run_workers(workers, stop))
    try:
        yield
    finally:
        stop.set()
        await running


async def run_temporal(
    target: TemporalTarget,
    loaded: LoadedWorkflow,
    runlog: RunLog,
    config: Mapping[str, Any] | None = None,
    **options: Any,
) -> RunResult:
    client = await connect(target)
    started = await start_run(
        client, target, loaded, auth="default", runlog=runlog, config=config, **options
    )
    assert started is not None
    return await mirror(client, started, runlog)


def step_outputs(runlog: RunLog, run_id: str) -> dict[str, Any]:
    """Each step execution's key -> (status, output): what the debug view shows."""
    return {r.key: (r.status, r.output) for r in runlog.steps(run_id)}


@contextmanager
def worker_process(
    target: TemporalTarget, sandbox_url: str, *extra: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`intercom-connector temporal worker` as a process of its own (stopped on exit)."""
    command = [str(CLI), "temporal", "worker", "--address", target.address]
    command += ["--task-queue", target.task_queue, "--payload-dir", str(target.payload_dir)]
    command += ["--sandbox-url", sandbox_url, *extra]
    process = subprocess.Popen(
        command,
        env={**os.environ},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(predicate: Any, timeout: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f}s for {what}")
        time.sleep(0.05)
