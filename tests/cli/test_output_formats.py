"""Output formats: CSV keeps every column; one -o/--output option across the commands."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from intercom_connector.cli import app
from intercom_connector.cli.output import OutputFormat, RecordWriter


def _csv(records, columns=None) -> list[dict[str, str]]:
    stream = io.StringIO()
    RecordWriter(OutputFormat.csv, stream, columns=columns).write_all(records)
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def test_csv_header_is_the_union_of_keys_in_first_seen_order():
    rows = _csv([{"id": 1}, {"id": 2, "email": "b@x"}, {"name": "c", "id": 3}])

    assert list(rows[0]) == ["id", "email", "name"]
    assert rows[1]["email"] == "b@x"
    assert rows[2] == {"id": "3", "email": "", "name": "c"}


def test_csv_columns_option_picks_and_orders_the_columns():
    rows = _csv([{"id": 1, "email": "a@x", "name": "a"}], columns=["name", "id", "missing"])

    assert rows == [{"name": "a", "id": "1", "missing": ""}]


def test_csv_nested_values_are_compact_json():
    rows = _csv([{"id": 1, "tags": {"data": [{"id": "7"}]}}])

    assert json.loads(rows[0]["tags"]) == {"data": [{"id": "7"}]}


keys = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
# A record has at least one key: a row of no columns has no CSV form.
records = st.lists(st.dictionaries(keys, st.integers(), min_size=1, max_size=5), max_size=20)


@given(records)
def test_no_value_of_any_record_is_dropped(given_records):
    rows = _csv(given_records)

    assert len(rows) == len(given_records)
    for row, record in zip(rows, given_records, strict=True):
        assert {k: v for k, v in row.items() if v != ""} == {k: str(v) for k, v in record.items()}


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_ops_list_speaks_every_record_format(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path))
    as_json = json.loads(_invoke("ops", "list", "--search", "export", "-o", "json").stdout)
    lines = _invoke("ops", "list", "--search", "export", "-o", "ndjson").stdout.splitlines()
    rows = list(
        csv.DictReader(
            io.StringIO(_invoke("ops", "list", "--search", "export", "-o", "csv").stdout)
        )
    )

    assert [json.loads(line) for line in lines] == as_json
    assert [row["name"] for row in rows] == [op["name"] for op in as_json]


def test_runs_list_json_alias_still_works(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path))

    assert _invoke("runs", "list", "--json").stdout == _invoke("runs", "list", "-o", "json").stdout
