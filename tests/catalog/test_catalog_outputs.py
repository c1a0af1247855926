"""outputs.json: the committed reply shapes match the spec, and hold facts only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intercom_connector.catalog import generator, output_generator
from intercom_connector.catalog.outputs import load_outputs, output_rows
from intercom_connector.catalog.registry import load_catalog

SPEC = Path(__file__).resolve().parents[2].parent / "shared/intercom-openapi/api.intercom.io.yaml"
needs_spec = pytest.mark.skipif(not SPEC.is_file(), reason="../shared/intercom-openapi absent")
OUTPUTS = generator.DATA_DIR / "outputs.json"


@needs_spec
def test_regenerating_outputs_gives_the_committed_file():
    catalog, schemas = generator.build(SPEC)
    expected = generator.render(output_generator.build(catalog, schemas))
    assert OUTPUTS.read_text(encoding="utf-8") == expected, (
        "outputs.json drifted from the spec: run `make catalog` and commit"
    )


def test_every_operation_has_an_output_shape():
    outputs = load_outputs()
    assert set(outputs.operations) == {op.name for op in load_catalog()}


def test_shapes_keep_only_types_fields_and_enums():
    allowed = set(output_generator.KEPT_KEYS)

    def walk(node, inside_properties=False):
        if isinstance(node, dict):
            for key, value in node.items():
                if not inside_properties:
                    assert key in allowed, key
                walk(value, inside_properties=(key == "properties" and not inside_properties))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    document = json.loads(OUTPUTS.read_text(encoding="utf-8"))
    for entry in document["operations"].values():
        walk(entry["schema"])
    for shape in [*document["$defs"].values(), *document["steps"].values()]:
        walk(shape)


def test_every_reference_in_the_shapes_has_its_definition():
    text = OUTPUTS.read_text(encoding="utf-8")
    definitions = json.loads(text)["$defs"]
    for name in {part.split('"')[0] for part in text.split('"#/$defs/')[1:]}:
        assert name in definitions, name


def test_list_contacts_reply_holds_contacts_under_data():
    outputs = load_outputs()
    reply = outputs.resolve(outputs.reply("list_contacts"))
    items = outputs.resolve(reply["properties"]["data"]["items"])
    assert items["properties"]["id"] == {"type": "string"}


def test_all_pages_output_holds_every_record_under_the_list_key():
    outputs = load_outputs()
    shape = outputs.all_pages("list_attached_companies", "companies")
    assert set(shape["properties"]) == {"type", "total_count", "companies"}
    assert shape["properties"]["companies"]["items"] == {"$ref": "#/$defs/company"}


def test_download_export_job_keeps_expires_a_number():
    file = load_outputs().reply("download_export_job")["properties"]["file"]
    assert file["properties"]["expires"] == {"type": ["integer", "null"]}


def test_raw_http_request_answers_status_headers_and_an_open_body():
    reply = load_outputs().reply("raw_http_request")
    assert set(reply["properties"]) == {"status_code", "headers", "body"}
    assert reply["properties"]["body"] == {}


def test_output_rows_list_nested_fields_with_enums():
    rows = {
        path: (label, allowed)
        for path, label, allowed in output_rows(load_outputs(), "download_export_job")
    }
    assert rows["file.expires"] == ("integer?", "")
    assert rows["status"][1] == "pending, in_progress, completed, no_data"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1734537776", 1734537776),
        ("", None),
        (None, None),
        (1734537776, 1734537776),
        ("2024-12-18T16:02:56Z", 1734537776),
        ("soon", None),
    ],
)
def test_export_expiry_is_read_as_unix_seconds(value, seconds):
    from intercom_connector.catalog.composite import unix_seconds

    assert unix_seconds(value) == seconds


async def test_a_downloaded_export_fits_its_declared_shape(tmp_path):
    from jsonschema import Draft202012Validator

    from intercom_connector.catalog.client import AsyncIntercomClient
    from intercom_connector.httpx_lib import httpx
    from intercom_connector.sandbox import Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(export_seconds=0, rate_limit=None))
    transport = httpx.ASGITransport(app=sandbox.app)
    async with AsyncIntercomClient(
        sandbox.token, base_url="http://sandbox.test", transport=transport, download_dir=tmp_path
    ) as client:
        job = await client.call(
            "create_export_job",
            {"created_at_after": 1_700_000_000, "created_at_before": 1_800_000_000},
        )
        done = await client.call("download_export_job", {"job_identifier": job["job_identifier"]})
    shape = load_outputs().reply("download_export_job")
    assert list(Draft202012Validator(shape).iter_errors(done)) == []
    assert done["completedFlag"] is True


@pytest.mark.parametrize(
    "name",
    ["list_contacts", "identify_admin", "list_conversations", "list_companies", "list_tags"],
)
async def test_the_sandbox_replies_fit_the_declared_output_shapes(name):
    from jsonschema import Draft202012Validator

    from intercom_connector.catalog.client import AsyncIntercomClient
    from intercom_connector.httpx_lib import httpx
    from intercom_connector.sandbox import Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(rate_limit=None))
    transport = httpx.ASGITransport(app=sandbox.app)
    async with AsyncIntercomClient(
        sandbox.token, base_url="http://sandbox.test", transport=transport
    ) as client:
        reply = await client.call(name)
    outputs = load_outputs()
    validator = Draft202012Validator({**outputs.reply(name), "$defs": outputs.definitions})
    assert [error.message for error in validator.iter_errors(reply)] == []
