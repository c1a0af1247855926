"""Listing 20,000 contacts through the fault mix loses and repeats nothing.

In-process: the client is mounted on the sandbox's ASGI app (no socket); a dropped
connection is the sandbox raising httpx's own RemoteProtocolError, as a socket would.
"""

from __future__ import annotations

from fault_kit import SERVER_ERRORS, client_for, faults_met, faulty_sandbox

CONTACTS = 20_000


async def test_listing_20000_contacts_under_faults_returns_each_id_exactly_once():
    sandbox = faulty_sandbox(
        seed=20, contacts=CONTACTS, companies=0, conversations=0, notes=0, events=0
    )
    async with client_for(sandbox) as client:
        ids = [record["id"] async for record in client.iterate("list_contacts", {"per_page": 150})]

    assert len(ids) == CONTACTS
    assert len(set(ids)) == CONTACTS
    met = faults_met(sandbox)
    assert met["429"] > 0 and met["drop"] > 0
    assert sum(met[str(status)] for status in SERVER_ERRORS) > 0
