"""Every manual example, killed with SIGKILL at a step boundary, resumes to the same outputs.

For each example in ``examples/`` with a manual trigger, a real ``run`` process works
against a sandbox server on a loopback port, once uninterrupted (the reference) and then
once per chosen boundary k: the process kills itself (SIGKILL) right after the k-th step
event of the run is committed (``kill_entry.py``), and ``runs resume last`` finishes it.
The resumed run must succeed with every step's output equal to the reference's.

Both are made the same way: before each run the sandbox is reseeded (the same records, the
same ids drawn in the same order), and its clock is frozen except that it moves on with
each export status poll (``PollClock``), so timestamps and export progress do not depend on
how fast the machine is or on when the kill came (it stands an hour ahead of the real
clock, as ``PollClock`` explains). Each run uses its own connector home
under one fixed path, so downloaded files land at the same path every time. One field is
normalised: the ``id`` of a conversation part. The sandbox numbers parts in one sequence
across the workspace in the order requests arrive, and close-stale-conversations replies
four at a time, so even two uninterrupted runs give the same parts different ids; a part
sent twice would still show, as one part too many.

Cost: an example with at most ``RESUME_KILLS`` boundaries (default 12) is killed at every
one; a larger one at a seeded sample of that many, always including the first and the
last. ``RESUME_KILLS=all`` kills every example at every boundary. Each example is a test of
its own, so ``pytest -n`` spreads them over workers.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from workflow_kit import CLI_ENTRY, EXAMPLES, PYTHON

from intercom_connector.sandbox import RequestLog, Sandbox, SandboxConfig, run_in_thread
from intercom_connector.workflow import RunLog, load_workflow
from intercom_connector.workflow.runlog import (
    STEP_FAILED,
    STEP_FINISHED,
    STEP_STARTED,
    TIMER_STARTED,
)

KILL_ENTRY = CLI_ENTRY.with_name("kill_entry.py")
STEP_EVENTS = (STEP_STARTED, STEP_FINISHED, STEP_FAILED, TIMER_STARTED)
KILLS = os.environ.get("RESUME_KILLS", "12")
MANUAL_EXAMPLES = sorted(
    p for p in EXAMPLES.glob("*.yaml") if not load_workflow(p).workflow.triggered
)
OVERRIDES: dict[str, list[str]] = {"export-download.yaml": ["poll_seconds=0.05"]}
"""Config for a quick run; the example's own poll interval is 5 s."""
SANDBOX = {"seed": 11, "contacts": 6, "companies": 4, "conversations": 8, "rate_limit": None}
"""Small data, so small examples are killed at every boundary by default."""


class PollClock:
    """Sandbox time that stands still except for 1.5 s per export status poll answered.

    An export of 3 s is then pending at the first poll, in progress at the second and
    complete at the third, however long the polls and the kills in between take. It stands
    an hour ahead of the real clock: settling a write looks for records made at or after
    the attempt (less 5 s of skew, ``catalog/settlement.py``), so a sandbox clock behind
    the client's would hide what the attempt made, which Intercom's clock does not.
    """

    STEP = 1.5

    def __init__(self) -> None:
        self.start = float(int(time.time()) + 3600)
        self.requests: RequestLog | None = None

    def now(self) -> float:
        polls = 0
        if self.requests is not None:
            polls = sum(1 for r in self.requests if r.path.startswith("/export/content/data/"))
        return self.start + self.STEP * polls


def _without_part_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_part_ids(item) for item in value]
    if not isinstance(value, dict):
        return value
    normal = {key: _without_part_ids(item) for key, item in value.items()}
    if normal.get("type") == "conversation_part" and "id" in normal:
        normal["id"] = "<made by the sandbox in arrival order>"
    return normal


def _boundaries(name: str, count: int) -> list[int]:
    """The step events to kill at, 1-based: all of them, or a seeded sample."""
    every = list(range(1, count + 1))
    if KILLS == "all" or count <= int(KILLS):
        return every
    middle = random.Random(name).sample(every[1:-1], int(KILLS) - 2)
    return [1, *sorted(middle), count]


class Runner:
    """Runs one example against a sandbox that is reseeded before each run."""

    def __init__(self, example: Path, sandbox: Sandbox, base_url: str, home: Path) -> None:
        self.example, self.sandbox, self.base_url, self.home = example, sandbox, base_url, home

    def _cli(self, entry: Path, *args: str, kill_at: int | None = None) -> int:
        env = {k: v for k, v in os.environ.items() if k != "INTERCOM_TOKEN"}
        env["INTERCOM_CONNECTOR_HOME"] = str(self.home)
        if kill_at is not None:
            env["KILL_AT_STEP_EVENT"] = str(kill_at)
        connect = ["--token", self.sandbox.token, "--quiet"]
        done = subprocess.run(
            [PYTHON, str(entry), *args, *connect],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode in (0, -9), done.stderr[-3000:]
        return done.returncode

    def run(self, kill_at: int | None = None) -> int:
        shutil.rmtree(self.home, ignore_errors=True)
        self.sandbox.reset()
        config = [arg for c in OVERRIDES.get(self.example.name, []) for arg in ("--config", c)]
        args = ["run", str(self.example), "--base-url", self.base_url, *config]
        return self._cli(KILL_ENTRY if kill_at else CLI_ENTRY, *args, kill_at=kill_at)

    def resume(self) -> None:
        assert self._cli(CLI_ENTRY, "runs", "resume", "last") == 0

    def outcome(self) -> tuple[str, int, dict[str, Any]]:
        """The run's status, attempts, and every step's output by key."""
        with RunLog(self.home / "connector.db") as log:
            run_id = log.resolve_id("last")
            summary = log.summary(run_id)
            steps = log.steps(run_id)
        outputs = {step.key: (step.status, _without_part_ids(step.output)) for step in steps}
        return summary.status, summary.attempts, outputs

    def step_events(self) -> int:
        """How many step events the last run logged: the boundaries it can be killed at."""
        with RunLog(self.home / "connector.db") as log:
            return len(log.events(log.resolve_id("last"), STEP_EVENTS))


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("example", MANUAL_EXAMPLES, ids=lambda p: p.stem)
def test_a_run_killed_at_any_step_boundary_resumes_to_the_same_outputs(tmp_path, example):
    clock = PollClock()
    sandbox = Sandbox(SandboxConfig(clock=clock, **SANDBOX))
    clock.requests = sandbox.requests
    with run_in_thread(sandbox) as server:
        runner = Runner(example, sandbox, server.base_url, tmp_path / "home")
        assert runner.run() == 0
        status, _, reference = runner.outcome()
        assert status == "succeeded"
        mismatches = []
        for kill_at in _boundaries(example.name, runner.step_events()):
            assert runner.run(kill_at) == -9, f"the run ended before step event {kill_at}"
            runner.resume()
            status, attempts, outputs = runner.outcome()
            assert (status, attempts) == ("succeeded", 2), f"killed at step event {kill_at}"
            if outputs != reference:
                differing = sorted(
                    k
                    for k in reference.keys() | outputs.keys()
                    if reference.get(k) != outputs.get(k)
                )
                mismatches.append((kill_at, differing[:5]))
    assert mismatches == []
