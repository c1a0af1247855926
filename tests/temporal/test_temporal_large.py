"""Large runs on Temporal: long loops continue as new, large outputs leave the history."""

from __future__ import annotations

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from temporal_kit import in_process_worker, run_temporal, workflow

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.sandbox import SandboxConfig
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog
from intercom_connector.workflow.engines.temporal import connect

# A hang guard, not a speed check: each run lists or loops 20,000 times through a real
# Temporal server, which takes 25-110 s on a quiet 2-core machine and more under load.
pytestmark = pytest.mark.timeout(600)

LONG_LOOP = """
    name: Long loop
    trigger: manual
    config:
      items: []
    steps:
      - id: each
        loop: {list: $.config.items, parallel: 16}
        steps:
          - id: due
            condition:
              all:
                - {value1: $.steps.each.value.call, comparison: equal, value2: true}
            then:
              - id: me
                call: identify_admin
                input: {}
      - id: count
        map:
          iterations: $.steps.each.iterations
"""

ITERATIONS = 20_000
CALL_EVERY = 50


async def _generations(target, run_id: str) -> int:
    client = await connect(target)
    return len([w async for w in client.list_workflows(f"WorkflowId = '{run_id}'")])


async def test_a_20000_iteration_loop_completes_by_continuing_as_new(target, runlog: RunLog):
    items = [{"n": n, "call": n % CALL_EVERY == 0} for n in range(ITERATIONS)]
    with run_in_thread(SandboxConfig(rate_limit=None)) as sandbox:
        async with (
            AsyncIntercomClient(sandbox.token, base_url=sandbox.base_url) as api,
            in_process_worker(target, api),
        ):
            result = await run_temporal(
                target, workflow(LONG_LOOP), runlog, {"items": items}, continue_after=200
            )
        calls = [r for r in sandbox.sandbox.requests if r.path == "/me"]
    assert result.succeeded, result.error
    assert result.outputs["count"] == {"iterations": ITERATIONS}
    assert len(calls) == ITERATIONS // CALL_EVERY  # no call replayed across generations
    assert await _generations(target, result.run_id) >= 2
    steps = {r.key: r for r in runlog.steps(result.run_id)}
    assert steps[f"each[{ITERATIONS - 1}]"].status == "finished"
    assert steps[f"each[{ITERATIONS - CALL_EVERY}].me"].output["type"] == "admin"


LIST_ALL = """
    name: Every contact
    trigger: manual
    steps:
      - id: contacts
        call: List contacts
        all: true
        input: {per_page: 150}
"""


async def test_a_20000_contact_listing_completes_through_the_payload_store(target, runlog: RunLog):
    with run_in_thread(SandboxConfig(contacts=20_000, rate_limit=None)) as sandbox:
        async with (
            AsyncIntercomClient(sandbox.token, base_url=sandbox.base_url) as api,
            in_process_worker(target, api),
        ):
            result = await run_temporal(target, workflow(LIST_ALL), runlog)
    assert result.succeeded, result.error
    contacts = result.outputs["contacts"]["data"]
    assert len(contacts) == 20_000
    assert len({c["id"] for c in contacts}) == 20_000
    stored = [path for path in target.payload_dir.rglob("*") if path.is_file()]
    assert stored, "the listing went into the history instead of the payload store"
    assert all(b"@example" not in path.read_bytes() for path in stored)  # sealed at rest
