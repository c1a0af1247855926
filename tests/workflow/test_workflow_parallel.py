"""Parallel loops: N iterations at once, results in input order, one shared rate limiter."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from workflow_kit import FakeEngine, interpret, new_sandbox, sandbox_client, workflow

from intercom_connector.http import RateLimiter, RateLimitPolicy
from intercom_connector.workflow import RunLog, StepRef, run_workflow

FAN_OUT = """
name: fan-out
config: {per_page: 20}
steps:
  - id: list-contacts
    call: list_contacts
    input: {per_page: $.config.per_page}
  - id: loop-1
    loop: {list: $.steps.list-contacts.data, parallel: PARALLEL}
    steps:
      - id: list-attached-companies
        call: list_attached_companies
        input: {contact_id: $.steps.loop-1.value.id}
"""


class SlowFirstEngine(FakeEngine):
    """Early items answer last, so completion order is the reverse of input order."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0
        self.completed: list[int] = []

    async def call(
        self, ref: StepRef, operation: str, data: dict[str, Any], *, all_pages: bool
    ) -> Any:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.002 * (10 - int(data["contact_id"])))
        self.in_flight -= 1
        self.completed.append(int(data["contact_id"]))
        return {"contact": data["contact_id"]}


def _loop_over_ten(parallel: int) -> str:
    return f"""
    name: t
    steps:
      - id: loop-1
        loop: {{list: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], parallel: {parallel}}}
        steps:
          - id: get
            call: list_attached_companies
            input: {{contact_id: $.steps.loop-1.value}}
    """


async def test_parallel_loop_keeps_results_in_input_order():
    engine = SlowFirstEngine()
    outputs, _ = await interpret(workflow(_loop_over_ten(10)), engine)
    assert engine.completed != sorted(engine.completed)
    assert [r["get"]["contact"] for r in outputs["loop-1"]["results"]] == list(range(10))


async def test_parallel_loop_runs_at_most_n_iterations_at_once():
    engine = SlowFirstEngine()
    await interpret(workflow(_loop_over_ten(4)), engine)
    assert engine.most_in_flight == 4


async def test_default_loop_runs_one_iteration_at_a_time():
    engine = SlowFirstEngine()
    await interpret(workflow(_loop_over_ten(1)), engine)
    assert engine.most_in_flight == 1
    assert engine.completed == list(range(10))


async def test_parallel_loop_against_the_sandbox_matches_the_sequential_result(runlog: RunLog):
    results = []
    for parallel in (1, 8):
        sandbox = new_sandbox(latency=(0.0, 0.01))
        async with sandbox_client(sandbox) as client:
            loaded = workflow(FAN_OUT.replace("PARALLEL", str(parallel)))
            result = await run_workflow(loaded, client, runlog=runlog)
        assert result.succeeded
        results.append(result.outputs["loop-1"]["results"])
    assert results[0] == results[1]


class RecordingLimiter(RateLimiter):
    """A rate limiter that notes when each request was let through."""

    def __init__(self, policy: RateLimitPolicy) -> None:
        super().__init__(policy)
        self.granted: list[float] = []

    async def acquire(self, on_wait: Callable[[float], None] | None = None) -> None:
        await super().acquire(on_wait)
        self.granted.append(time.time())


async def test_parallel_iterations_share_the_clients_rate_limiter(runlog: RunLog):
    window, per_window = 0.5, 10
    limiter = RecordingLimiter(
        RateLimitPolicy(requests_per_minute=int(per_window * 60 / window), window_seconds=window)
    )
    sandbox = new_sandbox(latency=0.02)
    loaded = workflow(FAN_OUT.replace("PARALLEL", "8"))
    began = time.perf_counter()
    async with sandbox_client(sandbox, limiter=limiter) as client:
        result = await run_workflow(loaded, client, config={"per_page": 29}, runlog=runlog)
    elapsed = time.perf_counter() - began
    assert result.succeeded
    assert len(limiter.granted) == len(sandbox.requests) == 30
    first = limiter.granted[0]
    per_bucket = Counter(int((t - first + 0.02) // window) for t in limiter.granted)
    assert max(per_bucket.values()) <= per_window
    assert elapsed >= (math.ceil(30 / per_window) - 1) * window * 0.95
