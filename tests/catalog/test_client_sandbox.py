"""The name-level clients against the sandbox: every paging style, composites, scopes."""

from __future__ import annotations

import gzip

import pytest

from intercom_connector import AsyncIntercomClient, IntercomClient, MissingScope
from intercom_connector.catalog.composite import ExportJobFailed
from intercom_connector.http import NotFound, RetryPolicy
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox, SandboxConfig, run_in_thread


def client_for(sandbox: Sandbox, **options) -> AsyncIntercomClient:
    return AsyncIntercomClient(
        sandbox.token,
        base_url=sandbox.base_url,
        transport=httpx.ASGITransport(app=sandbox.app),
        **options,
    )


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(contacts=37, companies=23, conversations=21, events=40))


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("list_contacts", {"per_page": 10}, 37),
        ("list_conversations", {"per_page": 5}, 21),
        ("find_companies", {"per_page": 5}, 23),
        ("scroll_companies", {}, 23),
        (
            "search_contacts",
            {
                "query": {"field": "created_at", "operator": ">", "value": 0},
                "pagination": {"per_page": 4},
            },
            37,
        ),
    ],
)
async def test_iterate_yields_every_record_once(sandbox, name, data, expected):
    async with client_for(sandbox) as client:
        records = await client.collect(name, data)
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)) == expected


async def test_list_companies_pages_through_companies_that_have_users(sandbox):
    async with client_for(sandbox) as client:
        everything = await client.collect("scroll_companies")
        listed = await client.collect("list_companies", {"per_page": 5})
    with_users = {c["id"] for c in everything if c["user_count"] > 0}
    assert [c["id"] for c in listed if c["id"] in with_users] == [c["id"] for c in listed]
    assert len(listed) == len(with_users) > 5


async def test_iterate_follows_next_urls_of_data_events(sandbox):
    async with client_for(sandbox) as client:
        contacts = await client.collect("list_contacts")
        contact = next(c for c in contacts if c["role"] == "user")
        for n in range(3):
            await client.call(
                "submit_data_event",
                {"event_name": f"e{n}", "created_at": 1_700_000_000 + n, "id": contact["id"]},
            )
        events = await client.collect(
            "list_data_events", {"type": "user", "intercom_user_id": contact["id"]}
        )
    assert {"e0", "e1", "e2"} <= {event["event_name"] for event in events}


def test_sync_client_lists_over_a_real_socket():
    config = SandboxConfig(contacts=45)
    with (
        run_in_thread(config) as server,
        IntercomClient(server.token, base_url=server.base_url) as client,
    ):
        ids = [record["id"] for record in client.iterate("List contacts", {"per_page": 20})]
        first = client.call("get_contact", {"contact_id": ids[0]})
    assert len(set(ids)) == 45
    assert first["id"] == ids[0]


async def test_missing_scope_is_refused_before_any_request(sandbox):
    async with client_for(sandbox, granted_scopes={"read_tags"}) as client:
        with pytest.raises(MissingScope) as raised:
            await client.call("list_contacts")
        assert await client.call("list_tags")
    assert raised.value.scope == "read_users_companies"
    assert "read_users_companies" in str(raised.value)
    assert [r.path for r in sandbox.requests] == ["/tags"]


async def test_download_export_job_reports_progress_then_the_file(tmp_path):
    clock = ManualClock()
    sandbox = Sandbox(SandboxConfig(clock=clock, export_seconds=30))
    async with client_for(sandbox, download_dir=tmp_path) as client:
        job = await client.call(
            "create_export_job",
            {"created_at_after": 1_700_000_000, "created_at_before": 1_800_000_000},
        )
        waiting = await client.call(
            "Download export job", {"job_identifier": job["job_identifier"]}
        )
        clock.advance(31)
        done = await client.call("download_export_job", {"job_identifier": job["job_identifier"]})
    assert waiting["completedFlag"] is False
    assert waiting["status"] in ("pending", "in_progress")
    assert done["completedFlag"] is True
    file = done["file"]
    assert file["mime_type"] == "application/octet-stream" or "gzip" in file["mime_type"]
    content = gzip.decompress((tmp_path / file["name"]).read_bytes())
    assert content.count(b"\n") >= 1
    assert file["size"] == (tmp_path / file["name"]).stat().st_size
    assert isinstance(file["expires"], int) and file["expires"] > clock.now()


async def test_download_of_a_cancelled_export_job_names_its_status(tmp_path):
    sandbox = Sandbox(SandboxConfig(export_seconds=300))
    async with client_for(sandbox, download_dir=tmp_path) as client:
        job = await client.call(
            "create_export_job",
            {"created_at_after": 1_700_000_000, "created_at_before": 1_800_000_000},
        )
        await client.call("cancel_export_job", {"job_identifier": job["job_identifier"]})
        with pytest.raises(ExportJobFailed, match="canceled"):
            await client.call("download_export_job", {"job_identifier": job["job_identifier"]})


async def test_raw_request_uses_the_base_url_and_returns_status_headers_body(sandbox):
    async with client_for(sandbox) as client:
        result = await client.raw("GET", "contacts", query={"per_page": 2})
        missing = await client.call(
            "raw_http_request",
            {"method": "GET", "endpoint": "/contacts/nope", "allow_error_status": True},
        )
        with pytest.raises(NotFound) as raised:
            await client.raw("GET", "/contacts/nope")
    assert result["status_code"] == 200 and len(result["body"]["data"]) == 2
    assert missing["status_code"] == 404
    assert missing["body"]["type"] == "error.list"
    assert raised.value.operation == "raw_http_request"


async def test_api_errors_carry_the_operation_name(sandbox):
    async with client_for(sandbox) as client:
        with pytest.raises(NotFound) as raised:
            await client.call("get_contact", {"contact_id": "nope"})
    assert raised.value.operation == "get_contact"
    assert raised.value.status == 404


async def test_listing_survives_injected_server_errors():
    sandbox = Sandbox(SandboxConfig(contacts=300, error_rate=0.2, seed=7))
    fast = RetryPolicy(initial_backoff=0.001, max_backoff=0.01, max_attempts=10)
    async with client_for(sandbox, retry=fast) as client:
        ids = [r["id"] async for r in client.iterate("list_contacts", {"per_page": 25})]
    assert len(ids) == len(set(ids)) == 300
    assert any(r.status >= 500 for r in sandbox.requests)


async def test_raw_request_cannot_bypass_the_granted_scopes(sandbox):
    async with client_for(sandbox, granted_scopes={"read_tags"}) as client:
        with pytest.raises(MissingScope) as raised:
            await client.raw("GET", "/contacts/abc/companies")
        tags = await client.raw("GET", "/tags")
    assert raised.value.operation == "list_attached_companies"
    assert tags["status_code"] == 200
    assert [r.path for r in sandbox.requests] == ["/tags"]
