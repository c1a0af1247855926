"""The committed catalog matches the pinned spec and covers every operation."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from intercom_connector.catalog import data_files, generator
from intercom_connector.catalog.registry import load_catalog

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SPEC = SHARED / "intercom-openapi" / "api.intercom.io.yaml"
OPERATIONS_TSV = SHARED / "reference" / "intercom-operations-2.16.tsv"
needs_spec = pytest.mark.skipif(not SPEC.is_file(), reason="../shared/intercom-openapi absent")


@needs_spec
def test_regenerating_the_catalog_gives_the_committed_files():
    catalog, schemas = generator.build(SPEC)
    data = generator.DATA_DIR
    assert (data / "catalog.json").read_text(encoding="utf-8") == generator.render(catalog), (
        "catalog.json drifted from the spec or curation: run `make catalog` and commit"
    )
    assert (data / "schemas.json").read_text(encoding="utf-8") == generator.render(schemas)


@needs_spec
def test_catalog_pins_the_spec_version_and_hash():
    catalog = load_catalog()
    assert catalog.spec_version == "2.16"
    assert catalog.spec_sha256 == hashlib.sha256(SPEC.read_bytes()).hexdigest()


@needs_spec
def test_every_operation_of_the_spec_is_in_the_catalog():
    with OPERATIONS_TSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 231
    routes = {(op.method, op.path) for op in load_catalog() if op.kind == "spec"}
    assert routes == {(row["method"], row["path"]) for row in rows}


def test_composite_and_variant_operations_are_present():
    names = {op.name for op in load_catalog()}
    assert {"download_export_job", "raw_http_request", "assign_conversation"} <= names


def test_every_composite_operation_and_only_those_have_an_implementation():
    from intercom_connector.catalog.composite import COMPOSITES

    assert set(COMPOSITES) == {op.name for op in load_catalog() if op.kind == "composite"}


def test_names_are_unique_snake_case():
    names = [op.name for op in load_catalog()]
    assert len(names) == len(set(names))
    assert all(name.replace("_", "").isalnum() and name == name.lower() for name in names)


def test_no_prose_or_examples_are_committed():
    text = (generator.DATA_DIR / "schemas.json").read_text(encoding="utf-8")
    document = json.loads(text)

    def walk(node, inside_properties=False):
        if isinstance(node, dict):
            for key, value in node.items():
                if not inside_properties:
                    assert key not in ("description", "example", "examples"), key
                walk(value, inside_properties=(key == "properties" and not inside_properties))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    walk(json.loads((generator.DATA_DIR / "catalog.json").read_text(encoding="utf-8")))


def test_every_operation_declares_a_known_scope():
    catalog = load_catalog()
    for op in catalog:
        if op.name in ("raw_http_request", "identify_admin"):
            assert op.scope is None
            continue
        assert op.scope in catalog.scopes, op.name


@pytest.mark.parametrize(
    ("name", "style", "items"),
    [
        ("list_contacts", "cursor", "data"),
        ("list_companies", "page", "data"),
        ("scroll_companies", "scroll", "data"),
        ("search_contacts", "search_body", "data"),
        ("search_conversations", "search_body", "conversations"),
        ("list_data_events", "next_url", "events"),
        ("list_conversations", "cursor", "conversations"),
        ("get_contact", "none", None),
        ("list_attached_companies", "page", "companies"),
    ],
)
def test_pagination_style_and_list_key(name, style, items):
    op = load_catalog().get(name)
    assert op.pagination_style == style
    assert op.list_key == items


def test_retry_safety_follows_idempotence():
    catalog = load_catalog()
    assert catalog.get("list_contacts").retry_safe
    assert catalog.get("search_contacts").retry_safe
    assert not catalog.get("create_contact").retry_safe
    assert not catalog.get("reply_to_conversation").retry_safe


def test_input_schema_merges_path_query_and_body_fields():
    op = load_catalog().get("search_conversations")
    locations = {field.name: field.location for field in op.fields}
    assert locations["query"] == "body"
    assert locations["include_monitors"] == "query"
    op = load_catalog().get("list_attached_companies")
    assert [(f.name, f.location, f.required) for f in op.fields] == [
        ("contact_id", "path", True),
        ("page", "query", False),
        ("per_page", "query", False),
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in generator.DATA_DIR.glob("*.json")))
def test_every_packaged_file_reads_the_same_with_orjson_as_with_json(name):
    # data_files reads them by orjson when installed: no integer beyond 64 bits (which
    # orjson would round) and no NaN may creep into a generated file unnoticed.
    orjson = pytest.importorskip("orjson")
    text = (generator.DATA_DIR / name).read_bytes()
    assert data_files.decode(text) == orjson.loads(text) == json.loads(text)
