"""Inputs are checked before any request, with messages naming operation and field."""

from __future__ import annotations

import pytest

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.validation import InvalidInput


def prepare(name, data):
    catalog = load_catalog()
    return catalog.validator.prepare(catalog.get(name), data)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("list_attached_companies", {}, "contact_id: required field is missing (expected string)"),
        ("list_attached_companies", {"contactid": "1"}, "did you mean 'contact_id'"),
        ("list_contacts", {"per_page": 500}, "per_page: 500 breaks maximum 150"),
        ("list_contacts", {"per_page": "ten"}, "per_page: expected integer, got 'ten'"),
        ("create_export_job", {"created_at_after": 1}, "created_at_before: required field"),
        ("scroll_companies", [], "input must be an object of fields, got list"),
        ("assign_conversation", {"message_type": "close"}, "message_type: is set by"),
        ("search_contacts", {"query": "role=user"}, "query:"),
    ],
)
def test_invalid_input_is_reported_with_operation_and_field(name, data, expected):
    with pytest.raises(InvalidInput) as raised:
        prepare(name, data)
    message = str(raised.value)
    assert message.startswith(f"invalid input for {name}: ")
    assert expected in message


def test_numbers_are_accepted_for_string_path_fields():
    assert prepare("get_contact", {"contact_id": 42}) == {"contact_id": "42"}


def test_valid_input_passes_unchanged():
    data = {"created_at_after": 1, "created_at_before": 2}
    assert prepare("create_export_job", data) == data


def test_body_with_alternative_shapes_names_what_each_needs():
    with pytest.raises(InvalidInput) as raised:
        prepare(
            "reply_to_conversation",
            {"conversation_id": "1", "message_type": "comment", "type": "admin", "body": "hi"},
        )
    assert "admin_id" in str(raised.value)
