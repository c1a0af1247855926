"""The committed version facts match Intercom's descriptions of every version."""

from __future__ import annotations

from pathlib import Path

import pytest

from intercom_connector.catalog import generator, versions, versions_generator

SPEC = Path(__file__).resolve().parents[2].parent / "shared/intercom-openapi/api.intercom.io.yaml"


@pytest.mark.skipif(not (SPEC.parent / "versions").is_dir(), reason="../shared versions absent")
def test_regenerating_the_version_facts_gives_the_committed_file() -> None:
    committed = (generator.DATA_DIR / versions_generator.VERSIONS_FILE).read_text(encoding="utf-8")
    assert committed == generator.render(versions_generator.build(SPEC)), (
        "versions.json drifted from the descriptions: run `make catalog` and commit"
    )


def test_every_described_version_is_known_in_order() -> None:
    known = versions.known_versions()
    assert known[0] == "2.7" and known[-2:] == ("2.16", "Preview")
    assert versions.latest() == "2.16"


def test_an_operation_exists_from_the_version_it_appeared_in() -> None:
    assert versions.since("list_contacts") == "2.7"
    newest = versions.since("list_data_connectors")
    assert newest is not None and newest != "2.7"
    assert versions.exists_in("list_data_connectors", "2.16")
    assert not versions.exists_in("list_data_connectors", "2.7")


def test_owner_id_was_an_integer_before_2_16() -> None:
    assert versions.field_rules("create_contact", "2.14")["owner_id"]["type"] == "integer"
    assert versions.field_rules("create_contact", "2.16") == {}
