"""Content data export: job lifecycle on the clock, one active job, gzip CSV download."""

from __future__ import annotations

import csv
import gzip
import io

from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock

RANGE = {
    "created_at_after": 1_650_000_000,
    "created_at_before": 1_736_000_000,
}  # every seeded sign-up
OCTETS = {"Accept": "application/octet-stream"}


async def _create(client: httpx.AsyncClient, body: dict[str, int] = RANGE) -> dict[str, str]:
    response = await client.post("/export/content/data", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _status(client: httpx.AsyncClient, job: dict[str, str]) -> dict[str, str]:
    return dict((await client.get(f"/export/content/data/{job['job_identifier']}")).json())


async def test_job_moves_pending_in_progress_completed(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    job = await _create(client)
    assert job["status"] == "pending" and job["download_url"] == ""
    clock.advance(1.5)
    assert (await _status(client, job))["status"] == "in_progress"
    clock.advance(2)
    done = await _status(client, job)
    assert done["status"] == "completed"
    assert done["download_url"].endswith(f"/download/content/data/{job['job_identifier']}")
    assert int(done["download_expires_at"]) > clock.now()


async def test_range_without_messages_ends_as_no_data(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    job = await _create(client, {"created_at_after": 1, "created_at_before": 2})
    clock.advance(10)
    assert (await _status(client, job))["status"] == "no_data"


async def test_second_active_job_is_429(client: httpx.AsyncClient) -> None:
    await _create(client)
    response = await client.post("/export/content/data", json=RANGE)
    assert response.status_code == 429
    assert "1 pending" in response.json()["errors"][0]["message"]


async def test_new_job_allowed_once_the_first_completes(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await _create(client)
    clock.advance(5)
    await _create(client)


async def test_cancel_frees_the_slot(client: httpx.AsyncClient) -> None:
    job = await _create(client)
    canceled = (await client.post(f"/export/cancel/{job['job_identifier']}")).json()
    assert canceled["status"] == "canceled"
    await _create(client)


async def test_download_needs_the_octet_stream_accept_header(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    job = await _create(client)
    clock.advance(5)
    response = await client.get(f"/download/content/data/{job['job_identifier']}")
    assert response.status_code == 406
    assert error_code(response) == "unsupported"


async def test_download_before_completion_is_refused(client: httpx.AsyncClient) -> None:
    job = await _create(client)
    response = await client.get(f"/download/content/data/{job['job_identifier']}", headers=OCTETS)
    assert response.status_code == 400


async def test_download_is_a_gzipped_csv_of_the_range(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    job = await _create(client)
    clock.advance(5)
    response = await client.get(f"/download/content/data/{job['job_identifier']}", headers=OCTETS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(response.content).decode())))
    assert len(rows) == 100
    assert {"user_id", "email", "received_at", "first_open"} <= set(rows[0])


async def test_download_expires_after_two_days(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    job = await _create(client)
    clock.advance(3 + 2 * 86_400 + 1)
    response = await client.get(f"/download/content/data/{job['job_identifier']}", headers=OCTETS)
    assert response.status_code == 404


async def test_unknown_job_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/export/content/data/nope")).status_code == 404


async def test_export_time_is_configurable(clock: ManualClock) -> None:
    from intercom_connector.sandbox import SandboxConfig, create_app

    sandbox = create_app(SandboxConfig(clock=clock, export_seconds=0))
    async with sandbox.async_client() as client:
        job = await _create(client)
    assert job["status"] == "completed"
