"""Start a run or resume one: config, scope checks, the run's env, the log around it.

``run_workflow`` and ``resume_run`` take a ready ``AsyncIntercomClient`` (the caller
decides where requests go: an authentication, a token, a sandbox) and return a
``RunResult``. A failed step ends the run ``failed`` in the log and in the result; an
exception that is not a step's failure (Ctrl-C, a kill) leaves the run ``interrupted``,
which ``resume_run`` continues from its log. The run_started event keeps the workflow as
written, its config and env, so a resume needs neither the file nor the original flags.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.catalog.scopes import check_scope
from intercom_connector.errors import EXIT_RUN_FAILED, AuthError, UsageError
from intercom_connector.json_input import loads_bounded
from intercom_connector.redaction import Redactor
from intercom_connector.storage import Owner
from intercom_connector.workflow.engine import ProgressHandler
from intercom_connector.workflow.engines.embedded import EmbeddedEngine, RunJournal
from intercom_connector.workflow.interpreter import Interpreter, StepFailed
from intercom_connector.workflow.loader import LoadedWorkflow, check_data
from intercom_connector.workflow.runlog import (
    RUN_FINISHED,
    RUN_RESUMED,
    RUN_STARTED,
    SECRETS_KEY,
    RunLog,
    new_run_id,
)


class ConfigProblem(UsageError):
    """A ``--config`` value names a key the workflow does not declare."""

    label = "config"


class ResumeRefused(UsageError):
    """The run cannot be resumed (finished already, or still running)."""

    label = "resume"


@dataclass
class RunResult:
    run_id: str
    status: str
    """succeeded or failed."""
    outputs: dict[str, Any]
    """Top-level step outputs by step id."""
    error: str | None = None
    failed_step: str | None = None
    failed_key: str | None = None
    duration: float = 0.0
    exit_code: int = EXIT_RUN_FAILED
    """4, or the failing step's own exit code when it is the credentials' (3: token refused)."""

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


def parse_config_value(text: str) -> Any:
    """``--config k=v``: JSON when it parses (50, true, [1,2]), the text itself otherwise."""
    try:
        return loads_bounded(text, "--config value")
    except json.JSONDecodeError:
        return text


def merge_config(declared: Mapping[str, Any], overrides: Mapping[str, Any] | None) -> dict:
    merged = dict(declared)
    for key, value in (overrides or {}).items():
        if key not in declared:
            close = difflib.get_close_matches(key, list(declared), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(declared) or "none"
            raise ConfigProblem(
                f"the workflow declares no config key {key!r}{hint} (keys: {known}); "
                "declare it under config: in the file"
            )
        merged[key] = value
    return merged


def run_env(run_id: str, workflow: str, now: float) -> dict[str, Any]:
    """What ``$.env`` holds for a run; both engines record it in the run's start."""
    started = datetime.fromtimestamp(now, UTC).replace(microsecond=0)
    return {
        "run_id": run_id,
        "workflow": workflow,
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "started_at_unix": int(now),
    }


def _check_scopes(loaded: LoadedWorkflow, client: AsyncIntercomClient) -> None:
    """Refuse, before anything runs, a workflow whose operations the token may not call."""
    for name in loaded.plan.operations.values():
        check_scope(client.operation(name), client.granted_scopes, client.catalog.scopes)


def owner_record() -> dict[str, Any]:
    """This process, as the run log's one liveness rule (``storage.Owner``) records it."""
    return Owner.me().record()


def started_record(
    loaded: LoadedWorkflow,
    config: Mapping[str, Any],
    env: Mapping[str, Any],
    connection: Mapping[str, Any],
) -> dict[str, Any]:
    """The data of a run's start event, the same for every engine (secrets aside)."""
    return {
        "workflow": loaded.workflow.name,
        "file": loaded.file,
        "definition": loaded.data,
        "config": dict(config),
        "env": dict(env),
        "connection": dict(connection),
        **owner_record(),
    }


