"""Under the issue's fault mixes a create-note-tag workflow finishes in ONE `run`, no duplicate.

A real `run` process works against a sandbox server on a loopback port that fails requests
at random, one seeded draw per request:

- *before* the handler (nothing applied): 5% server errors (500, 502, 503), 5% rate-limit
  replies (429) and 1% dropped connections;
- *after* the handler (the write applied, its reply lost): 5% server errors and 1% dropped
  connections. No 429 here: Intercom answers 429 only for requests it did not process, so
  the sandbox always sends its throttles before the handler.

Each mix runs at those rates and at four times them. Settlement and in-run retries must end
the one `run` with exit 0, and the sandbox's state must hold exactly one contact per email,
one note and one tag on each. The sandbox's rate-limit window is one second long and never
spent, so a 429's ``X-RateLimit-Reset`` (which the client waits for, as on Intercom) is at
most a second away. The default of 40 contacts keeps the suite short on a loaded machine;
the issue's count is ``FAULT_CONTACTS=500``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
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

CONTACTS = int(os.environ.get("FAULT_CONTACTS", "40"))
SEED = 1
"""A seed whose first hundred draws meet every kind of fault of each mix at 1x (so the
default size cannot pass without meeting them); any seed must pass."""


BEFORE = {"fault_timing": "before", "error_rate": 0.05, "throttle_rate": 0.05, "drop_rate": 0.01}
AFTER = {"fault_timing": "after", "error_rate": 0.05, "drop_rate": 0.01}
SERVER_ERRORS = {"500", "502", "503"}


def _times(mix: dict[str, object], factor: int) -> dict[str, object]:
    return {k: v * factor if isinstance(v, float) else v for k, v in mix.items()}


def _run(home: Path, workflow: Path, base_url: str, token: str, emails: list[str]):
    env = {k: v for k, v in os.environ.items() if k != "INTERCOM_TOKEN"}
    env["INTERCOM_CONNECTOR_HOME"] = str(home)
    command = [PYTHON, str(CLI_ENTRY), "run", str(workflow), "--base-url", base_url]
    command += ["--token", token, "--quiet", "--config", f"emails={json.dumps(emails)}"]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=100 + 3 * CONTACTS
    )


@pytest.mark.timeout(120 + 3 * CONTACTS)  # a guard against a hang, scaled to the size asked for
@pytest.mark.parametrize(
    ("mix", "factor"),
    [(BEFORE, 1), (AFTER, 1), (BEFORE, 4), (AFTER, 4)],
    ids=["before", "after", "before-4x", "after-4x"],
)
def test_one_run_finishes_with_exactly_one_contact_note_and_tag_each(tmp_path, mix, factor):
    emails = [f"faulty-{i}@example.com" for i in range(CONTACTS)]
    workflow = tmp_path / "create-note-tag.yaml"
    workflow.write_text(CREATE_NOTE_TAG.format(parallel=4))
    home = tmp_path / "home"
    config = SandboxConfig(
        seed=SEED, rate_limit=1_000_000, rate_limit_window_seconds=1.0, **_times(mix, factor)
    )
    with run_in_thread(config) as server:
        finished = _run(home, workflow, server.base_url, server.token, emails)
        requests = list(server.sandbox.requests)
        assert finished.returncode == 0, finished.stderr[-3000:]
        assert len(requests) < server.sandbox.requests.maxlen, "the request log dropped records"
        faults = Counter(r.fault for r in requests if r.fault is not None)
        expected = {"drop", "throttle"} if mix is BEFORE else {"drop"}
        assert expected <= set(faults) <= expected | SERVER_ERRORS, faults
        assert set(faults) & SERVER_ERRORS, faults
        assert_each_made_once_with_one_note_and_one_tag(server.sandbox, emails)
    with RunLog(home / "connector.db") as log:
        run_id = log.resolve_id("last")
        assert log.summary(run_id).attempts == 1  # one `run`, never resumed
        warned = [step for step in log.steps(run_id) if step.warnings]
    assert warned or mix is BEFORE  # replies lost after the write were settled, not resent
