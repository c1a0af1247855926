"""The command loads only what the command run needs; --version and shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import COMMANDS, app

PROGRAM = """
import json, sys
sys.argv = ["intercom-connector", *json.loads(sys.argv[1])]
from intercom_connector.cli import main
try:
    main()
except SystemExit:
    pass
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """Run the command in a fresh interpreter: what it printed, and every module it loaded."""
    completed = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    printed, _, modules = completed.stdout.rpartition("\nMODULES ")
    return printed, set(json.loads(modules))


def _loaded_by(*args: str, env: dict[str, str] | None = None) -> set[str]:
    return _run(*args, env=env)[1]


def _roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_loads_no_command_module_and_no_heavy_library():
    loaded = _loaded_by("--help")

    assert not any(
        name.startswith("intercom_connector.cli.") and "_commands" in name
        for name in loaded
        if name != "intercom_connector.cli.lazy_commands"
    )
    assert _roots(loaded) & {"httpx2", "pydantic", "starlette", "rich", "jsonschema"} == set()


def test_ops_list_loads_neither_http_nor_the_sandbox_nor_pydantic(tmp_path):
    loaded = _loaded_by("ops", "list", "-o", "json", env={"INTERCOM_CONNECTOR_HOME": str(tmp_path)})

    assert "intercom_connector.cli.ops_commands" in loaded
    assert _roots(loaded) & {"httpx2", "pydantic", "starlette", "uvicorn", "jsonschema"} == set()
    assert not any(name.startswith("intercom_connector.sandbox") for name in loaded)


def test_call_against_the_sandbox_loads_only_what_that_operation_needs(tmp_path):
    printed, loaded = _run(
        "call", "identify_admin", "--sandbox", env={"INTERCOM_CONNECTOR_HOME": str(tmp_path)}
    )

    assert json.loads(printed)["type"] == "admin"
    assert _roots(loaded) & {"pydantic", "rich", "starlette", "uvicorn", "jsonschema"} == set()
    assert "intercom_connector.sandbox.workspace" in loaded  # identify_admin's handlers
    assert "intercom_connector.sandbox.contacts" not in loaded
    assert "intercom_connector.catalog.listing" not in loaded
    # /me reads the admins only: the other records are neither defined nor seeded
    assert "intercom_connector.sandbox.records" not in loaded
    assert "intercom_connector.sandbox.seeding" not in loaded


def _complete(words: str) -> tuple[list[str], set[str]]:
    env = {
        "_INTERCOM_CONNECTOR_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    printed, loaded = _run(env=env)
    return printed.split(), loaded


def test_completion_lists_commands_from_the_table_without_loading_them():
    offered, loaded = _complete("intercom-connector r")

    assert offered == [name for name in COMMANDS if name.startswith("r")]
    assert "intercom_connector.cli.workflow_commands" not in loaded


def test_completion_reaches_into_a_command_group():
    offered, _ = _complete("intercom-connector runs re")

    assert offered == ["resume"]


@pytest.mark.parametrize("option", ["--install-completion", "--show-completion"])
def test_completion_options_are_offered(option):
    assert option in CliRunner().invoke(app, ["--help"]).stdout


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])

    assert result.exit_code == 0
    assert result.stdout.strip() == f"intercom-connector {version('intercom-connector')}"


def test_a_call_with_nothing_to_check_loads_no_schema_validator(tmp_path):
    loaded = _loaded_by(
        "call", "identify_admin", "--sandbox", env={"INTERCOM_CONNECTOR_HOME": str(tmp_path)}
    )

    assert "intercom_connector.sandbox.app" in loaded
    assert "jsonschema" not in _roots(loaded)
