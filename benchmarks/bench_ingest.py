"""Webhook ingest through `serve`: acknowledgements per second against single durable inserts.

A child process hosts one webhook workflow with ``TriggerServer`` (the receiver ``serve``
runs: uvicorn on a free 127.0.0.1 port, the trigger queue in SQLite with
``synchronous=FULL``, each delivery committed before its 200). This process posts
``--deliveries`` signed notifications at ``--concurrency`` at a time and counts 200s per
second. The baseline, measured in the same run on the same disk: single-row transactions
into a WAL database with ``synchronous=FULL``, one commit per row. Then it waits for the
queued runs to finish: each makes one API call to an in-process sandbox (in the child)
with Intercom's rate limit of 1,666 requests per 10 s, and the drain is printed against
the rate-limit bound (runs / 166.6 per second; the windowed limit lets a first burst of
1,666 go at once, so a drain may beat it).

    python benchmarks/bench_ingest.py [--deliveries 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from http_load import prepared_posts, send_all

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import parse_workflow
from intercom_connector.workflow.triggers import HostedWorkflow, TriggerServer, bind, sign
from intercom_connector.workflow.triggers.store import TriggerStore

SECRET = "bench-ingest-secret"
WORKFLOW = """
name: ingest
trigger:
  webhook:
    topics: [contact.user.created]
steps:
  - id: me
    call: identify_admin
"""
RATE_LIMIT = 1666
WINDOW_SECONDS = 10.0
DRAIN_TIMEOUT = 120.0


def _baseline(count: int, path: Path) -> float:
    """Seconds for ``count`` single-row transactions, each committed with synchronous=FULL."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE rows (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT)")
    body = json.dumps(_notification())
    began = time.perf_counter()
    for index in range(count):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO rows (event_id, body) VALUES (?, ?)", (str(index), body))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - began
    db.close()
    return elapsed


def _notification() -> dict:
    return {
        "type": "notification_event",
        "app_id": "bench",
        "id": f"notif_{uuid.uuid4()}",
        "topic": "contact.user.created",
        "created_at": 1_767_225_600,
        "data": {"type": "notification_event_data", "item": {"type": "contact", "id": "c-1"}},
    }


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of process ``pid`` so far (Linux's /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _post_raw(endpoint: str, count: int, concurrency: int) -> tuple[float, float]:
    bodies = [json.dumps(_notification()).encode() for _ in range(count)]
    requests = prepared_posts(
        endpoint,
        (
            (body, {"Content-Type": "application/json", "X-Hub-Signature": sign(body, SECRET)})
            for body in bodies
        ),
    )
    result = asyncio.run(send_all(endpoint, requests, concurrency))
    return result.seconds, result.cpu


async def _post_all(endpoint: str, count: int, concurrency: int) -> float:
    bodies = [json.dumps(_notification()).encode() for _ in range(count)]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                headers = {
                    "Content-Type": "application/json",
                    "X-Hub-Signature": sign(body, SECRET),
                }
                reply = await client.post(endpoint, content=body, headers=headers)
                if reply.status_code != 200:
                    raise SystemExit(f"delivery answered {reply.status_code}: {reply.text}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began


def _serve_child(database: str) -> None:
    """Host the workflow until stdin closes; print the endpoint once ready."""
    from intercom_connector.catalog.client import AsyncIntercomClient
    from intercom_connector.http import RateLimitPolicy
    from intercom_connector.sandbox import Sandbox, SandboxConfig

    async def main() -> None:
        sandbox = Sandbox(
            SandboxConfig(
                contacts=0,
                conversations=0,
                rate_limit=RATE_LIMIT,
                rate_limit_window_seconds=WINDOW_SECONDS,
            )
        )
        limit = RateLimitPolicy(
            requests_per_minute=int(RATE_LIMIT * 60 / WINDOW_SECONDS),
            window_seconds=WINDOW_SECONDS,
        )
        client = AsyncIntercomClient(
            sandbox.token,
            base_url="http://sandbox.local",
            transport=httpx.ASGITransport(app=sandbox.app),
            rate_limit=limit,
        )
        loaded = parse_workflow(WORKFLOW, "ingest.yaml")
        hosted = HostedWorkflow(loaded, client, {"sandbox": True})
        server = TriggerServer([hosted], secret=SECRET, database=database)

        def ready(served: TriggerServer) -> None:
            print(served.endpoint, flush=True)

        loop = asyncio.get_running_loop()
        loop.add_reader(sys.stdin.fileno(), server.stop)
        await server.serve(sock=bind("127.0.0.1", 0), on_ready=ready)

    asyncio.run(main())


def _drained(database: Path, count: int) -> float:
    """Seconds until ``count`` queued runs have finished (bounded by DRAIN_TIMEOUT)."""
    began = time.perf_counter()
    with TriggerStore(database) as store:
        while time.perf_counter() - began < DRAIN_TIMEOUT:
            events = store.events("ingest")
            if sum(event.finished_at is not None for event in events) >= count:
                failed = [event.error for event in events if event.status != "succeeded"]
                if failed:
                    raise SystemExit(f"{len(failed)} triggered runs failed: {failed[0]}")
                return time.perf_counter() - began
            time.sleep(0.2)
    raise SystemExit(f"runs did not drain within {DRAIN_TIMEOUT:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    parser.add_argument("--serve-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_child:
        _serve_child(args.serve_child)
        return
    count = min(max(args.deliveries, 1), 20_000)
    with tempfile.TemporaryDirectory() as scratch:
        baseline = _baseline(count, Path(scratch) / "baseline.db")
        database = Path(scratch) / "connector.db"
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve-child", str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={"INTERCOM_CONNECTOR_HOME": scratch, "PATH": "/usr/bin:/bin"},
        )
        try:
            assert child.stdout is not None
            endpoint = child.stdout.readline().strip()
            if not endpoint:
                raise SystemExit("the receiver did not start")
            server_cpu = _cpu_seconds(child.pid)
            if args.client == "httpx":
                began = time.process_time()
                ingest = asyncio.run(_post_all(endpoint, count, args.concurrency))
                client_cpu = time.process_time() - began
            else:
                ingest, client_cpu = _post_raw(endpoint, count, args.concurrency)
            after = _cpu_seconds(child.pid)
            if server_cpu is not None and after is not None:
                server_cpu = after - server_cpu
            drain = _drained(database, count) + ingest
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=60)
    insert_rate, ack_rate = count / baseline, count / ingest
    print(
        f"ingest: {count} signed deliveries at concurrency {args.concurrency}: "
        f"{ack_rate:.0f} acks/s; single synchronous=FULL inserts {insert_rate:.0f}/s; "
        f"ratio {ack_rate / insert_rate:.2f}x (target >= 1.0x)"
    )
    print(
        f"cpu during ingest: client {client_cpu * 1e6 / count:.0f} us/delivery, server "
        f"{(server_cpu or 0) * 1e6 / count:.0f} us/delivery, wall {ingest * 1e6 / count:.0f} us"
    )
    bound = count / (RATE_LIMIT / WINDOW_SECONDS)
    print(
        f"drain: {count} triggered runs (one call each) finished {drain:.1f} s after the "
        f"first delivery ({count / drain:.0f} runs/s); rate-limit bound {bound:.1f} s, "
        f"ratio {drain / bound:.2f}x"
    )


if __name__ == "__main__":
    main()
