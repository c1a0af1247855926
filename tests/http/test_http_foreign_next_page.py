"""A next-page link that leaves the configured base URL's origin stops the listing.

Following it would merge another server's records into the output (the token is not sent
there, but the records are not Intercom's). Each case is a link and the error it must give;
the foreign host is never asked.
"""

from __future__ import annotations

import pytest
from http_fakes import BASE_URL, ScriptedServer, json_reply

from intercom_connector.http import PaginationError, RequestSpec

NEXT_URL = {"style": "next_url", "items": "events"}

FOREIGN_LINKS: list[tuple[str, str, str]] = [
    ("other-host", "https://evil.example/events?next=2", "leaves https://api.intercom.test"),
    ("other-scheme", "http://api.intercom.test/events?next=2", "leaves https://api.intercom.test"),
    ("other-port", "https://api.intercom.test:8443/events", "leaves https://api.intercom.test"),
    ("scheme-relative", "//evil.example/events", "leaves https://api.intercom.test"),
    ("user-info-trick", "https://api.intercom.test@evil.example/x", "leaves"),
    ("not-a-url", "https://[::1/events", "is not a URL"),
]


@pytest.mark.parametrize(
    ("link", "message"),
    [case[1:] for case in FOREIGN_LINKS],
    ids=[case[0] for case in FOREIGN_LINKS],
)
async def test_a_foreign_next_link_stops_the_listing(make_client, link, message) -> None:
    first = {"events": [{"id": "1"}], "pages": {"next": link}}
    server = ScriptedServer([json_reply(body=first), json_reply(body={"events": [{"id": "x"}]})])
    seen = []
    async with make_client(server.transport) as client:
        with pytest.raises(PaginationError, match=message) as stopped:
            async for record in client.iterate(RequestSpec("GET", "/events"), NEXT_URL):
                seen.append(record["id"])
    assert seen == ["1"]
    assert [str(request.url) for request in server.requests] == [f"{BASE_URL}/events"]
    assert "the listing stopped there" in str(stopped.value) or "not a URL" in str(stopped.value)


@pytest.mark.parametrize(
    "link", ["/events?next=2", f"{BASE_URL}/events?next=2", "https://API.intercom.test/events"]
)
async def test_links_on_the_same_origin_are_followed(make_client, link) -> None:
    first = {"events": [{"id": "1"}], "pages": {"next": link}}
    server = ScriptedServer([json_reply(body=first), json_reply(body={"events": [{"id": "2"}]})])
    async with make_client(server.transport) as client:
        ids = [r["id"] async for r in client.iterate(RequestSpec("GET", "/events"), NEXT_URL)]
    assert ids == ["1", "2"]
