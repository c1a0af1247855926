"""Resume: a run stopped at any point continues from its log; no finished call is sent again.

The in-process tests stop a run by raising out of the progress handler right after an event
was logged (the moment a kill would leave behind), at many points. The subprocess tests kill
a real ``intercom-connector run`` with SIGKILL while it talks to a sandbox on a loopback
port, then run ``runs resume``; the sandbox's request log is the witness.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from workflow_kit import CLI_ENTRY, EXAMPLES, PYTHON, new_sandbox, sandbox_client, workflow

from intercom_connector.sandbox import SandboxConfig, ServerHandle, run_in_thread
from intercom_connector.workflow import (
    ProgressEvent,
    ResumeRefused,
    RunLog,
    load_workflow,
    resume_run,
    run_workflow,
)
from intercom_connector.workflow.runlog import STEP_FINISHED, TIMER_STARTED, RunNotFound

CONTACTS_COMPANIES = EXAMPLES / "contacts-companies.yaml"
EXPORT_DOWNLOAD = EXAMPLES / "export-download.yaml"


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, nothing catches it."""


def crash_at(event_type: str, step_kind: str, nth: int) -> Callable[[ProgressEvent], None]:
    seen = 0

    def handler(event: ProgressEvent) -> None:
        nonlocal seen
        if event.type == event_type and event.ref.kind == step_kind:
            seen += 1
            if seen == nth:
                raise Crash

    return handler


def _waits_into(waits: list[float]) -> Callable[[ProgressEvent], None]:
    def handler(event: ProgressEvent) -> None:
        if event.type == "waiting":
            waits.append(float(event.data))

    return handler


def finished_call_paths(log: RunLog, run_id: str) -> list[str]:
    """The request path of every call the log says finished."""
    paths = []
    for record in log.steps(run_id):
        if record.kind == "call" and record.status == "finished":
            data = record.input["input"]
            contact = data.get("contact_id")
            paths.append(f"/contacts/{contact}/companies" if contact else "/contacts")
    return paths


def company_requests(sandbox_requests) -> Counter[str]:
    return Counter(r.path for r in sandbox_requests if r.path.endswith("/companies"))


@pytest.mark.parametrize(
    ("event_type", "nth"),
    [
        ("finished", 1),  # right after list-contacts
        ("finished", 2),
        ("finished", 26),
        ("finished", 51),  # every call done, the run not yet marked finished
        ("started", 1),  # list-contacts started, not sent
        ("started", 30),
    ],
)
async def test_resume_after_a_crash_sends_every_call_exactly_once(runlog, event_type, nth):
    sandbox = new_sandbox()
    loaded = load_workflow(CONTACTS_COMPANIES)
    async with sandbox_client(sandbox) as client:
        with pytest.raises(Crash):
            await run_workflow(
                loaded, client, runlog=runlog, on_progress=crash_at(event_type, "call", nth)
            )
        run_id = runlog.resolve_id("last")
        assert runlog.summary(run_id).status == "running"
        result = await resume_run(run_id, client, runlog=runlog, force=True)
    assert result.succeeded, result.error
    assert len(sandbox.requests.matching("GET", "/contacts")) == 1
    assert set(company_requests(sandbox.requests).values()) == {1}
    assert sum(company_requests(sandbox.requests).values()) == 50
    assert result.outputs["company-names"]["contacts"] == 50


async def test_resumed_run_has_the_outputs_of_an_uninterrupted_one(runlog):
    loaded = load_workflow(CONTACTS_COMPANIES)
    async with sandbox_client(new_sandbox()) as client:
        clean = await run_workflow(loaded, client, runlog=runlog)
    async with sandbox_client(new_sandbox()) as client:
        with pytest.raises(Crash):
            await run_workflow(
                loaded, client, runlog=runlog, on_progress=crash_at("finished", "call", 7)
            )
        resumed = await resume_run("last", client, runlog=runlog, force=True)
    assert resumed.outputs == clean.outputs


async def test_a_parallel_loop_resumes_without_repeating_finished_calls(runlog):
    text = CONTACTS_COMPANIES.read_text().replace(
        "      list: $.steps.list-contacts.data\n",
        "      list: $.steps.list-contacts.data\n      parallel: 8\n",
    )
    sandbox = new_sandbox(latency=(0.0, 0.005))
    async with sandbox_client(sandbox) as client:
        with pytest.raises((Crash, BaseExceptionGroup)):
            await run_workflow(
                workflow(text), client, runlog=runlog, on_progress=crash_at("finished", "call", 20)
            )
        run_id = runlog.resolve_id("last")
        finished_before = finished_call_paths(runlog, run_id)
        result = await resume_run(run_id, client, runlog=runlog, force=True)
    assert result.succeeded
    counts = Counter(r.path for r in sandbox.requests)
    assert len(finished_before) >= 20
    assert all(counts[path] == 1 for path in finished_before)
    assert sum(company_requests(sandbox.requests).values()) <= 50 + 7  # in flight: sent twice
    assert len(company_requests(sandbox.requests)) == 50


