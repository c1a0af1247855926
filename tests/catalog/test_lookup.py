"""Operations are found by every name people use for them."""

from __future__ import annotations

import pytest

from intercom_connector.catalog.registry import UnknownOperation, load_catalog


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("list_contacts", "list_contacts"),
        ("List contacts", "list_contacts"),
        ("ListContacts", "list_contacts"),
        ("List all contacts", "list_contacts"),
        ("List attached companies", "list_attached_companies"),
        ("listCompaniesForAContact", "list_attached_companies"),
        ("Archive contact", "archive_contact"),
        ("Assign conversation", "assign_conversation"),
        ("Attach contact to company", "attach_contact_to_company"),
        ("Attach tag to contact", "attach_tag_to_contact"),
        ("Create export job", "create_export_job"),
        ("Download export job", "download_export_job"),
        ("Raw HTTP request", "raw_http_request"),
        ("Search contacts", "search_contacts"),
        ("Submit data event", "submit_data_event"),
        ("list-attached-companies", "list_attached_companies"),
        ("GET /export/reporting_data/get_datasets", "list_reporting_datasets"),
    ],
)
def test_lookup_accepts_names_ids_and_display_names(spelling, name):
    assert load_catalog().get(spelling).name == name


def test_unknown_name_suggests_the_closest_operations():
    with pytest.raises(UnknownOperation) as raised:
        load_catalog().get("list_contact")
    assert "list_contacts" in raised.value.suggestions
    assert "did you mean" in str(raised.value)


def test_typo_in_display_name_still_gets_suggestions():
    with pytest.raises(UnknownOperation) as raised:
        load_catalog().get("List atached companys")
    assert raised.value.suggestions[0] == "list_attached_companies"


def test_search_filters_by_tag_and_text():
    catalog = load_catalog()
    tagged = catalog.search(tag="Data Export")
    assert {op.name for op in tagged} >= {"create_export_job", "download_export_job"}
    assert all("Data Export" in op.tags for op in tagged)
    assert {op.name for op in catalog.search(text="scroll")} == {"scroll_companies"}
