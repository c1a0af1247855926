"""What the hostile-input bounds cost, and what they save, measured in one run.

- Loading every example workflow with the structure check (depth, alias expansion) against
  the same load without it: the price of the bound on good files.
- A JSONPath ``match()`` on RE2 against Python's backtracking ``re`` for ``(a+)+$`` over
  ``n`` letters and a ``!``: ``re`` doubles with each letter, RE2 stays linear.
- A billion-laughs file refused against one level of it loaded: the bomb costs no more
  than a small file.

    python benchmarks/bench_hostile_input.py [--repeat 200] [--letters 22]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from unittest import mock

from intercom_connector.workflow import WorkflowInvalid, parse_workflow
from intercom_connector.workflow.patterns import compile_pattern

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _seconds(action, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - started) / repeat


def _load_examples(texts: list[str]) -> None:
    for text in texts:
        parse_workflow(text, "example.yaml")


def _bomb(levels: int) -> str:
    lines = ["name: t", "config:", '  l0: &l0 "lol"']
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nsteps:\n  - {{id: a, map: {{x: *l{levels - 1}}}}}\n"


def _refused(text: str) -> None:
    try:
        parse_workflow(text, "bomb.yaml")
    except WorkflowInvalid:
        return
    raise AssertionError("the bomb was loaded")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--letters", type=int, default=22)
    args = parser.parse_args()

    texts = [path.read_text() for path in sorted(EXAMPLES.glob("*.yaml"))]
    checked = _seconds(lambda: _load_examples(texts), args.repeat)
    with mock.patch("intercom_connector.workflow.loader.check_structure"):
        unchecked = _seconds(lambda: _load_examples(texts), args.repeat)
    print(
        f"examples ({len(texts)} files): {checked * 1000:.2f} ms checked, "
        f"{unchecked * 1000:.2f} ms unchecked, ratio {checked / unchecked:.2f}"
    )

    text = "a" * args.letters + "!"
    program = compile_pattern("(a+)+$")
    backtracking = re.compile("(a+)+$")
    linear = _seconds(lambda: program.search(text), 50)
    exponential = _seconds(lambda: backtracking.search(text), 1)
    print(
        f"(a+)+$ over {args.letters} letters and '!': RE2 {linear * 1e6:.1f} us, re "
        f"{exponential * 1000:.1f} ms, ratio re/RE2 {exponential / linear:,.0f}"
    )

    refused = _seconds(lambda: _refused(_bomb(9)), 5)
    small = _seconds(lambda: parse_workflow(_bomb(2), "small.yaml"), 5)
    print(
        f"billion laughs (10^8 values) refused in {refused * 1000:.1f} ms; its first level "
        f"loaded in {small * 1000:.1f} ms, ratio {refused / small:.2f}"
    )


if __name__ == "__main__":
    main()
