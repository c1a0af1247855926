"""Run every benchmark and print their tables; with --write, record them in docs/benchmarks.md.

Each benchmark is a script of its own (run it alone for more options); this runs them one
after another, each in a fresh process, against sandboxes on 127.0.0.1 or in process.

    python benchmarks/run_all.py [--write] [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"

BENCHMARKS: list[tuple[str, str, list[str], list[str]]] = [
    # (title, script, arguments, quick arguments)
    (
        "List 20,000 contacts (per_page 150): wall, CPU and peak RSS against a plain httpx loop",
        "bench_list_contacts.py",
        ["--rounds", "3"],
        ["--contacts", "3000", "--rounds", "1"],
    ),
    (
        "Fan-out: contacts-companies over 500 contacts, 50 ms latency, 1,666 requests per 10 s",
        "bench_fanout.py",
        ["--loopback"],
        ["--contacts", "60"],
    ),
    (
        "Start-up CPU of the CLI, and its per-record CPU, against plain httpx2",
        "bench_startup.py",
        ["--rounds", "7"],
        ["--rounds", "1", "--small", "1000", "--large", "5000"],
    ),
    (
        "Streaming: peak RSS of `call list_contacts --all --output ndjson`, 10,000 vs 100,000",
        "bench_streaming.py",
        [],
        ["--small", "1000", "--large", "5000"],
    ),
    (
        "Hostile input: cost of the workflow file bounds, RE2 against re, a refused alias bomb",
        "bench_hostile_input.py",
        [],
        ["--repeat", "20", "--letters", "18"],
    ),
    (
        "Sandbox state file: journaled writes per second against in memory, and the replay",
        "bench_sandbox_state.py",
        [],
        ["--writes", "150"],
    ),
    (
        "Parallel listing: sequential vs --parallel 8 / 32, 50 ms latency, default rate limit",
        "bench_parallel_listing.py",
        [],
        ["--sizes", "3000"],
    ),
    (
        "Loading the examples: reference checks against output shapes vs none",
        "bench_workflow_checks.py",
        [],
        ["--rounds", "30"],
    ),
    (
        "Debug panel in Chromium: a run of 20,000 loop iterations against one of 100",
        "bench_ui.py",
        [],
        ["--large", "2000"],
    ),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def run(script: str, arguments: list[str]) -> str:
    completed = subprocess.run(
        [sys.executable, str(HERE / script), *arguments],
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=1800,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{script} failed:\n{completed.stdout}\n{completed.stderr[-3000:]}")
    return completed.stdout.rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the tables in the docs")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the scripts")
    args = parser.parse_args()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [f"Measured {stamp} on {machine()}."]
    for title, script, full, quick in BENCHMARKS:
        arguments = quick if args.quick else full
        print(f"\n## {title}\n$ python benchmarks/{script} {' '.join(arguments)}", flush=True)
        output = run(script, arguments)
        print(output, flush=True)
        command = f"python benchmarks/{script} {' '.join(arguments)}".rstrip()
        sections.append(f"## {title}\n\n```\n$ {command}\n{output}\n```")
    if args.write:
        header = (
            "# Benchmarks\n\nWritten by `make bench` (`python benchmarks/run_all.py --write`). "
            "Each figure compares contenders measured side by side in the same run, on a "
            "shared machine: read the ratios, not the absolute times.\n"
        )
        DOC.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
        print(f"\nwrote {DOC}")


if __name__ == "__main__":
    main()
