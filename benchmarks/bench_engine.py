"""What a workflow step costs, as ratios against baselines measured in the same run.

Printed, one line per figure:

- ``map``: per-step cost of N ``map`` steps (a loop over a literal list, each iteration
  building a dict from two references), against a floor script that builds the same dict,
  resolves the same JSONPath references with python-jsonpath and appends one JSON row per
  step to SQLite in transactions of 100 rows;
- ``get_contact``: N ``get_contact`` steps in a loop against a sandbox served on loopback,
  against the same calls made with ``AsyncIntercomClient.call`` in a plain loop;
- ``log size``: bytes the run log grew by during the ``get_contact`` run, against the JSON
  size of the step outputs it records;
- ``RSS``: peak resident memory of a process running a loop of --big iterations against
  one of --small iterations (each in a fresh subprocess);
- ``seeding``: seconds to seed a sandbox of 100,000 contacts (a figure, not a ratio);
- ``fan-out``: ``bench_fanout.py``'s workflow over --fanout contacts (in-process sandbox,
  50 ms latency, 1,666 requests per 10 s, ``parallel: 16``) against the rate-limit bound;
- ``ingest`` and ``drain``: ``bench_ingest.py`` (signed deliveries to a real ``serve``
  receiver at concurrency 16 against single ``synchronous=FULL`` inserts).

    python benchmarks/bench_engine.py [--maps 5000] [--calls 2000] [--small 2000] [--big 20000]
                                      [--fanout 2000] [--deliveries 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonpath

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.sandbox import SandboxConfig, run_in_thread
from intercom_connector.sandbox.app import create_app
from intercom_connector.workflow import RunLog, check_data, run_workflow

HERE = Path(__file__).parent


def _map_workflow(count: int) -> dict:
    return {
        "name": "maps",
        "config": {"prefix": "p"},
        "steps": [
            {
                "id": "each",
                "loop": {"list": list(range(count))},
                "steps": [
                    {
                        "id": "m",
                        "map": {"n": "$.steps.each.value", "p": "$.config.prefix", "k": 1},
                    }
                ],
            }
        ],
    }


def _floor(count: int, path: Path) -> float:
    """The same dict build, JSONPath resolution and batched JSON rows, by hand."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE rows (seq INTEGER PRIMARY KEY, data TEXT)")
    value, prefix = jsonpath.compile("$.steps.each.value"), jsonpath.compile("$.config.prefix")
    began = time.perf_counter()
    rows: list[tuple[str]] = []
    for index in range(count):
        context = {"steps": {"each": {"value": index, "index": index}}, "config": {"prefix": "p"}}
        built = {"n": value.findall(context)[0], "p": prefix.findall(context)[0], "k": 1}
        rows.append((json.dumps(built),))
        if len(rows) == 100:
            db.execute("BEGIN")
            db.executemany("INSERT INTO rows (data) VALUES (?)", rows)
            db.execute("COMMIT")
            rows = []
    if rows:
        db.execute("BEGIN")
        db.executemany("INSERT INTO rows (data) VALUES (?)", rows)
        db.execute("COMMIT")
    elapsed = time.perf_counter() - began
    db.close()
    return elapsed


async def _maps(count: int, scratch: Path) -> tuple[float, float]:
    loaded = check_data(_map_workflow(count), "bench_engine")
    log = RunLog(scratch / "maps.db")
    async with AsyncIntercomClient("unused-token", base_url="http://unused.test") as client:
        began = time.perf_counter()
        result = await run_workflow(loaded, client, runlog=log)
        elapsed = time.perf_counter() - began
    log.close()
    assert result.succeeded, result.error
    return elapsed, _floor(count, scratch / "floor.db")


def _calls_workflow(ids: list[str]) -> dict:
    return {
        "name": "get contacts",
        "steps": [
            {
                "id": "each",
                "loop": {"list": ids},
                "steps": [
                    {
                        "id": "get",
                        "call": "get_contact",
                        "input": {"contact_id": "$.steps.each.value"},
                    }
                ],
            }
        ],
    }


async def _calls(count: int, scratch: Path) -> tuple[float, float, int, int]:
    config = SandboxConfig(contacts=200, conversations=0, rate_limit=None)
    with run_in_thread(config) as server:
        options = {"base_url": server.base_url}
        async with AsyncIntercomClient(server.token, **options) as client:
            listed = await client.call("list_contacts", {"per_page": 150})
            ids = [c["id"] for c in listed["data"]]
            ids = [ids[i % len(ids)] for i in range(count)]
            began = time.perf_counter()
            outputs = [await client.call("get_contact", {"contact_id": i}) for i in ids]
            plain = time.perf_counter() - began
            path = scratch / "calls.db"
            log = RunLog(path)
            before = _size(path)
            began = time.perf_counter()
            result = await run_workflow(
                check_data(_calls_workflow(ids), "bench"), client, runlog=log
            )
            engine = time.perf_counter() - began
            log.close()
    assert result.succeeded, result.error
    recorded = sum(len(json.dumps(o, separators=(",", ":"))) for o in outputs)
    return engine, plain, _size(path) - before, recorded


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def _rss_child(count: int, scratch: str) -> None:
    asyncio.run(_maps(count, Path(scratch)))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _rss(count: int) -> int:
    """Peak RSS in KB of a fresh process running a loop of ``count`` map iterations."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "INTERCOM_CONNECTOR_HOME": scratch}
        done = subprocess.run(
            [sys.executable, __file__, "--rss-child", str(count), scratch],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
    return int(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--big", type=int, default=20000)
    parser.add_argument("--fanout", type=int, default=2000)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        _rss_child(int(args.rss_child[0]), args.rss_child[1])
        return
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["INTERCOM_CONNECTOR_HOME"] = scratch
        engine, floor = asyncio.run(_maps(args.maps, Path(scratch)))
        print(
            f"map: {engine / args.maps * 1e6:.0f} µs/step, floor {floor / args.maps * 1e6:.0f} "
            f"µs/step, ratio {engine / floor:.2f}x (target <= 3x)"
        )
        engine, plain, grown, recorded = asyncio.run(_calls(args.calls, Path(scratch)))
        print(
            f"get_contact: {engine / args.calls * 1e3:.2f} ms/step, plain client "
            f"{plain / args.calls * 1e3:.2f} ms/call, ratio {engine / plain:.2f}x "
            "(target <= 1.25x)"
        )
        print(
            f"log size: {grown / args.calls / 1024:.1f} KB/step for "
            f"{recorded / args.calls / 1024:.1f} KB of output, ratio {grown / recorded:.2f}x "
            "(target <= 1.3x)"
        )
    small, big = _rss(args.small), _rss(args.big)
    print(
        f"RSS: {args.small} iterations {small / 1024:.0f} MB, {args.big} iterations "
        f"{big / 1024:.0f} MB, difference {(big - small) / 1024:.0f} MB (target <= 40 MB)"
    )
    began = time.perf_counter()
    create_app(SandboxConfig(contacts=100_000, conversations=0)).state.ensure_seeded()
    print(f"seeding: 100,000 contacts in {time.perf_counter() - began:.1f} s")
    _script("bench_fanout.py", "--contacts", str(args.fanout), "--parallel", "16")
    _script("bench_ingest.py", "--deliveries", str(args.deliveries), "--concurrency", "16")


def _script(name: str, *args: str) -> None:
    """Run a sibling benchmark in its own process (its figures printed as it prints them)."""
    print(f"--- {name}", flush=True)
    subprocess.run([sys.executable, str(HERE / name), *args], check=True)


if __name__ == "__main__":
    main()