async def test_a_delay_resumes_with_only_the_time_it_had_left(runlog):
    loaded = workflow("name: t\nsteps:\n  - {id: wait, delay: 0.6}\n  - {id: after, map: {}}\n")
    async with sandbox_client(new_sandbox()) as client:
        with pytest.raises(Crash):
            await run_workflow(
                loaded, client, runlog=runlog, on_progress=crash_at("waiting", "delay", 1)
            )
        time.sleep(0.4)
        waits: list[float] = []
        result = await resume_run(
            "last", client, runlog=runlog, force=True, on_progress=_waits_into(waits)
        )
    assert result.succeeded
    # However slow the machine: at least 0.4 s of the 0.6 s passed before the resume.
    assert len(waits) == 1 and waits[0] <= 0.2
    timers = runlog.events(result.run_id, (TIMER_STARTED,))
    assert len(timers) == 1


async def test_a_write_that_may_have_been_sent_is_settled_by_its_rule_before_it_is_resent(
    runlog, tmp_path
):
    sandbox = new_sandbox(export_seconds=0.05)
    loaded = load_workflow(EXPORT_DOWNLOAD)
    config = {"poll_seconds": 0.05, "download_dir": str(tmp_path)}
    async with sandbox_client(sandbox) as client:
        with pytest.raises(Crash):
            await run_workflow(
                loaded,
                client,
                runlog=runlog,
                config=config,
                on_progress=crash_at("started", "call", 1),
            )
        result = await resume_run("last", client, runlog=runlog, force=True)
    assert result.succeeded
    (created,) = [r for r in runlog.steps(result.run_id) if r.step_id == "create-export-job"]
    assert created.attempts == 2
    assert created.warnings == [
        "create_export_job may have been applied before the run was interrupted; sent again: "
        "Intercom keeps one active export and refuses a second with a 429"
    ]


async def test_resume_of_a_succeeded_run_is_refused(runlog):
    async with sandbox_client(new_sandbox()) as client:
        await run_workflow(
            workflow("name: t\nsteps:\n  - {id: a, map: {}}\n"), client, runlog=runlog
        )
        with pytest.raises(ResumeRefused, match="already succeeded"):
            await resume_run("last", client, runlog=runlog)


async def test_resume_of_a_run_whose_process_still_runs_is_refused(runlog):
    async with sandbox_client(new_sandbox()) as client:
        with pytest.raises(Crash):
            await run_workflow(
                load_workflow(CONTACTS_COMPANIES),
                client,
                runlog=runlog,
                on_progress=crash_at("finished", "call", 1),
            )
        with pytest.raises(ResumeRefused, match="is still running"):
            await resume_run("last", client, runlog=runlog)


async def test_a_failed_run_resumes_from_the_failed_step(runlog):
    text = """
    name: t
    steps:
      - {id: list-contacts, call: list_contacts, input: {per_page: 3}}
      - id: loop-1
        loop: {list: $.steps.list-contacts.data}
        steps:
          - id: list-attached-companies
            call: list_attached_companies
            input: {contact_id: $.steps.loop-1.value.id}
    """
    sandbox = new_sandbox()
    async with sandbox_client(sandbox) as client:
        contact = (await client.call("list_contacts", {"per_page": 3}))["data"][1]
        sandbox.requests.clear()
        sandbox.inject(404, path=f"/contacts/{contact['id']}/companies")
        failed = await run_workflow(workflow(text), client, runlog=runlog)
        assert failed.status == "failed"
        resumed = await resume_run(failed.run_id, client, runlog=runlog)
    assert resumed.succeeded
    assert len(sandbox.requests.matching("GET", "/contacts")) == 1
    assert len(sandbox.requests.matching("GET", f"/contacts/{contact['id']}/companies")) == 2


# --- a real process, killed with SIGKILL -------------------------------------------------


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    handle = run_in_thread(SandboxConfig(latency=0.05, rate_limit=None, export_seconds=1.0))
    yield handle
    handle.stop()


def _cli(home: Path, *args: str) -> list[str]:
    return [PYTHON, str(CLI_ENTRY), *args]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "INTERCOM_TOKEN"}
    env["INTERCOM_CONNECTOR_HOME"] = str(home)
    return env


