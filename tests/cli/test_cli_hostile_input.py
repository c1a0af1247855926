"""Hostile command-line input gets one line naming the flag and an exit code, no traceback.

Each case is the arguments (``{deep}`` and friends are files written by the test) and the
message and exit code they must produce.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app
from intercom_connector.json_input import MAX_NESTING

pytestmark = pytest.mark.timeout(60)

DIGITS = "7" * 5_000
FILES = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep_object": '{"email": "a@example.com", "custom_attributes": '
    + '{"a": ' * 1_000
    + "1"
    + "}" * 1_000
    + "}",
    "big_number": '{"email": "a@example.com", "custom_attributes": {"n": ' + DIGITS + "}}",
    "binary": "",  # written as bytes below
}
TOO_LONG = "has a number too long to read: Exceeds the limit (4300 digits)"

CASES: list[tuple[str, list[str], int, str]] = [
    (
        "unknown-region",
        ["call", "list_contacts", "--region", "mars", "--token", "tok-x"],
        2,
        "error (usage): unknown Intercom region 'mars'; valid regions: au, eu, us",
    ),
    (
        "input-nested-100000-deep",
        ["call", "create_contact", "--input", "@{deep}", "--sandbox"],
        2,
        f"error (usage): --input nests deeper than {MAX_NESTING} levels",
    ),
    (
        "input-object-nested-1000-deep",
        ["call", "create_contact", "--input", "@{deep_object}", "--sandbox"],
        2,
        f"error (usage): --input nests deeper than {MAX_NESTING} levels",
    ),
    (
        "input-with-a-5000-digit-number",
        ["call", "create_contact", "--input", "@{big_number}", "--sandbox"],
        2,
        f"error (usage): --input {TOO_LONG}",
    ),
    (
        "param-with-a-5000-digit-number",
        ["call", "create_contact", "-p", f'custom_attributes={{"n": {DIGITS}}}', "--sandbox"],
        2,
        f"error (usage): -p custom_attributes {TOO_LONG}",
    ),
    (
        "config-with-a-5000-digit-number",
        ["run", "{workflow}", "--sandbox", "--quiet", "--config", f"per_page={DIGITS}"],
        2,
        f"error (usage): --config value {TOO_LONG}",
    ),
    (
        "config-nested-deep",
        [
            "run",
            "{workflow}",
            "--sandbox",
            "--quiet",
            "--config",
            "per_page=" + "[" * 500 + "]" * 500,
        ],
        2,
        f"error (usage): --config value nests deeper than {MAX_NESTING} levels",
    ),
    (
        "binary-workflow-file-run",
        ["run", "{binary}", "--sandbox", "--quiet"],
        2,
        "is not UTF-8 text (byte 0xff at offset 0)",
    ),
    (
        "binary-workflow-file-validate",
        ["workflow", "validate", "{binary}"],
        2,
        "is not UTF-8 text (byte 0xff at offset 0)",
    ),
]

WORKFLOW = "name: t\nconfig: {per_page: 5}\nsteps:\n  - {id: a, map: {n: $.config.per_page}}\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    written = {}
    for name, text in FILES.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        written[name] = str(path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01binary\x00")
    written["binary"] = str(binary)
    workflow = tmp_path / "ok.yaml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    written["workflow"] = str(workflow)
    return written


@pytest.mark.parametrize(
    ("args", "code", "message"), [pytest.param(*case[1:], id=case[0]) for case in CASES]
)
def test_hostile_arguments_get_a_message_and_an_exit_code(
    monkeypatch, tmp_path: Path, files, args: list[str], code: int, message: str
) -> None:
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    argv = []
    for arg in args:
        for name, path in files.items():
            arg = arg.replace("{" + name + "}", path)
        argv.append(arg)
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr
