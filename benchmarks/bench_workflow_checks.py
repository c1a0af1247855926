"""What checking references against output shapes adds to loading a workflow.

Loads each example (parsed once) many times with the full checks, and again with the shape
checks replaced by a no-op, in the same run, and prints the time per load and the ratio.
A triggered run re-checks its definition for every notification `serve` accepts, so the
cost per load is what matters there.

    python benchmarks/bench_workflow_checks.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from intercom_connector.workflow import check_data, checks
from intercom_connector.workflow.shape_checks import ShapeFindings

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


def per_load(documents: list[dict], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for document in documents:
            check_data(document)
    return (time.perf_counter() - started) / (rounds * len(documents))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds
    documents = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in EXAMPLES]
    per_load(documents, 5)  # warm the catalog, the outputs and the JSONPath cache
    checked = per_load(documents, rounds)
    real = checks.check_shapes
    checks.check_shapes = lambda *args, **kwargs: ShapeFindings()  # type: ignore[assignment]
    try:
        baseline = per_load(documents, rounds)
    finally:
        checks.check_shapes = real
    print(f"| examples | {len(documents)} |")
    print(f"| load without shape checks (baseline) | {baseline * 1e3:.3f} ms |")
    print(f"| load with shape checks | {checked * 1e3:.3f} ms |")
    print(f"| ratio | {checked / baseline:.2f}x |")


if __name__ == "__main__":
    main()
