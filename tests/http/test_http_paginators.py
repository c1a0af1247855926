import pytest

from intercom_connector.http import (
    PAGINATORS,
    CursorPaginator,
    NextUrlPaginator,
    PagePaginator,
    PaginationError,
    PaginationSpec,
    RequestSpec,
    ScrollPaginator,
    SearchBodyPaginator,
    make_paginator,
)

VALID_SPECS = [
    ({"style": "cursor", "items": "data"}, CursorPaginator),
    (
        {
            "style": "cursor",
            "items": "data",
            "cursor_param": "cursor",
            "next_cursor": "next_cursor",
        },
        CursorPaginator,
    ),
    ({"style": "page", "items": "activity_logs", "in_body": True}, PagePaginator),
    ({"style": "scroll", "items": "data"}, ScrollPaginator),
    ({"style": "search_body", "items": "data", "per_page_max": 150}, SearchBodyPaginator),
    ({"style": "next_url", "items": "events"}, NextUrlPaginator),
]

INVALID_SPECS = [
    ({"style": "offset", "items": "data"}, "unknown pagination style 'offset'"),
    ({"items": "data"}, "missing: style"),
    ({"style": "cursor"}, "missing: items"),
    (
        {"style": "cursor", "items": "data", "cursor_parm": "x"},
        "unknown pagination keys: cursor_parm",
    ),
]


@pytest.mark.parametrize(("data", "cls"), VALID_SPECS)
def test_catalog_pagination_dicts_make_their_paginator(data, cls):
    assert type(make_paginator(PaginationSpec.from_dict(data))) is cls


@pytest.mark.parametrize(("data", "message"), INVALID_SPECS)
def test_invalid_pagination_dicts_are_refused_with_the_reason(data, message):
    with pytest.raises(ValueError, match=message):
        PaginationSpec.from_dict(data)


def test_registry_covers_the_five_styles():
    assert set(PAGINATORS) == {"cursor", "page", "scroll", "search_body", "next_url"}


def test_make_paginator_accepts_the_plain_dict():
    assert isinstance(make_paginator({"style": "cursor", "items": "data"}), CursorPaginator)


def test_each_walk_gets_a_fresh_paginator():
    spec = PaginationSpec("cursor", "data")
    first, second = make_paginator(spec), make_paginator(spec)
    request = RequestSpec("GET", "/contacts")
    reply = {"data": [], "pages": {"next": {"starting_after": "abc"}}}
    first.next(request, reply)
    assert second.next(request, reply) is not None


def test_cursor_goes_in_the_query_and_keeps_other_params():
    paginator = make_paginator(PaginationSpec("cursor", "data"))
    request = RequestSpec("GET", "/contacts", params={"per_page": 5})
    following = paginator.next(request, {"pages": {"next": {"starting_after": "abc"}}})
    assert following.params == {"per_page": 5, "starting_after": "abc"}
    assert request.params == {"per_page": 5}


def test_cursor_asks_for_the_largest_page_when_the_caller_did_not_choose():
    paginator = make_paginator(PaginationSpec("cursor", "data", per_page_max=150))
    assert paginator.first(RequestSpec("GET", "/contacts")).params == {"per_page": 150}
    chosen = RequestSpec("GET", "/contacts", params={"per_page": 7})
    assert paginator.first(chosen).params == {"per_page": 7}


def test_a_cursor_seen_twice_raises():
    paginator = make_paginator(PaginationSpec("cursor", "data"))
    request = RequestSpec("GET", "/contacts")
    reply = {"pages": {"next": {"starting_after": "abc"}}}
    paginator.next(request, reply)
    with pytest.raises(PaginationError, match="'abc' twice"):
        paginator.next(request, reply)


def test_the_callers_starting_cursor_counts_as_seen():
    paginator = make_paginator(PaginationSpec("cursor", "data"))
    request = paginator.first(RequestSpec("GET", "/contacts", params={"starting_after": "abc"}))
    with pytest.raises(PaginationError):
        paginator.next(request, {"pages": {"next": {"starting_after": "abc"}}})


def test_page_stops_at_total_pages():
    paginator = make_paginator(PaginationSpec("page", "data"))
    request = RequestSpec("GET", "/companies", params={"page": 3})
    assert paginator.next(request, {"data": [1], "pages": {"page": 3, "total_pages": 3}}) is None


def test_page_stops_on_an_empty_page():
    paginator = make_paginator(PaginationSpec("page", "data"))
    assert paginator.next(RequestSpec("GET", "/calls"), {"data": []}) is None


def test_page_in_body_leaves_the_query_alone():
    paginator = make_paginator(PaginationSpec("page", "activity_logs", in_body=True))
    request = RequestSpec("POST", "/search", json={"per_page": 2, "event_types": ["x"]})
    following = paginator.next(request, {"activity_logs": [1], "pages": {"total_pages": 5}})
    assert following.json == {"per_page": 2, "event_types": ["x"], "page": 2}
    assert following.params == {}


def test_scroll_repeats_its_param_without_tripping_the_cursor_guard():
    paginator = make_paginator(PaginationSpec("scroll", "data"))
    request = RequestSpec("GET", "/companies/scroll")
    reply = {"data": [1], "scroll_param": "s-1"}
    assert paginator.next(request, reply).params == {"scroll_param": "s-1"}
    assert paginator.next(request, reply).params == {"scroll_param": "s-1"}


def test_scroll_stops_on_empty_data():
    paginator = make_paginator(PaginationSpec("scroll", "data"))
    reply = {"data": [], "scroll_param": "s-1"}
    assert paginator.next(RequestSpec("GET", "/companies/scroll"), reply) is None


def test_search_keeps_the_callers_per_page_and_query():
    paginator = make_paginator(PaginationSpec("search_body", "data", per_page_max=150))
    body = {
        "query": {"field": "role", "operator": "=", "value": "user"},
        "pagination": {"per_page": 3},
    }
    request = paginator.first(RequestSpec("POST", "/contacts/search", json=body))
    following = paginator.next(request, {"pages": {"next": {"starting_after": "abc"}}})
    assert following.json == {
        "query": body["query"],
        "pagination": {"per_page": 3, "starting_after": "abc"},
    }
    assert following.params == {}


def test_search_fills_per_page_when_absent():
    paginator = make_paginator(PaginationSpec("search_body", "data", per_page_max=150))
    request = paginator.first(RequestSpec("POST", "/contacts/search", json={"query": {}}))
    assert request.json == {"query": {}, "pagination": {"per_page": 150}}


def test_next_url_is_fetched_as_given_with_a_get():
    paginator = make_paginator(PaginationSpec("next_url", "events"))
    request = RequestSpec("GET", "/events", params={"type": "user", "user_id": "1"})
    following = paginator.next(request, {"pages": {"next": "https://h/events?next=2"}})
    assert (following.method, following.url, following.params) == (
        "GET",
        "https://h/events?next=2",
        {},
    )


def test_next_url_that_is_not_a_link_raises():
    paginator = make_paginator(PaginationSpec("next_url", "events"))
    with pytest.raises(PaginationError, match="should be a URL"):
        paginator.next(RequestSpec("GET", "/events"), {"pages": {"next": {"page": 2}}})


@pytest.mark.parametrize("reply", [{}, {"data": "oops"}])
def test_items_refuses_a_reply_without_its_list(reply):
    with pytest.raises(PaginationError):
        make_paginator(PaginationSpec("cursor", "data")).items(reply)


def test_items_treats_null_as_empty():
    assert make_paginator(PaginationSpec("scroll", "data")).items({"data": None}) == []
