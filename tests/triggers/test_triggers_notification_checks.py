"""The byte-level shortcut of the notification checks never changes a verdict."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from intercom_connector.workflow.triggers import MalformedNotification, parse_notification
from intercom_connector.workflow.triggers.notifications import MAX_NESTING, TopicRoutes

texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8) | st.sampled_from(
    ["\ud800", "\udfff", "\U0001f600", "{[", "\\ud83d"]
)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=30,
)


def _nested(depth: int, inner: object) -> object:
    for _ in range(depth):
        inner = [inner]
    return inner


def _verdict(item: object) -> str:
    body = json.dumps(
        {"type": "notification_event", "id": "notif_1", "topic": "t", "data": {"item": item}}
    ).encode()
    try:
        parse_notification(body)
    except MalformedNotification as refused:
        return str(refused).split(" (")[0]
    return "accepted"


def _expected(item: object, depth: int = 3) -> str:
    """What the rules say, walked here independently: nesting, then lone surrogates."""
    if isinstance(item, dict | list):
        if depth > MAX_NESTING:
            return f"the body nests deeper than {MAX_NESTING} levels"
        children = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
        for key, child in children:
            for verdict in (_expected(key, depth), _expected(child, depth + 1)):
                if verdict != "accepted":
                    return verdict
    if isinstance(item, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in item):
        return "the body holds a lone surrogate"
    return "accepted"


@settings(max_examples=300, deadline=None)
@given(item=values, depth=st.integers(min_value=0, max_value=70))
def test_a_notification_is_refused_exactly_when_the_rules_say(item, depth):
    nested = _nested(depth, item)
    expected = _expected(nested)
    if expected != "accepted":  # which rule a body breaks first is not promised
        assert _verdict(nested) != "accepted"
    else:
        assert _verdict(nested) == "accepted"


def test_a_lone_surrogate_among_few_brackets_is_refused():
    assert _verdict("\ud800") == "the body holds a lone surrogate"


def test_nesting_one_past_the_bound_is_refused():
    assert _verdict(_nested(MAX_NESTING - 2, 1)) == "accepted"
    assert _verdict(_nested(MAX_NESTING - 1, 1)).startswith("the body nests deeper")


def test_remembered_routes_answer_like_the_patterns():
    routes = TopicRoutes.of([("a", ["contact.*.created"]), ("b", ["*"])])
    for _ in range(2):
        assert routes.workflows_for("contact.user.created") == ["a", "b"]
        assert routes.workflows_for("conversation.user.created") == ["b"]
