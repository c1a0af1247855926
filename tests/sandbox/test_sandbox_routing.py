"""Route matching from catalog templates, and the 404/405 answers around it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox.routing import MethodNotAllowed, Router


def test_literal_segment_beats_template_whatever_the_order() -> None:
    router: Router[str] = Router()
    router.add("POST", "/contacts/{contact_id}", "by id")
    router.add("POST", "/contacts/search", "search")
    match = router.match("POST", "/contacts/search")
    assert match is not None and match.target == "search"


def test_template_variables_are_captured_by_name() -> None:
    router: Router[str] = Router()
    router.add("DELETE", "/contacts/{contact_id}/tags/{tag_id}", "detach")
    match = router.match("DELETE", "/contacts/abc/tags/42")
    assert match is not None and match.params == {"contact_id": "abc", "tag_id": "42"}


def test_literal_branch_without_the_method_falls_back_to_the_template() -> None:
    router: Router[str] = Router()
    router.add("POST", "/contacts/search", "search")
    router.add("GET", "/contacts/{contact_id}", "get")
    match = router.match("GET", "/contacts/search")
    assert match is not None and match.params == {"contact_id": "search"}


def test_path_known_only_for_other_methods_is_method_not_allowed() -> None:
    router: Router[str] = Router()
    router.add("GET", "/tags", "list")
    router.add("POST", "/tags", "create")
    with pytest.raises(MethodNotAllowed) as raised:
        router.match("PATCH", "/tags")
    assert raised.value.allowed == ["GET", "POST"]


@given(st.text(alphabet="abcdef0123456789-_", min_size=1, max_size=30))
def test_any_segment_value_round_trips_through_a_template(value: str) -> None:
    router: Router[str] = Router()
    router.add("GET", "/notes/{note_id}", "note")
    match = router.match("GET", f"/notes/{value}")
    assert match is not None and match.params == {"note_id": value}


async def test_unknown_route_is_404_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/thing")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


async def test_wrong_method_is_405_with_allow_header(client: httpx.AsyncClient) -> None:
    response = await client.patch("/tags")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
    assert response.json()["type"] == "error.list"
