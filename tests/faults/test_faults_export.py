"""The export-download example completes and downloads a valid file through faults.

The sandbox runs on a manual clock that moves only at the workflow's delays, so the job
completes after the same number of polls on every run and the seeded faults fall on the same
requests. ``create_export_job`` is a POST the connector sends once (it is not retry-safe and
has no natural key to settle by), so the fault mix starts once the job exists; what happens
when the create itself meets a fault is the last test.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from pathlib import Path
from typing import Any

from fault_kit import FAULT_MIX, NO_FAULTS, SERVER_ERRORS, client_for, faults_met, faulty_sandbox

from intercom_connector.sandbox import ManualClock, Sandbox
from intercom_connector.workflow import (
    ProgressEvent,
    ProgressHandler,
    RunLog,
    RunResult,
    load_workflow,
    run_workflow,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "export-download.yaml"
EXPORT_SECONDS = 2.0
CLOCK_STEP = 0.25  # sandbox seconds per delay step: the 9th poll finds the job completed
SEED = 18  # its fault draws over the polls include a 503 and 429s


def export_sandbox() -> tuple[Sandbox, ManualClock]:
    # Starts at a whole second of the real time, so that the X-RateLimit-Reset of a 429 is
    # at most a second away for the client, and sums of CLOCK_STEP stay exact.
    clock = ManualClock(start=float(int(time.time())))
    sandbox = faulty_sandbox(SEED, clock=clock, export_seconds=EXPORT_SECONDS)
    sandbox.configure(**NO_FAULTS)
    return sandbox, clock


def faults_after_the_create(sandbox: Sandbox, clock: ManualClock) -> ProgressHandler:
    """A progress handler: sandbox time moves at each delay; once the job exists, the fault
    mix starts and the download fails twice first (a 502, then a reply lost mid-way)."""

    def on_progress(event: ProgressEvent) -> None:
        if event.type == "finished" and event.ref.step_id == "create-export-job":
            sandbox.configure(error_rate=FAULT_MIX["error_rate"], drop_rate=FAULT_MIX["drop_rate"])
            download = f"/download/content/data/{event.data['job_identifier']}"
            sandbox.inject(502, path=download)
            sandbox.inject("drop", path=download, timing="after")
        elif event.type == "waiting":
            clock.advance(CLOCK_STEP)

    return on_progress


async def run_export(
    sandbox: Sandbox, runlog: RunLog, download_dir: Path, on_progress: Any = None
) -> RunResult:
    config = {"poll_seconds": 0.001, "download_dir": str(download_dir)}
    async with client_for(sandbox) as client:
        return await run_workflow(
            load_workflow(EXAMPLE),
            client,
            config=config,
            runlog=runlog,
            on_progress=on_progress,
        )


def downloaded_file(result: RunResult) -> Path:
    last_poll = result.outputs["loop-1"]["results"][-1]["download-export-job"]
    assert last_poll["completedFlag"] is True
    return Path(last_poll["file"]["path"])


async def test_export_job_completes_and_downloads_a_gzip_csv_under_faults(
    runlog: RunLog, tmp_path: Path
):
    sandbox, clock = export_sandbox()
    exports = tmp_path / "exports"

    result = await run_export(sandbox, runlog, exports, faults_after_the_create(sandbox, clock))

    assert result.succeeded, result.error
    assert len(result.outputs["loop-1"]["results"]) == 9
    met = faults_met(sandbox)
    assert met["429"] > 0 and met["drop"] > 0
    assert sum(met[str(status)] for status in SERVER_ERRORS) > 1
    text = gzip.decompress(downloaded_file(result).read_bytes()).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["user_id", "user_external_id", "company_id", "email"]
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
    assert list(exports.iterdir()) == [downloaded_file(result)]  # no partial file left


async def test_export_file_downloaded_under_faults_matches_one_downloaded_without(
    runlog: RunLog, tmp_path: Path
):
    sandbox, clock = export_sandbox()
    handler = faults_after_the_create(sandbox, clock)
    result = await run_export(sandbox, runlog, tmp_path / "faults", handler)
    assert result.succeeded, result.error

    sandbox.configure(**NO_FAULTS)
    job = result.outputs["create-export-job"]["job_identifier"]
    async with client_for(sandbox) as client:
        again = await client.call(
            "download_export_job", {"job_identifier": job, "directory": str(tmp_path / "clean")}
        )
    assert downloaded_file(result).read_bytes() == Path(again["file"]["path"]).read_bytes()


async def test_export_workflow_completes_when_the_create_meets_a_server_error(
    runlog: RunLog, tmp_path: Path
):
    sandbox, clock = export_sandbox()
    sandbox.inject(503, method="POST", path="/export/content/data")

    def advance(event: ProgressEvent) -> None:
        if event.type == "waiting":
            clock.advance(CLOCK_STEP)

    result = await run_export(sandbox, runlog, tmp_path / "exports", advance)

    assert result.succeeded, result.error
    assert downloaded_file(result).exists()
