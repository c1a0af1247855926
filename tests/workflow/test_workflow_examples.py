"""The example workflows run green against the sandbox, in Python and through the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner
from workflow_kit import EXAMPLES, cli_app, new_sandbox, sandbox_client

from intercom_connector.workflow import RunLog, load_workflow, run_workflow, workflow_json_schema

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_there_are_the_two_page_examples_and_at_least_two_more():
    names = {path.name for path in EXAMPLE_FILES}
    assert {"contacts-companies.yaml", "export-download.yaml"} <= names
    assert len(names) >= 4


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_is_valid_and_fits_the_exported_schema(path: Path):
    load_workflow(path)
    jsonschema.validate(yaml.safe_load(path.read_text()), workflow_json_schema())


async def test_contacts_companies_lists_the_companies_of_each_listed_contact(runlog: RunLog):
    sandbox = new_sandbox()
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(
            load_workflow(EXAMPLES / "contacts-companies.yaml"), client, runlog=runlog
        )
    assert result.succeeded, result.error
    requests = [(r.method, r.path.split("/")[1], r.status) for r in sandbox.requests]
    assert requests[0] == ("GET", "contacts", 200)
    assert len(requests) == 51
    assert all(status == 200 for _, _, status in requests)
    contact_ids = [c["id"] for c in result.outputs["list-contacts"]["data"]]
    assert [r.path for r in sandbox.requests][1:] == [
        f"/contacts/{i}/companies" for i in contact_ids
    ]
    assert result.outputs["company-names"]["contacts"] == 50
    assert runlog.summary(result.run_id).status == "succeeded"


async def test_export_download_polls_until_complete_then_downloads(runlog: RunLog, tmp_path):
    sandbox = new_sandbox(export_seconds=0.3)
    config = {"poll_seconds": 0.1, "download_dir": str(tmp_path)}
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(
            load_workflow(EXAMPLES / "export-download.yaml"), client, config=config, runlog=runlog
        )
    assert result.succeeded, result.error
    polls = result.outputs["loop-1"]["results"]
    assert [p["download-export-job"]["completedFlag"] for p in polls][-1] is True
    assert not any(p["download-export-job"]["completedFlag"] for p in polls[:-1])
    assert polls[-1]["export-ready"]["branch"] == "then" and "delay-1" not in polls[-1]
    file = polls[-1]["download-export-job"]["file"]
    assert gzip.decompress(Path(file["path"]).read_bytes()).startswith(b"user_id,")
    assert len(sandbox.requests.matching("POST", "/export/content/data")) == 1


async def test_tag_contacts_of_search_tags_every_contact_found(runlog: RunLog):
    sandbox = new_sandbox()
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(
            load_workflow(EXAMPLES / "tag-contacts-of-search.yaml"), client, runlog=runlog
        )
        assert result.succeeded, result.error
        emails = result.outputs["summary"]["emails"]
        assert emails and all(email.endswith("@example.com") for email in emails)
        tag_id = result.outputs["create-tag"]["id"]
        for contact in result.outputs["find-contacts"]["data"][:3]:
            tags = await client.call("list_contact_tags", {"contact_id": contact["id"]})
            assert tag_id in {tag["id"] for tag in tags["data"]}


async def test_close_stale_conversations_notes_and_closes_each_one(runlog: RunLog):
    sandbox = new_sandbox()
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(
            load_workflow(EXAMPLES / "close-stale-conversations.yaml"), client, runlog=runlog
        )
        assert result.succeeded, result.error
        closed = [c["id"] for c in result.outputs["stale"]["conversations"]]
        assert closed
        conversation = await client.call("get_conversation", {"conversation_id": int(closed[0])})
    assert conversation["state"] == "closed"
    parts = conversation["conversation_parts"]["conversation_parts"]
    assert [p["part_type"] for p in parts[-2:]] == ["note", "close"]


@pytest.fixture
def cli(home):
    runner = CliRunner()
    app = cli_app()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def test_cli_runs_contacts_companies_on_the_sandbox_and_shows_its_debug_view(cli):
    ran = cli("run", str(EXAMPLES / "contacts-companies.yaml"), "--sandbox")
    assert ran.exit_code == 0, ran.stderr
    run_id = ran.stdout.strip()
    assert "✓ loop-1  loop, 50 iterations" in ran.stderr
    shown = cli("runs", "show", run_id, "-o", "json")
    view = json.loads(shown.stdout)
    assert view["run"]["status"] == "succeeded"
    keys = [step["key"] for step in view["steps"]]
    assert keys[:4] == ["list-contacts", "loop-1", "loop-1[0]", "loop-1[0].list-attached-companies"]
    text = cli("runs", "show", "last", "--step", "loop-1[3].list-attached-companies").stdout
    assert "list_attached_companies" in text and "companies" in text


def test_cli_runs_export_download_on_the_sandbox(cli, tmp_path):
    ran = cli(
        "run",
        str(EXAMPLES / "export-download.yaml"),
        "--sandbox",
        "--config",
        "poll_seconds=0.5",
        "--config",
        f"download_dir={tmp_path}",
    )
    assert ran.exit_code == 0, ran.stderr
    assert "waiting 0.5s" in ran.stderr
    assert list(tmp_path.glob("intercom-export-*.csv.gz"))
