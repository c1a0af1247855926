"""Several worker processes share runs: a killed worker loses nothing, a rate limit holds.

Workers are `intercom-connector temporal worker` processes talking to a sandbox served on
a loopback port; the test process starts the runs and mirrors them into its run log.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from temporal_kit import run_temporal, worker_process, workflow

from intercom_connector.sandbox import SandboxConfig
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog
from intercom_connector.workflow.engines.temporal import connect, mirror, start_run

CONTACTS_COMPANIES = """
    name: Companies of all contacts
    trigger: manual
    steps:
      - id: list-contacts
        call: List contacts
        all: true
        input: {per_page: 50}
      - id: loop-1
        loop: {list: $.steps.list-contacts.data, parallel: 8}
        steps:
          - id: list-attached-companies
            call: List attached companies
            input: {contact_id: $.steps.loop-1.value.id}
"""

WORKER_CONCURRENCY = 4


async def test_a_worker_killed_mid_run_loses_nothing_and_resends_no_finished_call(
    target, runlog: RunLog
):
    loaded = workflow(CONTACTS_COMPANIES)
    with run_in_thread(SandboxConfig(contacts=200, rate_limit=None, latency=0.05)) as sandbox:
        extra = ("--concurrency", str(WORKER_CONCURRENCY))
        with (
            worker_process(target, sandbox.base_url, *extra) as doomed,
            worker_process(target, sandbox.base_url, *extra),
        ):
            client = await connect(target)
            run_id = await start_run(client, target, loaded, auth="default", runlog=runlog)
            assert run_id is not None

            def companies_requests() -> list[str]:
                return [r.path for r in sandbox.sandbox.requests if r.path.endswith("/companies")]

            while len(companies_requests()) < 60:
                await asyncio.sleep(0.05)
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait()
            sent_before_kill = len(companies_requests())
            result = await mirror(client, run_id, runlog)
        assert result.succeeded, result.error
        assert result.outputs["loop-1"]["iterations"] == 200
        paths = companies_requests()
        assert len(set(paths)) == 200
        assert len(paths) > sent_before_kill  # the survivor did the rest
        resent = [path for path, count in Counter(paths).items() if count > 1]
        # Only calls in flight on the killed worker (never more than its concurrency) may go
        # out again; every call whose completion Temporal recorded is sent once.
        assert len(resent) <= WORKER_CONCURRENCY


RATE_PER_SECOND = 60
WINDOW_SECONDS = 10.0
FAN_OUT = """
    name: Fan out
    trigger: manual
    config:
      items: []
    steps:
      - id: each
        loop: {list: $.config.items, parallel: 48}
        steps:
          - id: me
            call: identify_admin
            input: {}
"""


async def test_three_workers_on_one_authentication_stay_under_its_rate_limit(
    target, runlog: RunLog
):
    config = SandboxConfig(
        rate_limit=int(RATE_PER_SECOND * WINDOW_SECONDS), rate_limit_window_seconds=WINDOW_SECONDS
    )
    with run_in_thread(config) as sandbox:
        extra = ("--rate-limit", str(RATE_PER_SECOND * 60), "--concurrency", "16")
        with (
            worker_process(target, sandbox.base_url, *extra),
            worker_process(target, sandbox.base_url, *extra),
            worker_process(target, sandbox.base_url, *extra),
        ):
            result = await run_temporal(
                target, workflow(FAN_OUT), runlog, {"items": list(range(1_500))}
            )
        assert result.succeeded, result.error
        statuses = Counter(r.status for r in sandbox.sandbox.requests if r.path == "/me")
        assert statuses == {200: 1_500}
