"""kill -9 at random moments of `run` and `runs resume`: every run completes, exactly once.

A create-note-tag workflow runs as a real process against a sandbox server on a loopback
port; the test kills it (and some resumes after it) with SIGKILL after a random number of
requests reached the sandbox, then
resumes until the run succeeds. The sandbox's state is the witness: exactly one contact per
email, one note and one tag on each. By default 2 trials each at ``parallel: 1`` and
``parallel: 8`` over 12 contacts keep the suite short on a loaded machine; the issue's full
count is ``CRASH_TRIALS=10 CRASH_CONTACTS=300``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from workflow_kit import CLI_ENTRY, PYTHON

from intercom_connector.sandbox import SandboxConfig, run_in_thread
from intercom_connector.workflow import RunLog

TRIALS = int(os.environ.get("CRASH_TRIALS", "2"))
CONTACTS = int(os.environ.get("CRASH_CONTACTS", "12"))
MAX_ROUNDS = 30

WORKFLOW = """
name: create, note and tag
config: {{emails: []}}
steps:
  - id: tag
    call: create_or_update_tag
    input: {{name: onboarded}}
  - id: each
    loop: {{list: $.config.emails, parallel: {parallel}}}
    steps:
      - id: create
        call: create_contact
        input: {{role: user, email: $.steps.each.value}}
      - id: note
        call: create_contact_note
        input: {{contact_id: $.steps.create.id, body: Welcome aboard}}
      - id: label
        call: attach_tag_to_contact
        input: {{contact_id: $.steps.create.id, id: $.steps.tag.id}}
"""


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
    """SIGKILL ``process`` once the sandbox has seen ``target`` requests (None: let it end)."""
    if target is not None:
        deadline = time.monotonic() + 120
        while process.poll() is None and len(requests) < target and time.monotonic() < deadline:
            time.sleep(0.002)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=300)


def _succeeded(home: Path) -> bool:
    with RunLog(home / "connector.db") as log:
        return log.summary(log.resolve_id("last")).status == "succeeded"


@pytest.mark.parametrize("parallel", [1, 8])
@pytest.mark.parametrize("trial", range(TRIALS))
def test_killed_runs_complete_with_each_write_applied_exactly_once(tmp_path, parallel, trial):
    rng = random.Random(f"{parallel}:{trial}")
    emails = [f"crash-{i}@example.com" for i in range(CONTACTS)]
    path = tmp_path / "create-note-tag.yaml"
    path.write_text(WORKFLOW.format(parallel=parallel))
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
        for round_ in range(MAX_ROUNDS):
            if (home / "connector.db").exists() and _succeeded(home):
                break
            resume = _start(home, "runs", "resume", "last", *connect)
            kill = round_ < 3 and rng.random() < 0.6
            _kill_after(resume, requests, len(requests) + rng.randint(1, writes) if kill else None)
        assert _succeeded(home), f"not finished after {MAX_ROUNDS} resumes"
        with RunLog(home / "connector.db") as log:
            assert log.summary(log.resolve_id("last")).attempts >= 2  # it was killed
        state = server.sandbox.state
        contacts = [state.contacts.by_email(email) for email in emails]
        assert all(contact is not None for contact in contacts)
        made = Counter(c.email for c in state.contacts.records() if c.email in set(emails))
        assert set(made.values()) == {1}
        notes = Counter(note.contact_seq for note in state.notes.values())
        assert [notes[c.seq] for c in contacts] == [1] * CONTACTS
        assert all(len(c.tag_ids) == 1 for c in contacts)
