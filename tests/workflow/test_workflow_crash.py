"""kill -9 at random moments of `run` and `runs resume`: every run completes, exactly once.

A create-note-tag workflow runs as a real process against a sandbox server on a loopback
port; the test kills it (and some resumes after it) with SIGKILL after a random number of
requests reached the sandbox, then
resumes until the run succeeds. The sandbox's state is the witness: exactly one contact per
email, one note and one tag on each. Its request log is the second witness: no process sends
a write for a step whose finish the run log held when that process started (finished steps
are replayed, never re-executed; an unfinished one may be sent again only after settling).
By default 2 trials each at ``parallel: 1`` and
``parallel: 8`` over 12 contacts keep the suite short on a loaded machine; the issue's full
count is ``CRASH_TRIALS=10 CRASH_CONTACTS=300``.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from workflow_kit import (
    CLI_ENTRY,
    CREATE_NOTE_TAG,
    PYTHON,
    assert_each_made_once_with_one_note_and_one_tag,
)

from intercom_connector.sandbox import SandboxConfig, run_in_thread
from intercom_connector.workflow import RunLog

TRIALS = int(os.environ.get("CRASH_TRIALS", "2"))
CONTACTS = int(os.environ.get("CRASH_CONTACTS", "12"))
MAX_ROUNDS = 30
ITERATION_STEP = re.compile(r"^each\[(\d+)\]\.(create|note|label)$")
CONTACT_WRITE = re.compile(r"^/contacts/([^/]+)/(notes|tags)$")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "INTERCOM_TOKEN"}
    env["INTERCOM_CONNECTOR_HOME"] = str(home)
    return env


def _start(home: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PYTHON, str(CLI_ENTRY), *args],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_after(process: subprocess.Popen[bytes], requests, target: int | None) -> None:
    """SIGKILL ``process`` once the sandbox has seen ``target`` requests (None: let it end).

    Returns once the sandbox has answered whatever the dead process left in flight, so every
    request of a later process starts after this returns.
    """
    if target is not None:
        deadline = time.monotonic() + 120
        while process.poll() is None and len(requests) < target and time.monotonic() < deadline:
            time.sleep(0.002)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=300)
    seen, deadline = -1, time.monotonic() + 10
    while len(requests) != seen and time.monotonic() < deadline:
        seen = len(requests)
        time.sleep(0.1)


@dataclass
class Finished:
    """What the run log held as finished when a process started."""

    tag: bool
    creates: int
    notes: set[str]
    """Contact ids whose note step had finished."""
    labels: set[str]
    """Contact ids whose tag-attach step had finished."""


def _finished(home: Path) -> Finished:
    finished = Finished(False, 0, set(), set())
    if not (home / "connector.db").exists():
        return finished
    with RunLog(home / "connector.db") as log:
        runs = log.runs(limit=1)
        steps = log.steps(runs[0].run_id) if runs else []
    done = {s.key: s.output for s in steps if s.status == "finished"}
    finished.tag = "tag" in done
    for key in done:
        match = ITERATION_STEP.match(key)
        if match is None:
            continue
        index, step = match.groups()
        if step == "create":
            finished.creates += 1
            continue
        contact_id = done[f"each[{index}].create"]["id"]
        (finished.notes if step == "note" else finished.labels).add(contact_id)
    return finished


def _re_executions(finished: Finished, sent: list, contacts: int) -> list[str]:
    """The writes in ``sent`` (one process's requests) for steps ``finished`` already held."""
    found = []
    writes = [r for r in sent if r.method == "POST"]
    if finished.tag and any(r.path == "/tags" for r in writes):
        found.append("create_or_update_tag sent again after it finished")
    creates = sum(r.path == "/contacts" for r in writes)
    if creates > contacts - finished.creates:
        found.append(f"{creates} creates sent, only {contacts - finished.creates} unfinished")
    for record in writes:
        match = CONTACT_WRITE.match(record.path)
        if match is None:
            continue
        contact_id, kind = match.groups()
        if contact_id in (finished.notes if kind == "notes" else finished.labels):
            found.append(f"POST {record.path} sent again after its step finished")
    return found


def _succeeded(home: Path) -> bool:
    with RunLog(home / "connector.db") as log:
        return log.summary(log.resolve_id("last")).status == "succeeded"


@pytest.mark.parametrize("parallel", [1, 8])
@pytest.mark.parametrize("trial", range(TRIALS))
def test_killed_runs_complete_with_each_write_applied_exactly_once(tmp_path, parallel, trial):
    rng = random.Random(f"{parallel}:{trial}")
    emails = [f"crash-{i}@example.com" for i in range(CONTACTS)]
    path = tmp_path / "create-note-tag.yaml"
    path.write_text(CREATE_NOTE_TAG.format(parallel=parallel))
    home = tmp_path / "home"
    with run_in_thread(SandboxConfig(latency=0.01, rate_limit=None)) as server:
        connect = ["--token", server.token, "--quiet"]
        run = _start(
            home,
            "run",
            str(path),
            "--base-url",
            server.base_url,
            *connect,
            "--config",
            f"emails={json.dumps(emails)}",
        )
        requests = server.sandbox.requests
        writes = 1 + 3 * CONTACTS
        _kill_after(run, requests, rng.randint(1, writes - 1))
        re_executed: list[str] = []
        for round_ in range(MAX_ROUNDS):
            if (home / "connector.db").exists() and _succeeded(home):
                break
            finished, before = _finished(home), len(requests)
            resume = _start(home, "runs", "resume", "last", *connect)
            kill = round_ < 3 and rng.random() < 0.6
            _kill_after(resume, requests, len(requests) + rng.randint(1, writes) if kill else None)
            re_executed += _re_executions(finished, list(requests)[before:], CONTACTS)
        assert _succeeded(home), f"not finished after {MAX_ROUNDS} resumes"
        assert len(requests) < requests.maxlen, "the request log dropped records"
        assert re_executed == []
        with RunLog(home / "connector.db") as log:
            assert log.summary(log.resolve_id("last")).attempts >= 2  # it was killed
        assert_each_made_once_with_one_note_and_one_tag(server.sandbox, emails)
