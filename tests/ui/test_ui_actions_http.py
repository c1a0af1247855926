"""Actions over plain HTTP: re-run repeats a run, cancel stops one, refusals name why."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_kit import EXAMPLES, PanelHandle, killed_run, run_example

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import RunLog
from intercom_connector.workflow.runlog import RUN_STARTED, TIMER_STARTED


@pytest.fixture
def client(panel: PanelHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=panel.base_url, timeout=30) as client:
        assert client.get("/", params={"token": panel.access.token}).status_code == 303
        client.headers["X-CSRF-Token"] = panel.access.csrf
        yield client


def wait_finished(client: httpx.Client, run_id: str) -> dict:
    """The run once it ended (a re-run is logged only once its task has connected)."""
    for _ in range(3000):
        reply = client.get(f"/api/runs/{run_id}")
        if reply.status_code == 200 and reply.json()["run"]["status"] != "running":
            return reply.json()["run"]
        threading.Event().wait(0.02)
    raise AssertionError(f"run {run_id} did not finish")


def test_rerun_starts_a_new_run_with_the_same_definition_and_config(
    client: httpx.Client,
) -> None:
    first = run_example(EXAMPLES / "contacts-companies.yaml", sandbox=True, config={"per_page": 7})
    answer = client.post(f"/api/runs/{first}/rerun", json={}).json()
    assert answer["run_id"] != first
    run = wait_finished(client, answer["run_id"])
    assert run["status"] == "succeeded"
    with RunLog() as log:
        before, after = log.summary(first).start, log.summary(answer["run_id"]).start
    assert after["definition"] == before["definition"]
    assert after["config"] == {"per_page": 7}


def test_resume_of_a_succeeded_run_is_refused_with_the_reason(client: httpx.Client) -> None:
    run_id = run_example(EXAMPLES / "contacts-companies.yaml", sandbox=True)
    reply = client.post(f"/api/runs/{run_id}/resume", json={})
    assert reply.status_code == 409
    assert "already succeeded" in reply.json()["error"]
    cancel = client.post(f"/api/runs/{run_id}/cancel", json={})
    assert cancel.status_code == 409
    assert "not running" in cancel.json()["error"]


WAITING = """
name: Waits a minute
trigger: manual
steps:
  - id: list-contacts
    call: list_contacts
    input: {per_page: 2}
  - id: pause
    delay: 60
  - id: again
    call: list_contacts
    input: {per_page: 2}
"""


def test_cancel_stops_a_run_this_server_is_running(
    client: httpx.Client, tmp_path: Path, home: Path
) -> None:
    file = tmp_path / "waits.yaml"
    file.write_text(WAITING)
    run_id = killed_run(
        [str(file), "--sandbox"], lambda log, run: bool(log.events(run.run_id, (TIMER_STARTED,)))
    )
    assert client.post(f"/api/runs/{run_id}/resume", json={}).status_code == 200
    for _ in range(3000):
        state = client.get(f"/api/runs/{run_id}").json()
        if state["here"]:
            break
        threading.Event().wait(0.02)
    assert client.post(f"/api/runs/{run_id}/cancel", json={}).status_code == 200
    assert wait_finished(client, run_id)["status"] == "cancelled"


def test_resume_of_a_temporal_run_is_refused_and_names_temporal_sync(
    client: httpx.Client,
) -> None:
    connection = {"engine": "temporal", "auth": "default", "address": "127.0.0.1:7233"}
    with RunLog() as log:
        log.append(
            "temporal-run-1",
            RUN_STARTED,
            data={"workflow": "Nightly", "definition": {}, "connection": connection},
            durable=True,
        )
        assert log.summary("temporal-run-1").status == "detached"
    reply = client.post("/api/runs/temporal-run-1/resume", json={})
    assert reply.status_code == 409
    assert "temporal sync temporal-run-1" in reply.json()["error"]
