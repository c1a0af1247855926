"""Fan-out of the contacts-companies workflow: wall time against the bounds it cannot beat.

The workflow of ``examples/contacts-companies.yaml``, over every contact (``all: true``),
runs against a sandbox with a fixed latency and Intercom's rate limit (1,666 requests per
10-second window), once per ``--parallel`` value, each run logged to a throw-away run log as
a real run would be. The sandbox is in-process by default; ``--loopback`` serves it on
127.0.0.1 instead. Printed per run: requests, wall time, and the
ratio to the bound, which is the larger of

- the rate-limit bound: requests / (1,666 per 10 s), the time a steady client at the
  limit needs (the windowed limit lets a burst of up to 1,666 go at once, so a run may
  finish under it), and
- the latency bound: the pages one after another, then ceil(contacts / parallel) rounds
  of one latency each.

    python benchmarks/bench_fanout.py [--contacts 500] [--latency 0.05] [--parallel 1,16]
                                      [--loopback]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.http import RateLimitPolicy
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig, run_in_thread
from intercom_connector.workflow import RunLog, check_data, run_workflow

PER_PAGE = 150
RATE_LIMIT = 1666
WINDOW_SECONDS = 10.0
MAX_CONTACTS = 5000


def fan_out_workflow(parallel: int) -> dict:
    """The page example's workflow over every contact, ``parallel`` iterations at a time."""
    return {
        "name": f"contacts-companies, parallel {parallel}",
        "config": {"per_page": PER_PAGE},
        "steps": [
            {
                "id": "list-contacts",
                "call": "List contacts",
                "all": True,
                "input": {"per_page": "$.config.per_page"},
            },
            {
                "id": "loop-1",
                "loop": {"list": "$.steps.list-contacts.data", "parallel": parallel},
                "steps": [
                    {
                        "id": "list-attached-companies",
                        "call": "List attached companies",
                        "input": {"contact_id": "$.steps.loop-1.value.id"},
                    }
                ],
            },
        ],
    }


@contextmanager
def sandbox(config: SandboxConfig, loopback: bool) -> Iterator[dict[str, Any]]:
    """Client options reaching a fresh sandbox (a full rate-limit window for each run)."""
    if loopback:
        with run_in_thread(config) as server:
            yield {"token": server.token, "base_url": server.base_url}
        return
    local = Sandbox(config)
    transport = httpx.ASGITransport(app=local.app)
    yield {"token": local.token, "base_url": "http://sandbox.local", "transport": transport}


async def run_once(options: dict[str, Any], parallel: int, log: RunLog) -> tuple[float, int]:
    loaded = check_data(fan_out_workflow(parallel), "bench_fanout")
    limit = RateLimitPolicy(
        requests_per_minute=int(RATE_LIMIT * 60 / WINDOW_SECONDS), window_seconds=WINDOW_SECONDS
    )
    async with AsyncIntercomClient(rate_limit=limit, **options) as client:
        began = time.perf_counter()
        result = await run_workflow(loaded, client, runlog=log)
        wall = time.perf_counter() - began
    if not result.succeeded:
        raise SystemExit(f"the run failed: {result.error}")
    return wall, result.outputs["loop-1"]["iterations"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per reply")
    parser.add_argument("--parallel", default="1,16", help="comma-separated values")
    parser.add_argument("--loopback", action="store_true", help="serve the sandbox on 127.0.0.1")
    args = parser.parse_args()
    contacts = min(max(args.contacts, 1), MAX_CONTACTS)
    levels = [int(p) for p in args.parallel.split(",")]
    pages = math.ceil(contacts / PER_PAGE)
    requests = pages + contacts
    rate_bound = requests / (RATE_LIMIT / WINDOW_SECONDS)

    config = SandboxConfig(
        contacts=contacts,
        latency=args.latency,
        rate_limit=RATE_LIMIT,
        rate_limit_window_seconds=WINDOW_SECONDS,
    )
    print(
        f"{contacts} contacts, {requests} requests ({pages} pages + one per contact), "
        f"latency {args.latency * 1000:.0f} ms, rate limit {RATE_LIMIT} per "
        f"{WINDOW_SECONDS:.0f} s -> rate-limit bound {rate_bound:.2f} s"
    )
    columns = ("parallel", "wall s", "latency bound s", "bound s", "wall/bound")
    print("  ".join(f"{name:>{len(name) if len(name) > 8 else 8}}" for name in columns))
    with tempfile.TemporaryDirectory() as scratch:
        log = RunLog(Path(scratch) / "bench.db")
        for parallel in levels:
            with sandbox(config, args.loopback) as options:
                wall, iterations = asyncio.run(run_once(options, parallel, log))
            if iterations != contacts:
                raise SystemExit(f"expected {contacts} iterations, got {iterations}")
            latency_bound = (pages + math.ceil(contacts / parallel)) * args.latency
            bound = max(rate_bound, latency_bound)
            print(
                f"{parallel:>8}  {wall:>8.2f}  {latency_bound:>15.2f}  {bound:>8.2f}  "
                f"{wall / bound:>10.2f}"
            )
        log.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
