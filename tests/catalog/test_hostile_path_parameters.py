"""An empty or blank path parameter is refused before anything is sent, everywhere.

``GET /contacts/{contact_id}`` with an empty id is ``GET /contacts/``: the contact list.
``DELETE /contacts/`` is worse. Every operation with a path parameter, through the async and
blocking Python API, ``call`` and a workflow, must refuse the input and leave the sandbox's
request log empty.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intercom_connector import AsyncIntercomClient, IntercomClient
from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.sample import SampleBuilder
from intercom_connector.catalog.validation import InvalidInput
from intercom_connector.cli import app
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ServerHandle, run_in_thread
from intercom_connector.sandbox.app import Sandbox
from intercom_connector.sandbox.config import SandboxConfig

CATALOG = load_catalog()
SAMPLES = SampleBuilder(CATALOG.definitions)
WITH_PATH_PARAMETERS = [
    op for op in CATALOG if any(field.location == "path" for field in op.fields)
]
BLANKS = ["", "   ", "\t", ".", ".."]


def _sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(contacts=3, companies=2, conversations=1, rate_limit=None))


@pytest.fixture(scope="module")
def served() -> Iterator[ServerHandle]:
    with run_in_thread(_sandbox()) as handle:
        yield handle


def test_the_table_covers_many_operations() -> None:
    assert len(WITH_PATH_PARAMETERS) > 100


@pytest.mark.parametrize("operation", WITH_PATH_PARAMETERS, ids=lambda op: op.name)
async def test_every_operation_refuses_an_empty_path_parameter_and_sends_nothing(
    operation,
) -> None:
    sandbox = _sandbox()
    path_fields = [f.name for f in operation.fields if f.location == "path"]
    async with AsyncIntercomClient(
        sandbox.token,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=sandbox.app),
    ) as client:
        for name in path_fields:
            for blank in BLANKS:
                data = {**SAMPLES.input_for(operation), name: blank}
                with pytest.raises(InvalidInput) as refused:
                    await client.call(operation.name, data)
                assert (
                    f"{name}: path parameter must not be empty or a dot segment, got {blank!r}"
                    in str(refused.value)
                )
    assert len(sandbox.requests) == 0


@pytest.mark.parametrize(
    ("operation", "field"),
    [("get_contact", "contact_id"), ("delete_contact", "contact_id")],
)
def test_the_blocking_client_refuses_too(served: ServerHandle, operation, field) -> None:
    before = len(served.sandbox.requests)
    refused = pytest.raises(InvalidInput, match=f"{field}: path parameter must not be empty")
    with IntercomClient(served.token, base_url=served.base_url) as client, refused:
        client.call(operation, {field: " "})
    assert len(served.sandbox.requests) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["get_contact", "-p", "contact_id="],
            "contact_id: path parameter must not be empty or a dot segment, got ''",
        ),
        (
            ["delete_contact", "-p", "contact_id= "],
            "contact_id: path parameter must not be empty or a dot segment, got ' '",
        ),
        (
            ["list_attached_companies", "-p", "contact_id=.."],
            "contact_id: path parameter must not be empty or a dot segment, got '..'",
        ),
    ],
)
def test_call_exits_2_and_sends_nothing(
    served: ServerHandle, monkeypatch, tmp_path, args, message
) -> None:
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    before = len(served.sandbox.requests)
    result = CliRunner().invoke(
        app,
        ["call", *args, "--token", served.token, "--base-url", served.base_url],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(served.sandbox.requests) == before


def test_a_workflow_step_with_an_empty_id_fails_before_sending(
    served: ServerHandle, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    path = tmp_path / "empty-id.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: empty-id
            config: {who: ""}
            steps:
              - id: remove
                call: delete_contact
                input: {contact_id: $.config.who}
            """
        )
    )
    before = len(served.sandbox.requests)
    result = CliRunner().invoke(
        app,
        ["run", str(path), "--token", served.token, "--base-url", served.base_url, "--quiet"],
        catch_exceptions=False,
    )
    assert result.exit_code == 4, result.stderr
    assert "step 'remove'" in result.stderr
    assert "path parameter must not be empty" in result.stderr
    assert len(served.sandbox.requests) == before
