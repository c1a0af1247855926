"""User-supplied regular expressions run in linear time, and a bad one fails the load.

A condition reads a JSONPath filter with ``match()``, ``search()`` or ``=~ /.../``; RE2 runs
each, so ``(a+)+$`` against a long run of ``a`` and a ``!`` returns at once (a backtracking
engine would take longer than the universe has). pytest-timeout bounds the tests; none
asserts a duration.
"""

from __future__ import annotations

import json

import pytest
from workflow_kit import FakeEngine, interpret, workflow

from intercom_connector.workflow import WorkflowInvalid
from intercom_connector.workflow.references import lookup

pytestmark = pytest.mark.timeout(60)

HOSTILE_TEXT = "a" * 100_000 + "!"
DATA = {"steps": {"s": {"data": [{"email": HOSTILE_TEXT}, {"email": "ann@example.com"}]}}}
CONTEXT = {**DATA, "config": {}, "env": {}}

FILTERS: list[tuple[str, str, list[str]]] = [
    ("match-catastrophic", "$.steps.s.data[?match(@.email, '(a+)+$')].email", []),
    ("search-catastrophic", "$.steps.s.data[?search(@.email, '(a|aa)+$')].email", []),
    ("literal-catastrophic", "$.steps.s.data[?@.email =~ /(a*)*b/].email", []),
    ("match-whole-string", "$.steps.s.data[?match(@.email, 'ann@.*')].email", ["ann@example.com"]),
    ("match-is-anchored", "$.steps.s.data[?match(@.email, 'ann')].email", []),
    (
        "search-finds-inside",
        "$.steps.s.data[?search(@.email, 'example')].email",
        ["ann@example.com"],
    ),
    ("literal-with-flag", "$.steps.s.data[?@.email =~ /ANN@.*/i].email", ["ann@example.com"]),
]


@pytest.mark.parametrize(
    ("path", "expected"), [pytest.param(*case[1:], id=case[0]) for case in FILTERS]
)
def test_filters_run_in_linear_time(path: str, expected: list[str]) -> None:
    assert lookup(path, CONTEXT) == expected


BAD_PATTERNS: list[tuple[str, str, str]] = [
    (
        "unbalanced",
        "$.steps.s.data[?match(@.email, '(')]",
        "regular expression '(' is not valid: missing ): (",
    ),
    (
        "backreference",
        r"$.steps.s.data[?@.email =~ /(a)\1/]",
        r"regular expression '(a)\\1' is not valid: invalid escape sequence: \1",
    ),
    (
        "lookahead",
        "$.steps.s.data[?search(@.email, '(?=a)')]",
        "regular expression '(?=a)' is not valid: invalid perl operator: (?=",
    ),
    (
        "literal-lookbehind",
        "$.steps.s.data[?@.email =~ /(?<=a)b/]",
        "regular expression '(?<=a)b' is not valid: invalid perl operator: (?<",
    ),
    (
        "repetition-too-large",
        "$.steps.s.data[?match(@.email, 'a{2000}')]",
        "regular expression 'a{2000}' is not valid: invalid repetition size: {2000}",
    ),
]


@pytest.mark.parametrize(
    ("path", "message"), [pytest.param(*case[1:], id=case[0]) for case in BAD_PATTERNS]
)
def test_an_invalid_pattern_is_a_load_time_error(path: str, message: str) -> None:
    text = f"""\
        name: t
        steps:
          - id: s
            map: {{data: []}}
          - id: check
            condition: {{all: [{{value1: {json.dumps(path)}, comparison: is empty}}]}}
            then: []
        """
    with pytest.raises(WorkflowInvalid) as raised:
        workflow(text, "bad.yaml")
    problems = [str(problem) for problem in raised.value.problems]
    assert any(p.startswith("bad.yaml:6: step 'check'") and message in p for p in problems), (
        problems
    )


async def test_a_condition_with_a_catastrophic_pattern_finishes_the_run() -> None:
    loaded = workflow(
        f"""\
        name: t
        steps:
          - id: s
            map: {{data: [{{email: "{HOSTILE_TEXT}"}}]}}
          - id: check
            condition:
              all:
                - value1: "$.steps.s.data[?match(@.email, '(a+)+$')]"
                  comparison: is empty
            then:
              - {{id: none-matched, map: {{ok: true}}}}
        """
    )
    _, engine = await interpret(loaded, FakeEngine())
    assert "none-matched" in engine.keys_of()
