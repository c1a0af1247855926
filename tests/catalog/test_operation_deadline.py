"""One deadline bounds an operation, its retries and the lookups that settle a write.

The server here is a real loopback socket that reads each request and then, as scripted,
answers or says nothing at all. The deadlines are short so the tests stay quick; no test
asserts how long anything took (pytest-timeout is the only clock that can fail them).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scripted_socket import SilentServer
from typer.testing import CliRunner

from intercom_connector import AsyncIntercomClient
from intercom_connector.catalog.deadline import DeadlineExceeded
from intercom_connector.cli import app
from intercom_connector.http import IntercomError, RetryPolicy

pytestmark = pytest.mark.timeout(60)

UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"content-length: 2\r\nconnection: close\r\n\r\n{}"
)


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()


@pytest.fixture
def unavailable_then_silent() -> Iterator[SilentServer]:
    server = SilentServer([UNAVAILABLE])
    yield server
    server.stop()


def _client(server: SilentServer, deadline: float) -> AsyncIntercomClient:
    return AsyncIntercomClient(
        "t0ken", base_url=server.base_url, deadline=deadline, retry=RetryPolicy.none()
    )


async def test_a_create_to_a_server_that_never_answers_stops_at_the_deadline(silent) -> None:
    async with _client(silent, 1.0) as client:
        with pytest.raises(DeadlineExceeded) as stopped:
            await client.call("create_contact", {"email": "slow@example.com"})
    assert str(stopped.value) == (
        "did not finish within 1 s (--timeout): the request may have reached Intercom, so "
        "whether it was applied is unknown: look the record up before sending it again "
        "(create_contact)"
    )


async def test_the_settlement_lookup_runs_under_the_same_deadline(
    unavailable_then_silent,
) -> None:
    async with _client(unavailable_then_silent, 1.5) as client:
        with pytest.raises(DeadlineExceeded, match="the lookup that settles it did not finish"):
            await client.call("create_contact", {"email": "ambiguous@example.com"})
    first, lookup = unavailable_then_silent.requests[:2]
    assert first.startswith(b"POST /contacts ")
    assert lookup.startswith(b"POST /contacts/search ")


async def test_a_read_that_times_out_says_nothing_changed(silent) -> None:
    async with _client(silent, 0.5) as client:
        with pytest.raises(DeadlineExceeded, match="it only reads, so nothing was changed"):
            await client.call("get_contact", {"contact_id": "1"})


async def test_a_listing_page_is_bounded_too(silent) -> None:
    async with _client(silent, 0.5) as client:
        with pytest.raises(DeadlineExceeded, match=r"list_contacts\)"):
            await client.collect("list_contacts")


def test_call_timeout_exits_1_with_what_is_known(silent, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(
        app,
        [
            "call",
            "create_contact",
            "-p",
            "email=cli@example.com",
            "--timeout",
            "1",
            "--quiet",
            "--token",
            "t0ken",
            "--base-url",
            silent.base_url,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "did not finish within 1 s (--timeout): the request may have reached Intercom" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


COMPLETED = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 23\r\n"
    b'connection: close\r\n\r\n{"status": "completed"}'
)


async def test_a_download_is_bounded_by_its_reads_not_by_the_deadline(tmp_path) -> None:
    """A large export may take longer than any deadline; a stalled one fails on its read."""
    server = SilentServer([COMPLETED])  # the status answers, the download never does
    try:
        async with AsyncIntercomClient(
            "t0ken",
            base_url=server.base_url,
            deadline=0.5,
            retry=RetryPolicy.none(),
            timeout=2.0,
            download_dir=tmp_path,
        ) as client:
            with pytest.raises(IntercomError) as failed:
                await client.call("download_export_job", {"job_identifier": "job-1"})
    finally:
        server.stop()
    assert not isinstance(failed.value, DeadlineExceeded), failed.value
    assert server.requests[-1].startswith(b"GET /download/content/data/job-1 ")
