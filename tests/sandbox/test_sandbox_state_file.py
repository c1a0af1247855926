"""A sandbox with a state file keeps its workspace across restarts, even after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox, SandboxConfig, run_in_thread
from intercom_connector.sandbox.journal import JournalMismatch, Write

HOURS = [{"start_minute": 540, "end_minute": 1020, "day_of_week": 1}]


def _make_objects(client: httpx.Client) -> dict[str, Any]:
    """Writes across hand-written and generic resources; the paths that read each back."""
    contact = client.post("/contacts", json={"email": "kept@example.com", "name": "Kept"}).json()
    company = client.post("/companies", json={"company_id": "kept-co", "name": "Kept Co"}).json()
    client.post(f"/contacts/{contact['id']}/notes", json={"body": "remember me"})
    client.put(f"/contacts/{contact['id']}", json={"name": "Kept Again"})
    article = client.post("/articles", json={"title": "Kept article", "author_id": 1}).json()
    schedule = client.post(
        "/office_hours_schedules",
        json={"name": "Kept", "time_zone_name": "UTC", "time_intervals": HOURS},
    ).json()
    exceptions = f"/office_hours_schedules/{schedule['id']}/office_hours_exceptions"
    client.post(exceptions, json={"exception_date": "2026-12-25", "exception_type": "closed"})
    doomed = client.post("/articles", json={"title": "Deleted", "author_id": 1}).json()
    client.delete(f"/articles/{doomed['id']}")
    paths = [
        f"/contacts/{contact['id']}",
        f"/contacts/{contact['id']}/notes",
        f"/companies/{company['id']}",
        f"/articles/{article['id']}",
        f"/office_hours_schedules/{schedule['id']}",
        exceptions,
        "/articles",
    ]
    return {path: client.get(path).json() for path in paths} | {"gone": doomed["id"]}


def _read_back(client: httpx.Client, before: dict[str, Any]) -> None:
    for path, reply in before.items():
        if path != "gone":
            assert client.get(path).json() == reply, path
    assert client.get(f"/articles/{before['gone']}").status_code == 404


def test_a_restarted_sandbox_holds_every_object_it_had(tmp_path: Path) -> None:
    state = str(tmp_path / "workspace.sqlite")
    clock = ManualClock()
    config = SandboxConfig(clock=clock, state_path=state, rate_limit=None)
    with (
        run_in_thread(config) as first,
        httpx.Client(base_url=first.base_url, headers=_auth(first.token)) as client,
    ):
        clock.advance(60)
        before = _make_objects(client)
    clock.advance(3600)
    with (
        run_in_thread(config) as second,
        httpx.Client(base_url=second.base_url, headers=_auth(second.token)) as client,
    ):
        _read_back(client, before)


def test_a_state_file_refuses_other_seed_data(tmp_path: Path) -> None:
    state = str(tmp_path / "workspace.sqlite")
    Sandbox(SandboxConfig(state_path=state, seed=1)).close()
    with pytest.raises(JournalMismatch, match="same seed"):
        Sandbox(SandboxConfig(state_path=state, seed=2))


def test_reset_forgets_the_journaled_writes(tmp_path: Path) -> None:
    state = str(tmp_path / "workspace.sqlite")
    sandbox = Sandbox(SandboxConfig(state_path=state))
    assert sandbox.journal is not None
    sandbox.journal.append(Write(0.0, "POST", "/tags", "", "2.16", b'{"name": "x"}'))
    sandbox.reset()
    assert sandbox.journal.count() == 0
    sandbox.close()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _serve(state: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "intercom_connector",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--state",
            str(state),
            "--rate-limit",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "http://" in line, line + (process.stderr.read() if process.stderr else "")
    url = line.split()[-1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/me", headers=_auth("sandbox-token"), timeout=2)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    _stop(process, signal.SIGKILL)
    raise AssertionError("sandbox serve did not answer")


def _stop(process: subprocess.Popen[str], how: signal.Signals) -> int:
    """Signal the server, wait for it, and close its pipes."""
    os.kill(process.pid, how)
    process.communicate(timeout=30)
    return process.returncode


def test_kill_9_of_sandbox_serve_loses_no_object(tmp_path: Path) -> None:
    state = tmp_path / "served.sqlite"
    process, url = _serve(state)
    try:
        with httpx.Client(base_url=url, headers=_auth("sandbox-token"), timeout=10) as client:
            before = _make_objects(client)
    finally:
        killed = _stop(process, signal.SIGKILL)
    assert killed == -signal.SIGKILL
    process, url = _serve(state)
    try:
        with httpx.Client(base_url=url, headers=_auth("sandbox-token"), timeout=10) as client:
            _read_back(client, before)
    finally:
        _stop(process, signal.SIGTERM)
