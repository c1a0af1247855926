"""Resume, cancel and re-run from the panel: the runner's own functions, as server tasks.

The panel does not run workflows its own way: a resume is ``resume_run`` and a re-run is
``run_workflow`` with the first run's definition, config and connection, exactly what
`runs resume` and `run` do, in a task of the server's event loop. Where requests go is the
CLI's business (a stored authentication, a token, the sandbox), so the server is given a
``connect`` function that opens a client for a run's recorded connection.

A cancel stops a task of this server and then writes the run's end as ``cancelled``, after
the task's last write; a cancelled run can be resumed like an interrupted one. Runs of other
processes are refused: the log names their process, and signalling a recorded pid could hit
an unrelated process that reused it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.errors import UsageError
from intercom_connector.workflow import RunLog, check_data, resume_run, run_workflow
from intercom_connector.workflow.runlog import RUN_FINISHED, new_run_id

Connect = Callable[[Mapping[str, Any]], AbstractAsyncContextManager[AsyncIntercomClient]]
"""Opens a client for a run's recorded connection (sandbox flag, auth name, base URL...)."""


class ActionRefused(UsageError):
    """The run is not in a state the action applies to."""


class RunActions:
    def __init__(self, connect: Connect, runlog_path: Path | None = None) -> None:
        self.connect = connect
        self.runlog_path = runlog_path
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.errors: dict[str, str] = {}

    def running_here(self, run_id: str) -> bool:
        task = self.tasks.get(run_id)
        return task is not None and not task.done()

    def _summary(self, run_id: str) -> Any:
        with RunLog(self.runlog_path) as log:
            return log.summary(log.resolve_id(run_id))

    def resume(self, run_id: str) -> str:
        summary = self._summary(run_id)
        if summary.status == "succeeded":
            raise ActionRefused(f"run {summary.run_id} already succeeded; nothing to resume")
        if summary.status == "running":
            raise ActionRefused(
                f"run {summary.run_id} is still running (process {summary.start.get('pid')})"
            )
        connection = summary.start.get("connection") or {}
        if connection.get("engine") == "temporal":
            raise ActionRefused(
                f"run {summary.run_id} runs on Temporal: `intercom-connector temporal sync "
                f"{summary.run_id}` follows it, and `runs resume` restarts it once it failed"
            )
        self._spawn(summary.run_id, connection, self._resume_body(summary.run_id))
        return str(summary.run_id)

    def rerun(self, run_id: str) -> str:
        summary = self._summary(run_id)
        start = summary.start
        loaded = check_data(start["definition"], start.get("file"))
        connection = dict(start.get("connection") or {})
        new_id = new_run_id()
        self._spawn(new_id, connection, self._run_body(loaded, start, connection, new_id))
        return new_id

    def cancel(self, run_id: str) -> str:
        summary = self._summary(run_id)
        task = self.tasks.get(summary.run_id)
        if task is None or task.done():
            if summary.status != "running":
                raise ActionRefused(f"run {summary.run_id} is {summary.status}, not running")
            raise ActionRefused(
                f"run {summary.run_id} runs in process {summary.start.get('pid')}, not in this "
                "server; stop it there (Ctrl-C), then resume it here"
            )
        task.cancel()
        return str(summary.run_id)

    def _spawn(self, run_id: str, connection: Mapping[str, Any], body: Any) -> None:
        async def guarded() -> None:
            try:
                async with self.connect(connection) as client:
                    with RunLog(self.runlog_path) as log:
                        try:
                            await body(client, log)
                        except asyncio.CancelledError:
                            log.append(
                                run_id,
                                RUN_FINISHED,
                                data={"status": "cancelled", "error": "cancelled in the panel"},
                                durable=True,
                            )
            except Exception as error:  # shown on the run's page; the server goes on
                self.errors[run_id] = f"{type(error).__name__}: {error}"

        self.errors.pop(run_id, None)
        self.tasks[run_id] = asyncio.get_running_loop().create_task(guarded())

    def _resume_body(self, run_id: str) -> Any:
        async def body(client: AsyncIntercomClient, log: RunLog) -> None:
            await resume_run(run_id, client, runlog=log)

        return body

    def _run_body(
        self, loaded: Any, start: Mapping[str, Any], connection: Mapping[str, Any], run_id: str
    ) -> Any:
        async def body(client: AsyncIntercomClient, log: RunLog) -> None:
            await run_workflow(
                loaded,
                client,
                config=start.get("config"),
                runlog=log,
                connection=connection,
                run_id=run_id,
            )

        return body

    async def shutdown(self) -> None:
        """Cancel what still runs (each ends ``cancelled``, resumable later)."""
        pending = [task for task in self.tasks.values() if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
