"""`run --engine temporal`, `runs resume` and `temporal sync` through the real CLI.

The commands run as processes against the session's dev server, with a worker process
whose calls go to a sandbox on a loopback port; exit codes are README's (0 succeeded,
4 a run failed).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from temporal_kit import CLI, worker_process

from intercom_connector.sandbox import SandboxConfig
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog
from intercom_connector.workflow.engines.temporal import connect

WHO_AM_I = """\
name: Who am I
trigger: manual
steps:
  - id: me
    call: identify_admin
    input: {}
  - id: admins
    call: list_admins
    input: {}
"""


def cli(target, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "INTERCOM_TEMPORAL_TASK_QUEUE": target.task_queue,
        "INTERCOM_TEMPORAL_PAYLOADS": str(target.payload_dir),
    }
    return subprocess.run(
        [str(CLI), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def detach(target, path: Path) -> str:
    """`run PATH --engine temporal --detach`: the run id it prints."""
    ran = cli(
        target, "run", str(path), "--engine", "temporal", "--address", target.address, "--detach"
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip().split()[-1]


def last_run() -> tuple[str, str]:
    """The newest run in the connector home's run log (the key_env fixture's)."""
    with RunLog() as log:
        summary = log.runs(limit=1)[0]
        return summary.run_id, summary.status


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    path = tmp_path / "who.yaml"
    path.write_text(WHO_AM_I)
    return path


def test_run_on_temporal_follows_the_run_and_exits_0(target, flow: Path, key_env: str):
    with run_in_thread(SandboxConfig()) as sandbox, worker_process(target, sandbox.base_url):
        ran = cli(target, "run", str(flow), "--engine", "temporal", "--address", target.address)
    assert ran.returncode == 0, ran.stderr
    run_id, status = last_run()
    assert status == "succeeded"
    assert run_id in ran.stdout + ran.stderr


def test_a_failed_temporal_run_exits_4_and_runs_resume_finishes_it(
    target, flow: Path, key_env: str
):
    with run_in_thread(SandboxConfig()) as sandbox, worker_process(target, sandbox.base_url):
        sandbox.sandbox.inject(404, times=1, method="GET", path="/admins")
        failed = cli(target, "run", str(flow), "--engine", "temporal", "--address", target.address)
        assert failed.returncode == 4, failed.stderr
        run_id, status = last_run()
        assert status == "failed"
        resumed = cli(target, "runs", "resume", run_id)
        me = [r for r in sandbox.sandbox.requests if r.path == "/me"]
    assert resumed.returncode == 0, resumed.stderr
    assert last_run() == (run_id, "succeeded")
    assert len(me) == 1  # the finished step was replayed from the log, not sent again


def test_a_detached_run_prints_its_id_and_temporal_sync_mirrors_it(
    target, flow: Path, key_env: str
):
    with run_in_thread(SandboxConfig()) as sandbox, worker_process(target, sandbox.base_url):
        run_id = detach(target, flow)
        assert last_run() == (run_id, "detached")  # no process here follows it
        synced = cli(target, "temporal", "sync", run_id)
    assert synced.returncode == 0, synced.stderr
    assert last_run() == (run_id, "succeeded")


WAITS = """\
name: Waits
trigger: manual
steps:
  - id: pause
    delay: 3600
"""


async def _terminate(target, run_id: str) -> None:
    client = await connect(target)
    await client.get_workflow_handle(run_id).terminate("test over")


def test_resuming_a_run_still_running_on_temporal_exits_2_and_names_temporal_sync(
    target, tmp_path: Path, key_env: str
):
    path = tmp_path / "waits.yaml"
    path.write_text(WAITS)
    with run_in_thread(SandboxConfig()) as sandbox, worker_process(target, sandbox.base_url):
        run_id = detach(target, path)
        try:
            resumed = cli(target, "runs", "resume", run_id)
        finally:
            asyncio.run(_terminate(target, run_id))
    assert resumed.returncode == 2, resumed.stderr
    assert "still running on Temporal" in resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert last_run() == (run_id, "detached")
