"""The sandbox's stateful resources driven through the connector's own client, by operation name.

Every test runs twice: with the client mounted on the sandbox in process (httpx's ASGI
transport) and over a real loopback socket (`run_in_thread`). One loopback server serves the
whole module; each test gets a freshly seeded workspace on a new manual clock. Assertions read
the sandbox's state and request log, so they check what the server saw, not only what the
client says.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import (
    IN_PROCESS,
    LOOPBACK,
    TRANSPORTS,
    ConsentBrowser,
    SandboxTarget,
    adopt_config,
    small_config,
)

from intercom_connector import AsyncIntercomClient
from intercom_connector.auth import OAuthApp, OAuthEndpoints, authorize
from intercom_connector.catalog.composite import ExportJobFailed
from intercom_connector.http import (
    AuthenticationError,
    BadRequest,
    ClientError,
    ConnectionFailed,
    NotFound,
    RateLimitExceeded,
    RetryPolicy,
    ServerError,
)
from intercom_connector.sandbox import Sandbox, ServerHandle, run_in_thread
from intercom_connector.sandbox.exports import CSV_COLUMNS

SANDBOX_APP = OAuthApp("sandbox-client", "sandbox-secret")


@pytest.fixture(scope="module")
def loopback_server() -> Iterator[ServerHandle]:
    with run_in_thread(Sandbox(small_config())) as server:
        yield server


@pytest.fixture(params=TRANSPORTS)
def target(request: pytest.FixtureRequest) -> SandboxTarget:
    if request.param == IN_PROCESS:
        return SandboxTarget(IN_PROCESS, Sandbox(small_config()))
    server: ServerHandle = request.getfixturevalue("loopback_server")
    adopt_config(server.sandbox, small_config())
    return SandboxTarget(LOOPBACK, server.sandbox)


@pytest.fixture
async def client(target: SandboxTarget) -> AsyncIterator[AsyncIntercomClient]:
    async with target.client() as connector:
        yield connector


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [str(record["id"]) for record in records]


async def first_contact_id(client: AsyncIntercomClient) -> str:
    page = await client.call("list_contacts", {"per_page": 1})
    return str(page["data"][0]["id"])


async def first_admin_id(client: AsyncIntercomClient) -> str:
    return str((await client.call("identify_admin"))["id"])


# --- contacts ----------------------------------------------------------------------------


async def test_create_contact_adds_exactly_one_contact(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    before = len(target.state.contacts)

    created = await client.call(
        "create_contact", {"email": "ada@new.example", "external_id": "crm-1", "name": "Ada"}
    )

    store = target.state.contacts
    assert created["type"] == "contact" and created["email"] == "ada@new.example"
    assert len(store) == before + 1
    assert store.id_of(store.by_email("ada@new.example")) == created["id"]


async def test_get_contact_reads_back_the_created_contact(client: AsyncIntercomClient) -> None:
    created = await client.call("create_contact", {"email": "grace@new.example", "name": "Grace"})

    fetched = await client.call("get_contact", {"contact_id": created["id"]})

    assert (fetched["id"], fetched["email"], fetched["name"]) == (
        created["id"],
        "grace@new.example",
        "Grace",
    )


async def test_update_contact_changes_the_fields_sent_and_keeps_the_rest(
    client: AsyncIntercomClient,
) -> None:
    created = await client.call(
        "create_contact", {"email": "ken@new.example", "name": "Before", "phone": "+353 1 555"}
    )

    await client.call("update_contact", {"contact_id": created["id"], "name": "After"})

    fetched = await client.call("get_contact", {"contact_id": created["id"]})
    assert (fetched["name"], fetched["phone"], fetched["email"]) == (
        "After",
        "+353 1 555",
        "ken@new.example",
    )


async def test_get_contact_by_external_id_finds_the_user(client: AsyncIntercomClient) -> None:
    created = await client.call(
        "create_contact", {"external_id": "crm-42", "email": "linus@new.example"}
    )

    found = await client.call("get_contact_by_external_id", {"external_id": "crm-42"})

    assert found["id"] == created["id"]


async def test_an_archived_contact_leaves_the_listing_until_unarchived(
    client: AsyncIntercomClient,
) -> None:
    contact_id = await first_contact_id(client)

    archived = await client.call("archive_contact", {"contact_id": contact_id})
    while_archived = ids(await client.collect("list_contacts"))
    unarchived = await client.call("unarchive_contact", {"contact_id": contact_id})
    after = ids(await client.collect("list_contacts"))

    assert archived["archived"] is True and unarchived["archived"] is False
    assert contact_id not in while_archived
    assert contact_id in after


async def test_merge_contacts_folds_the_lead_into_the_user(client: AsyncIntercomClient) -> None:
    user = await client.call("create_contact", {"role": "user", "email": "same@new.example"})
    lead = await client.call("create_contact", {"role": "lead", "email": "same@new.example"})

    merged = await client.call("merge_contacts", {"from": lead["id"], "into": user["id"]})

    assert merged["id"] == user["id"]
    with pytest.raises(ClientError) as raised:
        await client.call("get_contact", {"contact_id": lead["id"]})
    assert (raised.value.status, raised.value.code) == (410, "contact_merged")


async def test_a_deleted_contact_is_not_found_afterwards(client: AsyncIntercomClient) -> None:
    created = await client.call("create_contact", {"email": "gone@new.example"})

    deleted = await client.call("delete_contact", {"contact_id": created["id"]})

    assert deleted["deleted"] is True
    with pytest.raises(NotFound):
        await client.call("get_contact", {"contact_id": created["id"]})


async def test_list_contacts_follows_cursors_and_yields_every_contact_once(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    listed = ids(await client.collect("list_contacts", {"per_page": 7}))

    assert sorted(listed) == sorted(target.listable_contact_ids())
    pages = target.requests("GET", "/contacts")
    assert len(pages) == 5  # 30 contacts, 7 a page
    assert all("starting_after=" in page.query for page in pages[1:])


ENDS_IN_COM_OR_ORG_AND_LEAD_OR_NAMED_A = {
    "operator": "AND",
    "value": [
        {
            "operator": "OR",
            "value": [
                {"field": "email", "operator": "$", "value": "example.com"},
                {"field": "email", "operator": "$", "value": "example.org"},
            ],
        },
        {
            "operator": "OR",
            "value": [
                {"field": "role", "operator": "=", "value": "lead"},
                {"field": "name", "operator": "^", "value": "A"},
            ],
        },
    ],
}


async def test_search_contacts_pages_an_and_or_query_through_the_body(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    expected = [
        target.state.contacts.id_of(c)
        for c in target.state.contacts.listable()
        if (c.email or "").endswith(("example.com", "example.org"))
        and (c.role == "lead" or (c.name or "").startswith("A"))
    ]

    found = ids(
        await client.collect(
            "search_contacts",
            {"query": ENDS_IN_COM_OR_ORG_AND_LEAD_OR_NAMED_A, "pagination": {"per_page": 2}},
        )
    )

    assert len(expected) > 2
    assert sorted(found) == sorted(expected)
    searches = target.requests("POST", "/contacts/search")
    assert len(searches) == -(-len(expected) // 2)
    assert all(search.query == "" for search in searches)  # the cursor travels in the body


async def test_a_tag_attached_to_a_contact_is_listed_until_detached(
    client: AsyncIntercomClient,
) -> None:
    contact_id = await first_contact_id(client)
    tag = await client.call("create_or_update_tag", {"name": "Through the client"})

    await client.call("attach_tag_to_contact", {"contact_id": contact_id, "id": tag["id"]})
    attached = ids(await client.collect("list_contact_tags", {"contact_id": contact_id}))
    await client.call("detach_tag_from_contact", {"contact_id": contact_id, "tag_id": tag["id"]})
    detached = ids(await client.collect("list_contact_tags", {"contact_id": contact_id}))

    assert tag["id"] in attached
    assert tag["id"] not in detached


async def test_a_company_attached_to_a_contact_is_listed_until_detached(
    client: AsyncIntercomClient,
) -> None:
    contact = await client.call("create_contact", {"email": "joiner@new.example"})
    company = await client.call("create_or_update_company", {"company_id": "acme-1"})

    await client.call(
        "attach_contact_to_company", {"contact_id": contact["id"], "id": company["id"]}
    )
    attached = await client.collect("list_attached_companies", {"contact_id": contact["id"]})
    await client.call(
        "detach_contact_from_company", {"contact_id": contact["id"], "company_id": company["id"]}
    )
    detached = await client.collect("list_attached_companies", {"contact_id": contact["id"]})

    assert ids(attached) == [company["id"]]
    assert detached == []


async def test_list_contact_notes_returns_the_contacts_notes_newest_first(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    store = target.state.contacts
    contact = next(c for c in store.listable() if len(c.note_ids) >= 2)

    notes = await client.collect("list_contact_notes", {"contact_id": store.id_of(contact)})

    assert ids(notes) == list(reversed(contact.note_ids))


async def test_a_note_created_on_a_contact_is_listed_first(client: AsyncIntercomClient) -> None:
    contact_id = await first_contact_id(client)

    note = await client.call("create_contact_note", {"contact_id": contact_id, "body": "Called"})

    notes = await client.collect("list_contact_notes", {"contact_id": contact_id})
    assert ids(notes)[0] == note["id"] and note["body"] == "<p>Called</p>"


# --- companies ---------------------------------------------------------------------------


async def test_create_or_update_company_updates_the_company_with_the_same_company_id(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    before = len(target.state.companies)

    created = await client.call(
        "create_or_update_company", {"company_id": "acme-7", "name": "Acme", "plan": "pro"}
    )
    again = await client.call(
        "create_or_update_company", {"company_id": "acme-7", "name": "Acme Inc"}
    )

    assert again["id"] == created["id"]
    assert (again["name"], again["plan"]["name"]) == ("Acme Inc", "pro")
    assert len(target.state.companies) == before + 1


async def test_get_company_reads_back_the_created_company(client: AsyncIntercomClient) -> None:
    created = await client.call("create_or_update_company", {"company_id": "hooli", "size": 80})

    fetched = await client.call("get_company", {"company_id": created["id"]})

    assert (fetched["id"], fetched["company_id"], fetched["size"]) == (created["id"], "hooli", 80)


async def test_update_company_changes_the_company_by_id(client: AsyncIntercomClient) -> None:
    created = await client.call("create_or_update_company", {"company_id": "initech"})

    await client.call("update_company", {"company_id": created["id"], "plan": "enterprise"})

    fetched = await client.call("get_company", {"company_id": created["id"]})
    assert fetched["plan"]["name"] == "enterprise"


async def test_list_companies_pages_through_every_company_with_users(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    with_users = [c.id for c in target.state.companies.values() if c.contact_seqs]

    listed = ids(await client.collect("list_companies", {"per_page": 4}))

    assert sorted(listed) == sorted(with_users)
    assert len(target.requests("POST", "/companies/list")) == -(-len(with_users) // 4)


async def test_find_companies_by_company_id_returns_that_company(
    client: AsyncIntercomClient,
) -> None:
    created = await client.call("create_or_update_company", {"company_id": "vandelay"})

    found = await client.call("find_companies", {"company_id": "vandelay"})

    assert ids(found["data"]) == [created["id"]]


async def test_find_companies_without_a_filter_pages_through_every_company(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    listed = ids(await client.collect("find_companies", {"per_page": 6}))

    assert sorted(listed) == sorted(target.state.companies)
    assert len(target.requests("GET", "/companies")) == 4  # 20 companies, 6 a page


async def test_scroll_companies_collects_every_company_once_and_frees_the_scroll(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    scrolled = ids(await client.collect("scroll_companies"))

    assert sorted(scrolled) == sorted(target.state.companies)
    # 20 companies, 6 a page, then the empty page that ends the scroll
    assert len(target.requests("GET", "/companies/scroll")) == 5
    assert target.state.scroll is None


async def test_a_second_scroll_while_one_is_open_is_refused_with_scroll_exists(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    async with aclosing(client.batches("scroll_companies")) as first_scroll:
        first_page = await anext(first_scroll)

        with pytest.raises(BadRequest) as raised:
            await client.collect("scroll_companies")

        rest = [record async for batch in first_scroll for record in batch]

    assert raised.value.code == "scroll_exists"
    assert sorted(ids(first_page + rest)) == sorted(target.state.companies)


async def test_a_scroll_left_idle_past_its_ttl_no_longer_blocks_a_new_one(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    await client.call("scroll_companies")  # opened, never finished
    target.clock.advance(target.sandbox.config.scroll_ttl_seconds + 1)

    scrolled = ids(await client.collect("scroll_companies"))

    assert sorted(scrolled) == sorted(target.state.companies)


# --- tags --------------------------------------------------------------------------------


async def test_create_or_update_tag_reuses_the_tag_with_the_same_name(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    before = len(target.state.tags)

    first = await client.call("create_or_update_tag", {"name": "Renewal"})
    second = await client.call("create_or_update_tag", {"name": "Renewal"})

    assert first["id"] == second["id"]
    assert len(target.state.tags) == before + 1


async def test_a_new_tag_is_listed_and_readable_by_id(client: AsyncIntercomClient) -> None:
    created = await client.call("create_or_update_tag", {"name": "Listed"})

    listed = await client.collect("list_tags")
    fetched = await client.call("get_tag", {"tag_id": created["id"]})

    assert created["id"] in ids(listed)
    assert fetched == {"type": "tag", "id": created["id"], "name": "Listed"}


async def test_a_deleted_tag_is_not_found_afterwards(client: AsyncIntercomClient) -> None:
    created = await client.call("create_or_update_tag", {"name": "Short-lived"})

    await client.call("delete_tag", {"tag_id": created["id"]})

    with pytest.raises(NotFound):
        await client.call("get_tag", {"tag_id": created["id"]})
    assert created["id"] not in ids(await client.collect("list_tags"))


async def test_a_tag_on_a_conversation_shows_on_it_until_removed(
    client: AsyncIntercomClient,
) -> None:
    admin_id = await first_admin_id(client)
    tag = await client.call("create_or_update_tag", {"name": "Escalated"})
    conversation = {"conversation_id": "101", "admin_id": admin_id}

    await client.call("attach_tag_to_conversation", {**conversation, "id": tag["id"]})
    tagged = await client.call("get_conversation", {"conversation_id": 101})
    await client.call("detach_tag_from_conversation", {**conversation, "tag_id": tag["id"]})
    untagged = await client.call("get_conversation", {"conversation_id": 101})

    assert tag["id"] in ids(tagged["tags"]["tags"])
    assert tag["id"] not in ids(untagged["tags"]["tags"])


# --- data events, data attributes, segments, admins, teams -------------------------------


async def test_list_data_events_follows_next_urls_through_every_event(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    contact = await client.call("create_contact", {"email": "busy@new.example"})
    names = [f"step-{n:02d}" for n in range(60)]  # the sandbox answers 50 events a page
    for offset, name in enumerate(names):
        await client.call(
            "submit_data_event",
            {"event_name": name, "created_at": 1_735_000_000 + offset, "id": contact["id"]},
        )

    events = await client.collect(
        "list_data_events", {"type": "user", "intercom_user_id": contact["id"]}
    )

    assert [event["event_name"] for event in events] == list(reversed(names))
    pages = target.requests("GET", "/events")
    assert len(pages) == 2 and "before=" in pages[1].query


async def test_a_created_data_attribute_is_listed_and_accepted_on_contacts(
    client: AsyncIntercomClient,
) -> None:
    await client.call(
        "create_data_attribute", {"name": "tier", "model": "contact", "data_type": "string"}
    )
    contact_id = await first_contact_id(client)

    listed = await client.collect("list_data_attributes", {"model": "contact"})
    updated = await client.call(
        "update_contact", {"contact_id": contact_id, "custom_attributes": {"tier": "gold"}}
    )

    assert "tier" in [attribute["name"] for attribute in listed]
    assert updated["custom_attributes"]["tier"] == "gold"


async def test_an_archived_data_attribute_is_listed_only_on_request(
    client: AsyncIntercomClient,
) -> None:
    created = await client.call(
        "create_data_attribute", {"name": "legacy", "model": "company", "data_type": "integer"}
    )

    await client.call(
        "update_data_attribute", {"data_attribute_id": created["id"], "archived": True}
    )

    default = await client.collect("list_data_attributes", {"model": "company"})
    everything = await client.collect(
        "list_data_attributes", {"model": "company", "include_archived": True}
    )
    assert "legacy" not in [attribute["name"] for attribute in default]
    assert "legacy" in [attribute["name"] for attribute in everything]


async def test_get_segment_reads_every_listed_segment(client: AsyncIntercomClient) -> None:
    listed = await client.collect("list_segments")

    fetched = [await client.call("get_segment", {"segment_id": s["id"]}) for s in listed]

    assert len(listed) >= 2
    assert fetched == listed


async def test_list_contact_segments_gives_the_segment_of_the_contacts_role(
    client: AsyncIntercomClient,
) -> None:
    lead = await client.call("create_contact", {"role": "lead", "email": "lead@new.example"})

    segments = await client.collect("list_contact_segments", {"contact_id": lead["id"]})

    assert [segment["name"] for segment in segments] == ["All leads"]


async def test_identify_admin_answers_with_the_first_listed_admin_and_the_workspace(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    me = await client.call("identify_admin")
    admins = await client.collect("list_admins")

    assert me["id"] == admins[0]["id"]
    assert me["app"]["id_code"] == target.state.workspace.id_code


async def test_get_admin_reads_a_listed_admin(client: AsyncIntercomClient) -> None:
    admins = await client.collect("list_admins")

    fetched = await client.call("get_admin", {"admin_id": int(admins[-1]["id"])})

    assert fetched == admins[-1]


async def test_get_admin_accepts_the_id_list_admins_returns(client: AsyncIntercomClient) -> None:
    admins = await client.collect("list_admins")

    fetched = await client.call("get_admin", {"admin_id": admins[-1]["id"]})

    assert fetched == admins[-1]


async def test_get_team_reads_every_listed_team(client: AsyncIntercomClient) -> None:
    teams = await client.collect("list_teams")

    fetched = [await client.call("get_team", {"team_id": team["id"]}) for team in teams]

    assert len(teams) == 2
    assert fetched == teams


# --- conversations -----------------------------------------------------------------------


async def start_conversation(client: AsyncIntercomClient, body: str) -> int:
    contact_id = await first_contact_id(client)
    message = await client.call(
        "create_conversation", {"from": {"type": "user", "id": contact_id}, "body": body}
    )
    return int(message["conversation_id"])


async def test_create_conversation_starts_one_get_conversation_can_read(
    client: AsyncIntercomClient,
) -> None:
    contact_id = await first_contact_id(client)

    message = await client.call(
        "create_conversation", {"from": {"type": "user", "id": contact_id}, "body": "Help"}
    )
    conversation = await client.call(
        "get_conversation", {"conversation_id": int(message["conversation_id"])}
    )

    assert conversation["source"]["body"] == "Help"
    assert ids(conversation["contacts"]["contacts"]) == [contact_id]
    assert conversation["conversation_parts"]["total_count"] == 0


async def test_get_conversation_accepts_the_id_list_conversations_returns(
    client: AsyncIntercomClient,
) -> None:
    listed = await client.call("list_conversations", {"per_page": 1})
    conversation_id = listed["conversations"][0]["id"]

    conversation = await client.call("get_conversation", {"conversation_id": conversation_id})

    assert conversation["id"] == conversation_id


async def test_reply_to_conversation_adds_an_admin_part(client: AsyncIntercomClient) -> None:
    conversation_id = await start_conversation(client, "Where is my invoice?")
    admin_id = await first_admin_id(client)

    await client.call(
        "reply_to_conversation",
        {
            "conversation_id": str(conversation_id),
            "message_type": "comment",
            "type": "admin",
            "admin_id": admin_id,
            "body": "Sent it again",
        },
    )

    conversation = await client.call("get_conversation", {"conversation_id": conversation_id})
    (part,) = conversation["conversation_parts"]["conversation_parts"]
    assert (part["part_type"], part["body"], part["author"]["id"]) == (
        "comment",
        "Sent it again",
        admin_id,
    )


async def test_assign_conversation_sets_the_admin_assignee(client: AsyncIntercomClient) -> None:
    conversation_id = await start_conversation(client, "Assign me")
    admins = await client.collect("list_admins")

    assigned = await client.call(
        "assign_conversation",
        {
            "conversation_id": str(conversation_id),
            "type": "admin",
            "admin_id": admins[0]["id"],
            "assignee_id": admins[1]["id"],
        },
    )

    assert assigned["admin_assignee_id"] == int(admins[1]["id"])


async def test_close_conversation_closes_it_and_open_conversation_reopens_it(
    client: AsyncIntercomClient,
) -> None:
    conversation_id = await start_conversation(client, "Close me")
    admin_id = await first_admin_id(client)
    acting = {"conversation_id": str(conversation_id), "admin_id": admin_id}

    closed = await client.call("close_conversation", {**acting, "type": "admin"})
    reopened = await client.call("open_conversation", acting)

    assert (closed["state"], closed["open"]) == ("closed", False)
    assert (reopened["state"], reopened["open"]) == ("open", True)


async def test_snooze_conversation_snoozes_it_until_the_time_given(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    conversation_id = await start_conversation(client, "Later")
    until = int(target.clock.now()) + 3600

    snoozed = await client.call(
        "snooze_conversation",
        {
            "conversation_id": str(conversation_id),
            "admin_id": await first_admin_id(client),
            "snoozed_until": until,
        },
    )

    assert (snoozed["state"], snoozed["snoozed_until"]) == ("snoozed", until)


async def test_list_conversations_follows_cursors_over_the_conversations_key(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    listed = ids(await client.collect("list_conversations", {"per_page": 5}))

    assert sorted(listed) == sorted(target.state.conversations)
    assert len(target.requests("GET", "/conversations")) == 3  # 12 conversations, 5 a page


async def test_search_conversations_pages_through_every_match(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    expected = [c.id for c in target.state.conversations.values() if c.state != "open"]
    query = {
        "operator": "OR",
        "value": [
            {"field": "state", "operator": "=", "value": "closed"},
            {"field": "state", "operator": "=", "value": "snoozed"},
        ],
    }

    found = ids(
        await client.collect(
            "search_conversations", {"query": query, "pagination": {"per_page": 2}}
        )
    )

    assert len(expected) > 2
    assert sorted(found) == sorted(expected)
    assert len(target.requests("POST", "/conversations/search")) == -(-len(expected) // 2)


# --- content export lifecycle ------------------------------------------------------------

EXPORT_RANGE = {"created_at_after": 1_700_000_000, "created_at_before": 1_735_689_600}


async def test_download_export_job_before_completion_reports_it_unfinished(
    target: SandboxTarget, tmp_path: Path
) -> None:
    async with target.client(download_dir=tmp_path) as client:
        job = await client.call("create_export_job", EXPORT_RANGE)
        result = await client.call("download_export_job", {"job_identifier": job["job_identifier"]})

    assert result == {
        "completedFlag": False,
        "status": "pending",
        "job_identifier": job["job_identifier"],
    }
    assert list(tmp_path.iterdir()) == []


async def test_download_export_job_after_completion_writes_a_gzip_csv(
    target: SandboxTarget, tmp_path: Path
) -> None:
    in_range = [
        c
        for c in target.state.contacts.listable()
        if EXPORT_RANGE["created_at_after"] <= c.created_at <= EXPORT_RANGE["created_at_before"]
    ]
    async with target.client(download_dir=tmp_path) as client:
        job = await client.call("create_export_job", EXPORT_RANGE)
        target.clock.advance(target.sandbox.config.export_seconds)
        result = await client.call("download_export_job", {"job_identifier": job["job_identifier"]})

    assert (result["completedFlag"], result["status"]) == (True, "completed")
    path = Path(result["file"]["path"])
    assert path.parent == tmp_path and path.stat().st_size == result["file"]["size"]
    rows = list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(in_range) > 0
    assert sorted(row[0] for row in rows[1:]) == sorted(
        target.state.contacts.id_of(c) for c in in_range
    )


async def test_a_second_export_while_one_is_active_is_rate_limited(
    target: SandboxTarget,
) -> None:
    async with target.client(retry=RetryPolicy.none()) as client:
        await client.call("create_export_job", EXPORT_RANGE)

        with pytest.raises(RateLimitExceeded):
            await client.call("create_export_job", EXPORT_RANGE)

    assert [r.status for r in target.requests("POST", "/export/content/data")] == [200, 429]


async def test_a_canceled_export_job_cannot_be_downloaded(
    target: SandboxTarget, tmp_path: Path
) -> None:
    async with target.client(download_dir=tmp_path) as client:
        job = await client.call("create_export_job", EXPORT_RANGE)
        canceled = await client.call("cancel_export_job", {"job_identifier": job["job_identifier"]})
        target.clock.advance(target.sandbox.config.export_seconds)

        with pytest.raises(ExportJobFailed) as raised:
            await client.call("download_export_job", {"job_identifier": job["job_identifier"]})

    assert canceled["status"] == "canceled"
    assert raised.value.code == "export_canceled"
    assert list(tmp_path.iterdir()) == []


# --- OAuth -------------------------------------------------------------------------------


async def test_a_token_from_the_oauth_flow_authorizes_client_calls(target: SandboxTarget) -> None:
    browser = ConsentBrowser(target.transport())
    endpoints = OAuthEndpoints.for_region("us", target.base_url)

    token = await authorize(
        endpoints, SANDBOX_APP, opener=browser.open, timeout=10, transport=target.transport()
    )

    assert browser.landing_statuses == [200]
    assert token in target.state.issued_tokens
    async with target.client(token) as client:
        me = await client.call("identify_admin")
        contacts = ids(await client.collect("list_contacts"))
    assert me["type"] == "admin"
    assert sorted(contacts) == sorted(target.listable_contact_ids())


async def test_an_unknown_token_is_refused_with_an_authentication_error(
    target: SandboxTarget,
) -> None:
    async with target.client("sbx_never_issued") as client:
        with pytest.raises(AuthenticationError):
            await client.call("identify_admin")


# --- realism knobs -----------------------------------------------------------------------


async def test_error_rate_faults_are_retried_and_the_listing_yields_every_contact_once(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    target.configure(error_rate=0.3)

    listed = ids(await client.collect("list_contacts", {"per_page": 5}))

    assert sorted(listed) == sorted(target.listable_contact_ids())
    statuses = [r.status for r in target.requests("GET", "/contacts")]
    assert any(status is not None and status >= 500 for status in statuses)


async def test_dropped_connections_on_gets_are_retried_and_the_listing_yields_every_contact_once(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    target.configure(drop_rate=0.3)

    listed = ids(await client.collect("list_contacts", {"per_page": 5}))

    assert sorted(listed) == sorted(target.listable_contact_ids())
    assert None in [r.status for r in target.requests("GET", "/contacts")]


async def test_rate_limited_requests_wait_for_the_next_window_and_the_listing_completes(
    target: SandboxTarget,
) -> None:
    target.configure(rate_limit=3)
    window = target.sandbox.config.rate_limit_window_seconds
    waits: list[dict[str, Any]] = []

    def time_passes_while_the_client_waits(event: dict[str, Any]) -> None:
        if event["event"] == "retry":
            waits.append(event)
            target.clock.advance(window)

    async with target.client(on_event=time_passes_while_the_client_waits) as client:
        listed = ids(await client.collect("list_contacts", {"per_page": 5}))

    assert sorted(listed) == sorted(target.listable_contact_ids())
    limited = [r for r in target.requests("GET", "/contacts") if r.status == 429]
    assert len(limited) == len(waits) > 0
    assert all("429" in event["reason"] for event in waits)


async def test_rate_limit_headers_are_visible_through_raw(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    target.configure(rate_limit=50)

    reply = await client.raw("GET", "/me")

    headers = {name.lower(): value for name, value in reply["headers"].items()}
    assert reply["status_code"] == 200
    assert (headers["x-ratelimit-limit"], headers["x-ratelimit-remaining"]) == ("50", "49")
    assert int(headers["x-ratelimit-reset"]) > target.clock.now()


async def test_a_fixed_latency_shows_in_the_request_log_durations(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    target.configure(latency=0.02)

    await client.call("identify_admin")

    (record,) = target.requests("GET", "/me")
    assert record.duration_ms >= 19.0


LOST_REPLIES = {
    "server_error": ({"error_rate": 1.0, "error_statuses": (500,)}, ServerError),
    "dropped_connection": ({"drop_rate": 1.0}, ConnectionFailed),
}


@pytest.mark.parametrize("fault", sorted(LOST_REPLIES))
async def test_a_create_whose_reply_is_lost_after_the_write_is_not_sent_again(
    target: SandboxTarget, client: AsyncIntercomClient, fault: str
) -> None:
    knobs, error = LOST_REPLIES[fault]
    target.configure(fault_timing="after", **knobs)

    with pytest.raises(error):
        await client.call("create_contact", {"role": "lead", "name": "Written once"})

    assert len(target.requests("POST", "/contacts")) == 1
    written = [c for c in target.state.contacts.records() if c.name == "Written once"]
    assert len(written) == 1


async def test_a_lost_create_reply_is_settled_by_its_email_without_a_second_create(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    target.sandbox.inject(500, method="POST", path="/contacts", timing="after")

    created = await client.call("create_contact", {"email": "once@new.example"})

    assert created["email"] == "once@new.example"
    assert len(target.requests("POST", "/contacts")) == 1
    written = [c for c in target.state.contacts.records() if c.email == "once@new.example"]
    assert [target.state.contacts.id_of(c) for c in written] == [created["id"]]


async def test_a_503_on_a_retry_safe_get_is_retried(
    target: SandboxTarget, client: AsyncIntercomClient
) -> None:
    contact_id = target.listable_contact_ids()[0]
    target.sandbox.inject(503, method="GET", path=f"/contacts/{contact_id}")

    fetched = await client.call("get_contact", {"contact_id": contact_id})

    assert fetched["id"] == contact_id
    assert [r.status for r in target.requests("GET", f"/contacts/{contact_id}")] == [503, 200]


# --- the blocking client -----------------------------------------------------------------


def test_the_blocking_client_lists_every_contact_over_the_same_transport(
    target: SandboxTarget,
) -> None:
    with target.blocking_client() as client:
        listed = ids(client.collect("list_contacts", {"per_page": 9}))

    assert sorted(listed) == sorted(target.listable_contact_ids())
    assert len(target.requests("GET", "/contacts")) == 4  # 30 contacts, 9 a page
