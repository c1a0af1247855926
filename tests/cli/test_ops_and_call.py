"""The CLI: browsing operations, calling them, raw requests, output formats, exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


def test_ops_list_json_shows_every_operation(cli):
    result = cli("ops", "list", "--output", "json")
    assert result.exit_code == 0
    names = {op["name"] for op in json.loads(result.stdout)}
    assert len(names) == 237
    assert {"list_contacts", "download_export_job", "raw_http_request"} <= names


def test_ops_list_filters_by_tag(cli):
    result = cli("ops", "list", "--tag", "Data Export", "--output", "json")
    assert {op["name"] for op in json.loads(result.stdout)} >= {"create_export_job"}


def test_ops_show_prints_the_output_fields(cli):
    result = cli("ops", "show", "Download export job")
    assert result.exit_code == 0
    assert "output fields" in result.stdout
    assert "file.expires" in result.stdout and "integer?" in result.stdout


def test_ops_show_json_carries_the_output_schema(cli):
    result = cli("ops", "show", "list_contacts", "--output", "json")
    assert json.loads(result.stdout)["output_schema"] == {"$ref": "#/$defs/contact_list"}


def test_ops_show_prints_the_input_fields(cli):
    result = cli("ops", "show", "List attached companies")
    assert result.exit_code == 0
    assert "list_attached_companies" in result.stdout
    assert "contact_id" in result.stdout
    assert "/contacts/{contact_id}/companies" in result.stdout


def test_unknown_operation_exits_2_with_suggestions(cli):
    result = cli("call", "list_contact", "--sandbox")
    assert result.exit_code == 2
    assert "did you mean" in result.stderr
    assert "list_contacts" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_input_exits_2_naming_the_field(cli):
    result = cli("call", "list_contacts", "-p", "per_page=900", "--sandbox")
    assert result.exit_code == 2
    assert "per_page" in result.stderr


def test_missing_token_exits_3(cli):
    result = cli("call", "list_contacts")
    assert result.exit_code == 3
    assert "INTERCOM_TOKEN" in result.stderr


def test_call_prints_the_reply_as_json(cli):
    result = cli("call", "list_contacts", "-p", "per_page=2", "--sandbox")
    assert result.exit_code == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["type"] == "list"
    assert len(reply["data"]) == 2


def test_call_all_streams_every_record_as_ndjson(cli):
    result = cli("call", "list_contacts", "--all", "-p", "per_page=7", "-o", "ndjson", "--sandbox")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) > 7
    assert "records" in result.stderr


def test_call_all_writes_csv_with_a_header(cli):
    result = cli("call", "list_contacts", "--all", "-o", "csv", "--sandbox", "--quiet")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and "id" in rows[0] and "email" in rows[0]


def test_call_accepts_input_json(cli):
    result = cli(
        "call",
        "search_contacts",
        "--input",
        '{"query": {"field": "role", "operator": "=", "value": "user"}}',
        "--sandbox",
    )
    assert result.exit_code == 0, result.stderr
    assert all(c["role"] == "user" for c in json.loads(result.stdout)["data"])


def test_bad_input_json_exits_2(cli):
    result = cli("call", "search_contacts", "--input", "{oops", "--sandbox")
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr


def test_raw_request_returns_status_headers_and_body(cli):
    result = cli("raw", "GET", "/contacts", "-q", "per_page=3", "--sandbox")
    assert result.exit_code == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["status_code"] == 200
    assert len(reply["body"]["data"]) == 3
    assert "x-ratelimit-limit" in {k.lower() for k in reply["headers"]}


def test_raw_request_refuses_foreign_hosts(cli):
    result = cli("raw", "GET", "https://example.org/steal", "--token", "t0ken")
    assert result.exit_code == 2
    assert "refusing" in result.stderr
    assert "t0ken" not in result.stderr + result.stdout


def test_api_error_exits_1_and_names_the_operation(cli):
    result = cli("call", "get_contact", "-p", "contact_id=does-not-exist", "--sandbox")
    assert result.exit_code == 1
    assert "get_contact" in result.stderr
    assert "404" in result.stderr
