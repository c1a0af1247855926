"""The blocking facade: same behaviour, driven from ordinary threads."""

import threading

import pytest
from http_fakes import BASE_URL, TOKEN, FakeTime, ScriptedServer, error_reply, json_reply
from paging_app import RECORDS, build_app

from intercom_connector.http import (
    ApiClient,
    NotFound,
    RateLimitPolicy,
    RequestSpec,
)
from intercom_connector.httpx_lib import httpx

CONTACTS = RequestSpec("GET", "/contacts", params={"per_page": 10})
CURSOR = {"style": "cursor", "items": "data"}


@pytest.fixture
def paging_server():
    app, log = build_app()
    return httpx.ASGITransport(app=app), log


def sync_client(transport, **options):
    fake = FakeTime()
    options.setdefault("rate_limit", RateLimitPolicy.unlimited())
    return ApiClient(
        TOKEN, base_url=BASE_URL, transport=transport, clock=fake.clock, sleep=fake.sleep, **options
    )


def test_request_returns_the_reply():
    server = ScriptedServer([json_reply(200, {"type": "admin", "id": "1"})])
    with sync_client(server.transport) as client:
        reply = client.request("GET", "/me")
    assert reply.body == {"type": "admin", "id": "1"}
    assert server.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_send_takes_a_request_spec():
    server = ScriptedServer([json_reply()])
    with sync_client(server.transport) as client:
        assert client.send(RequestSpec("GET", "/me")).status_code == 200


def test_errors_are_raised_in_the_calling_thread():
    server = ScriptedServer([error_reply(404, "not_found", "Contact Not Found")])
    with sync_client(server.transport) as client, pytest.raises(NotFound):
        client.request("GET", "/contacts/1")


def test_retries_run_on_the_facade_too():
    server = ScriptedServer([httpx.ReadError("reset"), json_reply()])
    with sync_client(server.transport) as client:
        client.request("GET", "/contacts/1")
    assert len(server.requests) == 2


def test_iterate_yields_every_record(paging_server):
    transport, _ = paging_server
    with sync_client(transport) as client:
        ids = [record["id"] for record in client.iterate(CONTACTS, CURSOR)]
    assert ids == [record["id"] for record in RECORDS]


def test_iterate_fetches_pages_only_as_records_are_consumed(paging_server):
    transport, log = paging_server
    with sync_client(transport) as client:
        records = client.iterate(CONTACTS, CURSOR)
        next(records)
        assert len(log) == 1
        for _ in range(10):
            next(records)
        assert len(log) == 2
        records.close()


def test_stopping_early_fetches_no_further_pages(paging_server):
    transport, log = paging_server
    with sync_client(transport) as client:
        for record in client.iterate(CONTACTS, CURSOR):
            if record["id"] == "c2":
                break
    assert len(log) == 1


def test_pages_yields_reply_dicts(paging_server):
    transport, _ = paging_server
    with sync_client(transport) as client:
        sizes = [len(page["data"]) for page in client.pages(CONTACTS, CURSOR)]
    assert sizes == [10, 10, 5]


def test_download_writes_the_file(tmp_path):
    server = ScriptedServer(
        [httpx.Response(200, content=b"a,b\n", headers={"content-type": "text/csv"})]
    )
    with sync_client(server.transport) as client:
        result = client.download(RequestSpec("GET", "/download/x"), tmp_path, "x.csv")
    assert result.path.read_bytes() == b"a,b\n"


def test_close_stops_the_loop_thread_and_can_be_repeated():
    before = {thread.ident for thread in threading.enumerate()}
    client = sync_client(ScriptedServer([json_reply()]).transport)
    started = [t for t in threading.enumerate() if t.ident not in before]
    client.close()
    client.close()
    assert started
    assert not any(thread.is_alive() for thread in started)


async def test_usable_from_code_that_runs_its_own_event_loop():
    server = ScriptedServer([json_reply()])
    with sync_client(server.transport) as client:
        assert client.request("GET", "/me").status_code == 200


def test_repr_hides_the_token():
    with sync_client(ScriptedServer([json_reply()]).transport) as client:
        assert TOKEN not in repr(client)
        assert client.base_url == BASE_URL
