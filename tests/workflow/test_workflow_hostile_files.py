"""Hostile workflow files are refused quickly with the limit they break, never a hang.

Each case is the bytes of a file and the start of the message it must give, through
``load_workflow`` and through ``workflow validate`` (exit 2, no traceback). The time bound is
pytest-timeout's, not a timing assertion: a hang fails the test, a slow machine does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from workflow_kit import cli_app

from intercom_connector.workflow import WorkflowInvalid, load_workflow
from intercom_connector.workflow.file_limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES

pytestmark = pytest.mark.timeout(60)


def _billion_laughs() -> str:
    lines = ["name: t", 'lol0: &lol0 "lol"']
    for level in range(1, 10):
        refs = ", ".join([f"*lol{level - 1}"] * 10)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    lines.append("steps:\n  - {id: a, map: {x: *lol9}}")
    return "\n".join(lines) + "\n"


def _nested(depth: int, opening: str = "[", closing: str = "]") -> str:
    return "name: t\nsteps:\n  - {id: a, map: {x: " + opening * depth + closing * depth + "}}\n"


HOSTILE_FILES: list[tuple[str, str, bytes, str]] = [
    (
        "billion-laughs",
        "bad.yaml",
        _billion_laughs().encode(),
        f"bad.yaml:8: expands (through YAML aliases) to more than {MAX_VALUES:,} values",
    ),
    (
        "alias-inside-itself",
        "bad.yaml",
        b"name: t\nsteps: &s\n  - *s\n",
        "bad.yaml:3: a YAML alias refers to a node that contains it",
    ),
    (
        "nested-100000-deep",
        "bad.yaml",
        _nested(100_000).encode(),
        f"bad.yaml:3: nests deeper than the limit of {MAX_DEPTH} levels",
    ),
    (
        "nested-mappings-deep",
        "bad.yaml",
        _nested(5_000, "{a: ", "}").encode(),
        f"bad.yaml:3: nests deeper than the limit of {MAX_DEPTH} levels",
    ),
    (
        "json-nested-900-deep",
        "bad.json",
        b'{"name": "t", "steps": [{"id": "a", "map": {"x": ' + b"[" * 900 + b"]" * 900 + b"}}]}",
        f"bad.json:1: nests deeper than the limit of {MAX_DEPTH} levels",
    ),
    (
        "json-nested-100000-deep",
        "bad.json",
        b'{"name": "t", "steps": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        f"bad.json:1: nests deeper than the limit of {MAX_DEPTH} levels",
    ),
    (
        "too-large",
        "bad.yaml",
        b"name: t\n" + b"# padding\n" * (MAX_FILE_BYTES // 10 + 1),
        f"bad.yaml: is larger than the {MAX_FILE_BYTES:,}-byte limit for workflow files",
    ),
    (
        "binary",
        "bad.yaml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        "bad.yaml:1: is not UTF-8 text (byte 0x89 at offset 0)",
    ),
    (
        "nul-byte",
        "bad.yaml",
        b"name: t\x00\nsteps: []\n",
        "bad.yaml:1: not valid YAML: character U+0000 is not allowed in YAML text",
    ),
    (
        "integer-5000-digits",
        "bad.yaml",
        b"name: t\nsteps:\n  - {id: a, map: {x: " + b"7" * 5_000 + b"}}\n",
        "bad.yaml: cannot be read: Exceeds the limit (4300 digits)",
    ),
]


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in HOSTILE_FILES],
)
def test_a_hostile_file_is_refused_with_the_limit_it_breaks(
    tmp_path: Path, file: str, content: bytes, expected: str
) -> None:
    path = tmp_path / file
    path.write_bytes(content)
    with pytest.raises(WorkflowInvalid) as raised:
        load_workflow(path)
    messages = [str(problem).replace(str(tmp_path) + "/", "") for problem in raised.value.problems]
    assert any(message.startswith(expected) for message in messages), messages


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in HOSTILE_FILES],
)
def test_workflow_validate_exits_2_without_a_traceback(
    tmp_path: Path, home, file: str, content: bytes, expected: str
) -> None:
    path = tmp_path / file
    path.write_bytes(content)
    result = CliRunner().invoke(cli_app(), ["workflow", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert expected.split(": ", 1)[1] in result.stderr
    assert "Traceback" not in result.stderr


def test_dev_zero_is_refused_after_reading_past_the_limit() -> None:
    with pytest.raises(WorkflowInvalid, match="larger than the 1,000,000-byte limit"):
        load_workflow("/dev/zero")


def test_a_directory_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(WorkflowInvalid, match="cannot read the file: Is a directory"):
        load_workflow(tmp_path)


def test_a_workflow_with_shared_anchors_under_the_limits_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        "name: t\nconfig:\n  base: &base {per_page: 50}\n"
        "steps:\n  - {id: a, map: {x: *base}}\n  - {id: b, map: {y: *base}}\n"
    )
    assert [step.id for step in load_workflow(path).workflow.steps] == ["a", "b"]
