"""The contacts-companies fan-out on the embedded engine and on Temporal with two workers.

Both runs go to their own sandbox served on 127.0.0.1 (2,000 contacts by default, 50 ms
latency, Intercom's 1,666 requests per 10-second window), with the loop at ``parallel:
16``. The Temporal run uses a dev server from the ``[temporal]`` extra and two
`intercom-connector temporal worker` processes; this process starts the run and mirrors
it into a throw-away run log, as `run --engine temporal` does. Printed per engine: calls,
429 replies, wall time, and the ratio to the rate-limit bound (calls / 166.6 a second),
measured in the same run. Target: Temporal within 1.5x of the bound.

The issue compares the fan-out, so the Temporal figure is timed from starting the workflow
to its result with both workers already polling (as they are on a cluster that serves many
runs); a second line adds the workers' start-up (launching the processes until both poll
the authentication's queue), which a first run on a fresh machine also pays.

    python benchmarks/bench_temporal.py [--contacts 2000] [--latency 0.05] [--parallel 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.sandbox import SandboxConfig, run_in_thread
from intercom_connector.workflow import RunLog, check_data, run_workflow
from intercom_connector.workflow.engines.temporal import (
    DevServer,
    TemporalTarget,
    connect,
    mirror,
    start_run,
)

RATE_LIMIT = 1666
WINDOW = 10.0
CLI = Path(sys.executable).parent / "intercom-connector"


def definition(parallel: int) -> dict:
    return {
        "name": "Companies of all contacts",
        "trigger": "manual",
        "steps": [
            {
                "id": "list-contacts",
                "call": "List contacts",
                "all": True,
                "input": {"per_page": 150},
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


def sandbox_config(contacts: int, latency: float) -> SandboxConfig:
    return SandboxConfig(
        contacts=contacts,
        latency=latency,
        rate_limit=RATE_LIMIT,
        rate_limit_window_seconds=WINDOW,
        request_log_size=contacts * 3,
    )


def wait_until_serving(logs: list[Path]) -> None:
    """Until every worker has said it is serving (it starts polling right after).

    The worker's own line is the signal: Temporal's task-queue description lists a poller
    only once one of its long polls lands on the queue's root partition, which can take
    up to a poll's minute."""
    deadline = time.monotonic() + 120
    while not all("worker on" in log.read_text(errors="replace") for log in logs):
        if time.monotonic() > deadline:
            raise TimeoutError("the workers did not start within 120 s")
        time.sleep(0.02)


def report(engine: str, sandbox, seconds: float) -> None:
    requests = list(sandbox.sandbox.requests)
    throttled = sum(1 for r in requests if r.status == 429)
    bound = len(requests) / (RATE_LIMIT / WINDOW)
    print(
        f"{engine:<22} {len(requests):>6} requests  {throttled:>4} x 429  {seconds:>7.2f}s  "
        f"bound {bound:>6.2f}s  ratio {seconds / bound:>5.2f}x",
        flush=True,
    )


async def embedded(args: argparse.Namespace, home: Path) -> None:
    loaded = check_data(definition(args.parallel), "bench.yaml")
    with run_in_thread(sandbox_config(args.contacts, args.latency)) as sandbox:
        async with AsyncIntercomClient(sandbox.token, base_url=sandbox.base_url) as client:
            with RunLog(home / "embedded.db") as log:
                began = time.perf_counter()
                result = await run_workflow(loaded, client, runlog=log)
                seconds = time.perf_counter() - began
        assert result.succeeded, result.error
        report("embedded", sandbox, seconds)


async def temporal(args: argparse.Namespace, home: Path) -> None:
    loaded = check_data(definition(args.parallel), "bench.yaml")
    with (
        DevServer(db=home / "temporal.db") as server,
        run_in_thread(sandbox_config(args.contacts, args.latency)) as sandbox,
    ):
        target = TemporalTarget(
            address=server.address, task_queue="bench", payload_dir=home / "payloads"
        )
        command = [str(CLI), "temporal", "worker", "--address", server.address]
        command += ["--task-queue", "bench", "--payload-dir", str(home / "payloads")]
        command += ["--sandbox-url", sandbox.base_url, "--concurrency", str(args.parallel)]
        logs = [home / f"worker-{n}.log" for n in range(args.workers)]
        launched = time.perf_counter()
        workers = [
            subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log.open("w"),
            )
            for log in logs
        ]
        try:
            client = await connect(target)
            await asyncio.to_thread(wait_until_serving, logs)
            start_up = time.perf_counter() - launched
            with RunLog(home / "temporal-runs.db") as log:
                began = time.perf_counter()
                run_id = await start_run(client, target, loaded, auth="default", runlog=log)
                assert run_id is not None
                result = await mirror(client, run_id, log)
                seconds = time.perf_counter() - began
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        assert result.succeeded, result.error
        report(f"temporal, {args.workers} workers", sandbox, seconds)
        report("  + worker start-up", sandbox, seconds + start_up)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--parallel", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory)
        os.environ["INTERCOM_CONNECTOR_HOME"] = str(home)
        os.environ["INTERCOM_CONNECTOR_KEY"] = Fernet.generate_key().decode()
        print(
            f"fan-out of {args.contacts} contacts, {args.latency * 1000:.0f} ms latency, "
            f"{RATE_LIMIT} requests per {WINDOW:.0f} s, parallel {args.parallel}"
        )
        asyncio.run(embedded(args, home))
        asyncio.run(temporal(args, home))


if __name__ == "__main__":
    main()