async def run_workflow(
    loaded: LoadedWorkflow,
    client: AsyncIntercomClient,
    *,
    config: Mapping[str, Any] | None = None,
    runlog: RunLog | None = None,
    on_progress: ProgressHandler | None = None,
    connection: Mapping[str, Any] | None = None,
    secrets: Iterable[str | None] = (),
    run_id: str | None = None,
) -> RunResult:
    """Run a checked workflow with ``client``, logging every step to ``runlog``.

    ``connection`` (auth name, base URL, sandbox flag; never a token) is kept in the log so
    that ``runs resume`` can reconnect the same way.
    """
    merged = merge_config(loaded.workflow.config, config)
    _check_scopes(loaded, client)
    log = runlog or RunLog()
    try:
        run_id = run_id or new_run_id()
        now = time.time()
        env = run_env(run_id, loaded.workflow.name, now)
        journal = RunJournal(log, run_id, Redactor(secrets))
        journal.append(
            RUN_STARTED,
            durable=True,
            data={
                **started_record(loaded, merged, env, connection or {}),
                SECRETS_KEY: journal.redactor.secrets,
            },
        )
        return await _execute(loaded, client, journal, merged, env, {}, on_progress)
    finally:
        if runlog is None:
            log.close()


async def resume_run(
    run_id: str,
    client: AsyncIntercomClient,
    *,
    runlog: RunLog | None = None,
    on_progress: ProgressHandler | None = None,
    secrets: Iterable[str | None] = (),
    force: bool = False,
    resend: Collection[str] = (),
) -> RunResult:
    """Continue an interrupted (or failed) run, replaying what its log says finished.

    ``resend``: keys of steps whose write could not be settled and that the person
    resuming checked and wants sent again.
    """
    log = runlog or RunLog()
    try:
        run_id = log.resolve_id(run_id)
        summary = log.summary(run_id)
        if summary.status == "succeeded":
            raise ResumeRefused(f"run {run_id} already succeeded; there is nothing to resume")
        if summary.status == "running" and not force:
            pid = (log.events(run_id, (RUN_STARTED, RUN_RESUMED))[-1].data or {}).get("pid")
            raise ResumeRefused(
                f"run {run_id} is still running (process {pid}); stop it first, or pass "
                "--force if that process is gone"
            )
        start = summary.start
        loaded = check_data(start["definition"], start.get("file"))
        _check_scopes(loaded, client)
        journal = RunJournal(log, run_id, Redactor([*summary.secrets, *secrets]))
        journal.append(
            RUN_RESUMED,
            durable=True,
            data={
                "attempt": summary.attempts + 1,
                SECRETS_KEY: journal.redactor.secrets,
                **owner_record(),
            },
        )
        history = {record.key: record for record in log.steps(run_id)}
        return await _execute(
            loaded,
            client,
            journal,
            dict(start["config"]),
            dict(start["env"]),
            history,
            on_progress,
            resend,
        )
    finally:
        if runlog is None:
            log.close()


async def _execute(
    loaded: LoadedWorkflow,
    client: AsyncIntercomClient,
    journal: RunJournal,
    config: dict[str, Any],
    env: dict[str, Any],
    history: Mapping[str, Any],
    on_progress: ProgressHandler | None,
    resend: Collection[str] = (),
) -> RunResult:
    engine = EmbeddedEngine(
        client, journal, history=history, on_progress=on_progress, resend=resend
    )
    interpreter = Interpreter(loaded.plan, engine, config=config, env=env)
    began = time.perf_counter()
    try:
        outputs = await interpreter.run()
    except StepFailed as failure:
        journal.append(
            RUN_FINISHED,
            durable=True,
            data={
                "status": "failed",
                "error": str(failure),
                "step": failure.ref.step_id,
                "key": failure.ref.key,
            },
        )
        return RunResult(
            journal.run_id,
            "failed",
            {},
            journal.redactor.text(str(failure)),
            failure.ref.step_id,
            failure.ref.key,
            time.perf_counter() - began,
            _exit_code_of(failure),
        )
    journal.append(RUN_FINISHED, data={"status": "succeeded"}, durable=True)
    return RunResult(journal.run_id, "succeeded", outputs, duration=time.perf_counter() - began)


def _exit_code_of(failure: StepFailed) -> int:
    """A step refused for its credentials exits as an authentication error, through the
    engine's wrapping (``CallFailed`` from the client's error); any other failure is 4."""
    cause = failure.__cause__
    while cause is not None:
        if isinstance(cause, AuthError):
            return cause.exit_code
        cause = cause.__cause__
    return EXIT_RUN_FAILED
