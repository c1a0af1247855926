"""The timeline shows a call's rate-limit pause where the embedded engine logged it."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

from ui_kit import in_thread

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.http import RateLimiter, RateLimitPolicy
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig
from intercom_connector.ui.run_tree import RunIndex
from intercom_connector.workflow import RunLog, parse_workflow, run_workflow
from intercom_connector.workflow.runlog import THROTTLED

WORKFLOW = """
name: Two listings
trigger: manual
steps:
  - id: first
    call: list_contacts
  - id: second
    call: list_contacts
"""


async def _instant(seconds: float) -> None:
    """The limiter's sleep: the pause is logged, the test does not wait it out."""


async def run_and_index() -> tuple[RunIndex, list]:
    """One request per 10 s window on a clock that stands still: the second call waits 10 s."""
    sandbox = Sandbox(SandboxConfig(rate_limit=None))
    limiter = RateLimiter(
        RateLimitPolicy(requests_per_minute=6), clock=lambda: 1_700_000_000.0, sleep=_instant
    )
    client = AsyncIntercomClient(
        sandbox.token,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=sandbox.app),
        limiter=limiter,
    )
    async with client:
        with RunLog() as log:
            loaded = parse_workflow(textwrap.dedent(WORKFLOW), "two-listings.yaml")
            result = await run_workflow(loaded, client, runlog=log)
            throttles = log.events(result.run_id, (THROTTLED,))
            summary = log.summary(result.run_id)
            return RunIndex.build(summary, log.steps(result.run_id), throttles), throttles


def test_a_call_that_waited_for_the_rate_limiter_has_its_pause_on_the_timeline(
    home: Path,
) -> None:
    index, throttles = in_thread(lambda: asyncio.run(run_and_index()))
    assert [(event.key, event.data) for event in throttles] == [("second", {"seconds": 10.0})]
    bars = {row["key"]: row["bars"][0] for row in index.timeline()["rows"]}
    assert "throttles" not in bars["first"]
    ((start, end),) = bars["second"]["throttles"]
    assert round(end - start, 3) == 10.0
    assert start >= bars["second"]["start"]


def test_chromium_draws_the_pause_cross_hatched_on_the_step_that_waited(panel, page) -> None:
    index, _ = in_thread(lambda: asyncio.run(run_and_index()))
    page.goto(panel.url(f"/runs/{index.summary.run_id}"))
    pause = page.wait_for_selector("#timeline .bar.throttle")
    assert pause.get_attribute("title") == "second rate limit: paused 10.00 s"
    assert page.locator("#timeline .bar.throttle").count() == 1
