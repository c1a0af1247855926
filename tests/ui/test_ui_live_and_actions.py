"""The panel while things happen: the runs list follows a run, Resume finishes a killed one,
and try-it calls an operation, all driven in Chromium."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ui_kit import DOCS, EXAMPLES, PanelHandle, killed_run, sandbox_client

from intercom_connector.sandbox import SandboxConfig, run_in_thread
from intercom_connector.workflow import ProgressEvent, RunLog, load_workflow, run_workflow

CONTACTS_COMPANIES = EXAMPLES / "contacts-companies.yaml"
WAIT_MS = 60_000


def run_held_at(gate: threading.Event, held: threading.Event, after: int) -> threading.Thread:
    """contacts-companies in a thread, paused after ``after`` finished steps until ``gate``.

    The log commits in groups; the pause commits first, as the next group would have.
    """
    seen = 0
    log: RunLog | None = None

    def on_progress(event: ProgressEvent) -> None:
        nonlocal seen
        if event.type == "finished":
            seen += 1
            if seen == after and log is not None:
                log.flush()
                held.set()
                gate.wait(WAIT_MS / 1000)

    async def go() -> None:
        nonlocal log
        async with sandbox_client() as client:
            with RunLog() as log:
                loaded = load_workflow(CONTACTS_COMPANIES)
                await run_workflow(loaded, client, runlog=log, on_progress=on_progress)

    thread = threading.Thread(target=lambda: asyncio.run(go()), daemon=True)
    thread.start()
    return thread


def test_the_runs_list_follows_a_run_while_it_goes(panel: PanelHandle, page: Any) -> None:
    page.goto(panel.entry)
    page.wait_for_selector("#live-state:text('live')")
    gate, held = threading.Event(), threading.Event()
    thread = run_held_at(gate, held, after=10)
    try:
        assert held.wait(WAIT_MS / 1000)
        row = page.locator("tr.run").first
        row.locator('.status[data-status="running"]').wait_for(timeout=WAIT_MS)
        assert int(row.locator(".steps").inner_text()) >= 10
        page.locator("main").screenshot(path=str(DOCS / "ui-runs.png"))
    finally:
        gate.set()
        thread.join(WAIT_MS / 1000)
    row.locator('.status[data-status="succeeded"]').wait_for(timeout=WAIT_MS)
    assert int(row.locator(".steps").inner_text()) > 100
    page.locator('select[name="status"]').select_option("failed")
    page.wait_for_selector("#runs-table td:text('no runs match')")
    page.locator('select[name="status"]').select_option("succeeded")
    page.locator('input[name="workflow"]').fill("companies of")
    page.locator("tr.run").first.wait_for()
    assert "status=succeeded" in page.url


def test_resume_from_the_page_finishes_a_killed_run(
    panel: PanelHandle, page: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_in_thread(SandboxConfig(latency=0.03, rate_limit=None)) as sandbox:
        monkeypatch.setenv("INTERCOM_TOKEN", sandbox.token)
        run_id = killed_run(
            [str(CONTACTS_COMPANIES), "--base-url", sandbox.base_url],
            lambda log, run: run.steps_finished >= 6,
        )
        page.goto(panel.url(f"/runs/{run_id}"))
        page.locator('#run-status[data-status="interrupted"]').wait_for()
        page.locator("#action-resume").click()
        page.locator('#run-status[data-status="succeeded"]').wait_for(timeout=WAIT_MS)
        listed = Counter(r.path for r in sandbox.sandbox.requests.matching("GET", "/contacts"))
    assert listed["/contacts"] == 1
    assert "2 attempts" in page.locator("#run-facts").inner_text()


def test_try_it_calls_list_contacts_against_the_sandbox(panel: PanelHandle, page: Any) -> None:
    page.goto(panel.url("/operations/list_contacts"))
    page.locator("#field-per_page").fill("2")
    page.locator("#try-target").select_option("sandbox")
    page.locator("#try-run").click()
    page.locator("#try-status.ok").wait_for()
    step = page.locator("#try-yaml").inner_text()
    assert "call: list_contacts" in step and "per_page: 2" in step
    data = page.locator(
        "#try-reply .jt-node", has=page.locator(':scope > .jt-line > .jt-key:text-is("data")')
    )
    assert data.locator(".jt-summary").first.inner_text() == "[2 items]"
    page.locator("main").screenshot(path=str(DOCS / "ui-try-it.png"))
