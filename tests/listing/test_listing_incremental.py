"""Incremental listings return exactly what changed since a time, and a state file carries
the high-water mark from one run to the next."""

from __future__ import annotations

import json

import pytest
from listing_kit import client_on, contacts_sandbox

from intercom_connector.catalog.watermark import INDEX_LAG, ListingState, parse_since
from intercom_connector.cli.listing_options import Listing
from intercom_connector.errors import UsageError


def _updated_since(sandbox, since: float) -> set[str]:
    store = sandbox.state.contacts
    return {store.id_of(c) for c in store.listable() if c.updated_at >= since}


@pytest.mark.parametrize("parallel", [1, 8])
@pytest.mark.parametrize("day_offset", [0.0, 0.3, 0.99])
async def test_updated_since_returns_exactly_the_records_updated_since(parallel, day_offset):
    sandbox = contacts_sandbox(7, 2_000)
    since = sandbox.config.seed_epoch - 40 * 86_400 + day_offset * 86_400
    async with client_on(sandbox) as client:
        listed = [
            r["id"]
            async for r in client.iterate("list_contacts", parallel=parallel, updated_since=since)
        ]

    assert len(listed) == len(set(listed))
    assert set(listed) == _updated_since(sandbox, since)
    assert 0 < len(listed) < 2_000


async def test_a_search_keeps_its_own_query_under_updated_since():
    sandbox = contacts_sandbox(8, 1_000)
    since = sandbox.config.seed_epoch - 90 * 86_400
    query = {"field": "role", "operator": "=", "value": "lead"}
    async with client_on(sandbox) as client:
        listed = [
            r
            async for r in client.iterate("search_contacts", {"query": query}, updated_since=since)
        ]

    store = sandbox.state.contacts
    expected = {
        store.id_of(c) for c in store.listable() if c.role == "lead" and c.updated_at >= since
    }
    assert {r["id"] for r in listed} == expected


async def test_the_state_file_makes_the_next_run_list_only_what_changed(tmp_path):
    sandbox = contacts_sandbox(9, 500)
    state = tmp_path / "contacts.state.json"
    listing = Listing(parallel=4, state_file=str(state))
    async with client_on(sandbox) as client:
        first = [r["id"] async for r in listing.records(client, "list_contacts", {})]
        mark = json.loads(state.read_text())["high_water_mark"]
        changed = first[:3]
        for contact_id in changed:
            await client.call("update_contact", {"contact_id": contact_id, "name": "Changed"})
        second = [r["id"] async for r in listing.records(client, "list_contacts", {})]

    assert len(first) == 500
    assert sorted(second) == sorted(changed)
    assert mark == pytest.approx(json.loads(state.read_text())["high_water_mark"], abs=60)


def test_a_failed_run_leaves_the_previous_mark(tmp_path):
    path = tmp_path / "state.json"
    ListingState(path, "list_contacts").save(10_000)

    assert ListingState(path, "list_contacts").load() == 10_000 - INDEX_LAG
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not JSON"),
        ('{"operation": "list_contacts"}', "no numeric high_water_mark"),
        ('{"operation": "search_tickets", "high_water_mark": 5}', "belongs to 'search_tickets'"),
    ],
)
def test_a_bad_state_file_is_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / "state.json"
    path.write_text(content)

    with pytest.raises(UsageError, match=message) as refused:
        ListingState(path, "list_contacts").load()
    assert str(path) in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1700000000", 1_700_000_000),
        ("2023-11-14T22:13:20Z", 1_700_000_000),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000),
        ("90m", 1_800_000_000 - 5_400),
        ("24h", 1_800_000_000 - 86_400),
        ("7d", 1_800_000_000 - 604_800),
    ],
)
def test_since_is_a_unix_time_an_iso_time_or_a_duration_ago(text, expected):
    assert parse_since(text, now=1_800_000_000) == expected


@pytest.mark.parametrize(
    ("text", "message"), [("yesterday", "duration such as 24h"), ("2023-11-14T22:13", "time zone")]
)
def test_an_unreadable_since_is_refused_with_what_was_expected(text, message):
    with pytest.raises(UsageError, match=message):
        parse_since(text, now=0)


def test_a_state_file_that_cannot_be_written_is_a_usage_error_leaving_no_temporary(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "state.json"
    target.mkdir()  # a directory where the file should go: the rename fails

    with pytest.raises(UsageError, match="cannot write it"):
        ListingState(target, "list_contacts").save(10_000)
    assert [p.name for p in folder.iterdir()] == ["state.json"]
