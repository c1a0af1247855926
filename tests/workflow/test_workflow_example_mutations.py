"""Every reference in every example, broken on purpose, is caught before anything runs.

For each reference an example reads, two mutations: its last field misspelt (a letter
doubled), and its index made wrong (an index removed where a list is read, or one added
where there is no list). `workflow validate` must refuse each mutated file with a message
that names the mutated reference and suggests what was meant; the examples as written
stay valid.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner
from workflow_kit import EXAMPLES, cli_app

from intercom_connector.workflow import load_workflow
from intercom_connector.workflow.checks import references_of, walk

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
_LAST_NAME = re.compile(r"(\.|\[')([A-Za-z_][A-Za-z0-9_-]*)('\])?$")
_INDEX = re.compile(r"\[(\d+|\*)\]")
_ROOT_AND_KEY = re.compile(
    r"^(\$\.(?:steps\.[A-Za-z_][A-Za-z0-9_-]*\.|config\.|env\.)?[A-Za-z_][A-Za-z0-9_-]*)"
)


def _references(path: Path) -> list[str]:
    loaded = load_workflow(path)
    found = {text for site in walk(loaded.workflow) for _, text in references_of(site.step)}
    return sorted(found)


def misspelt(reference: str) -> str:
    match = _LAST_NAME.search(reference)
    assert match is not None, reference
    name = match.group(2)
    return reference[: match.start(2)] + name + name[-1] + reference[match.end(2) :]


def wrong_index(reference: str) -> str:
    index = _INDEX.search(reference)
    if index is not None:
        return reference[: index.start()] + reference[index.end() :]
    match = _ROOT_AND_KEY.match(reference)
    assert match is not None, reference
    return reference[: match.end()] + "[0]" + reference[match.end() :]


def _written(broken: str, match: re.Match[str]) -> str:
    """The mutated reference as YAML text: quoted where a bare `[` would end a flow value."""
    before = match.string[max(0, match.start() - 2) : match.start()]
    return f"'{broken}'" if before.endswith((": ", ", ", "[")) and "[" in broken else broken


CASES = [
    pytest.param(path, reference, mutate, id=f"{path.stem}:{reference}:{mutate.__name__}")
    for path in EXAMPLE_FILES
    for reference in _references(path)
    for mutate in (misspelt, wrong_index)
]


@pytest.fixture
def validate(home):
    runner = CliRunner()
    app = cli_app()
    return lambda path: runner.invoke(app, ["workflow", "validate", str(path)])


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_the_examples_as_written_are_valid(validate, path):
    result = validate(path)
    assert result.exit_code == 0, result.stderr


def test_every_example_has_references_to_mutate():
    assert all(_references(path) for path in EXAMPLE_FILES)


@pytest.mark.parametrize(("path", "reference", "mutate"), CASES)
def test_a_broken_reference_is_caught_with_a_suggestion(
    validate, tmp_path, path, reference, mutate
):
    broken = mutate(reference)
    pattern = re.escape(reference) + r"(?![A-Za-z0-9_\-\[.'])"
    text = re.sub(pattern, lambda m: _written(broken, m), path.read_text(encoding="utf-8"))
    target = tmp_path / path.name
    target.write_text(text, encoding="utf-8")
    result = validate(target)
    assert result.exit_code == 2, f"{broken} was not caught:\n{result.stderr}"
    lines = [line for line in result.stderr.splitlines() if broken in line]
    assert lines, result.stderr
    assert all("did you mean" in line for line in lines), "\n".join(lines)