def _run_until(home: Path, args: list[str], ready: Callable[[RunLog, str], bool]) -> str:
    """Start `run`, wait until ``ready`` says so, SIGKILL the process; the run id."""
    process = subprocess.Popen(
        _cli(home, *args), env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            if (home / "connector.db").exists():
                with RunLog(home / "connector.db") as log:
                    try:
                        run_id = log.resolve_id("last")
                    except RunNotFound:
                        run_id = None
                    if run_id is not None and ready(log, run_id):
                        os.kill(process.pid, signal.SIGKILL)
                        process.wait()
                        return run_id
            time.sleep(0.01)
        raise AssertionError("the run never reached the point to kill it at")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _finished_calls(log: RunLog, run_id: str) -> list[str]:
    return [e.key or "" for e in log.events(run_id, (STEP_FINISHED,)) if e.kind == "call"]


def _resume(home: Path, server: ServerHandle) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _cli(home, "runs", "resume", "last", "--token", server.token, "--quiet"),
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _assert_no_finished_call_repeated(home: Path, run_id: str, before: list[str], requests) -> None:
    with RunLog(home / "connector.db") as log:
        assert log.summary(run_id).status == "succeeded"
    counts = Counter(r.path for r in requests)
    assert all(counts[path] == 1 for path in before), counts
    assert all(count <= 2 for count in counts.values())


@pytest.mark.parametrize("finished_before_kill", [0, 1, 6])
def test_killed_run_resumes_without_resending_finished_calls(
    tmp_path, server, finished_before_kill
):
    home = tmp_path / "home"
    run_id = _run_until(
        home,
        [
            "run",
            str(CONTACTS_COMPANIES),
            "--base-url",
            server.base_url,
            "--token",
            server.token,
            "--quiet",
            "--config",
            "per_page=12",
        ],
        lambda log, run: (
            len(_finished_calls(log, run)) >= finished_before_kill
            and any(e.type == "step_started" for e in log.events(run))
        ),
    )
    with RunLog(home / "connector.db") as log:
        before = finished_call_paths(log, run_id)
        assert len(before) >= finished_before_kill
        assert log.summary(run_id).status == "interrupted"
    resumed = _resume(home, server)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip() == run_id
    _assert_no_finished_call_repeated(home, run_id, before, server.sandbox.requests)
    assert len(company_requests(server.sandbox.requests)) == 12


def test_killed_parallel_run_resumes_without_resending_finished_calls(tmp_path, server):
    home = tmp_path / "home"
    file = tmp_path / "parallel.yaml"
    file.write_text(
        CONTACTS_COMPANIES.read_text().replace(
            "      list: $.steps.list-contacts.data\n",
            "      list: $.steps.list-contacts.data\n      parallel: 4\n",
        )
    )
    run_id = _run_until(
        home,
        [
            "run",
            str(file),
            "--base-url",
            server.base_url,
            "--token",
            server.token,
            "--quiet",
            "--config",
            "per_page=30",
        ],
        lambda log, run: len(_finished_calls(log, run)) >= 9,
    )
    with RunLog(home / "connector.db") as log:
        before = finished_call_paths(log, run_id)
    resumed = _resume(home, server)
    assert resumed.returncode == 0, resumed.stderr
    _assert_no_finished_call_repeated(home, run_id, before, server.sandbox.requests)
    assert len(company_requests(server.sandbox.requests)) == 30


def test_killed_during_a_delay_resumes_the_remaining_wait_and_never_recreates_the_export(
    tmp_path, server
):
    home = tmp_path / "home"
    run_id = _run_until(
        home,
        [
            "run",
            str(EXPORT_DOWNLOAD),
            "--base-url",
            server.base_url,
            "--token",
            server.token,
            "--quiet",
            "--config",
            "poll_seconds=2",
            "--config",
            f"download_dir={tmp_path}",
        ],
        lambda log, run: bool(log.events(run, (TIMER_STARTED,))),
    )
    resumed = _resume(home, server)
    assert resumed.returncode == 0, resumed.stderr
    with RunLog(home / "connector.db") as log:
        (delay,) = [r for r in log.steps(run_id) if r.key == "loop-1[0].delay-1"]
        timers = log.events(run_id, (TIMER_STARTED,))
    assert [t.key for t in timers] == ["loop-1[0].delay-1"]
    assert delay.timer_until is not None and delay.finished_at is not None
    assert 0 <= delay.finished_at - delay.timer_until < 0.5
    assert len(server.sandbox.requests.matching("POST", "/export/content/data")) == 1
    assert list(tmp_path.glob("intercom-export-*.csv.gz"))
