"""List every contact of a local sandbox: this connector against a plain httpx loop.

The sandbox runs in its own process on 127.0.0.1; each contender runs in a fresh process of
its own (so peak RSS is its own), and rounds alternate between contenders so that the noise
of a shared machine falls on both alike. Prints wall time, CPU time and peak RSS per
contender (median of the rounds) and the ratios to the plain loop.

    python benchmarks/bench_list_contacts.py [--contacts 20000] [--per-page 150] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TOKEN = "bench-token"
HERE = Path(__file__).resolve().parent

# Each contender is a small program run in its own process; it prints one JSON line.
PLAIN_HTTPX = f"""
import asyncio, json, resource, sys, time
from intercom_connector.httpx_lib import httpx

async def main(base, per_page):
    headers = {{"Authorization": "Bearer {TOKEN}", "Accept": "application/json",
               "Intercom-Version": "2.16"}}
    ids = set()
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        params = {{"per_page": per_page}}
        while True:
            reply = await client.get("/contacts", params=params)
            reply.raise_for_status()
            page = json.loads(reply.content)
            ids.update(record["id"] for record in page["data"])
            cursor = ((page.get("pages") or {{}}).get("next") or {{}}).get("starting_after")
            if not cursor:
                break
            params = {{"per_page": per_page, "starting_after": cursor}}
    return ids, time.perf_counter() - started

ids, wall = asyncio.run(main(sys.argv[1], int(sys.argv[2])))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"records": len(ids), "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": usage.ru_maxrss / 1024}}))
"""

CONNECTOR = f"""
import asyncio, json, resource, sys, time
from intercom_connector import AsyncIntercomClient

async def main(base, per_page):
    ids = set()
    started = time.perf_counter()
    async with AsyncIntercomClient("{TOKEN}", base_url=base) as client:
        async for record in client.iterate("list_contacts", {{"per_page": per_page}}):
            ids.add(record["id"])
    return ids, time.perf_counter() - started

ids, wall = asyncio.run(main(sys.argv[1], int(sys.argv[2])))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"records": len(ids), "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": usage.ru_maxrss / 1024}}))
"""

OFFICIAL_SDK = f"""
import asyncio, json, resource, sys, time
from intercom import AsyncIntercom

async def main(base, per_page):
    ids = set()
    started = time.perf_counter()
    client = AsyncIntercom(token="{TOKEN}", base_url=base, timeout=60)
    pager = await client.contacts.list(per_page=per_page)
    async for contact in pager:
        ids.add(contact.id)
    return ids, time.perf_counter() - started

ids, wall = asyncio.run(main(sys.argv[1], int(sys.argv[2])))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"records": len(ids), "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": usage.ru_maxrss / 1024}}))
"""

CONTENDERS: dict[str, str] = {"plain httpx loop": PLAIN_HTTPX, "intercom-connector": CONNECTOR}
if importlib.util.find_spec("intercom") is not None:  # python-intercom, the official SDK
    CONTENDERS["python-intercom (SDK)"] = OFFICIAL_SDK


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(contacts: int, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "intercom_connector",
        "sandbox",
        "serve",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--contacts",
        str(contacts),
        "--companies",
        "10",
        "--conversations",
        "10",
        *options,
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                base + "/me", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            with urllib.request.urlopen(request, timeout=2):
                return server, base
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the sandbox server exited during start-up") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the sandbox server did not start within 60 s")


def run_contender(program: str, base: str, per_page: int) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", program, base, str(per_page)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"contender failed:\n{completed.stderr[-2000:]}")
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def measure(
    contacts: int, per_page: int, rounds: int, contenders: dict[str, str] | None = None
) -> dict[str, dict[str, float]]:
    """Median figures per contender, from alternating rounds against one sandbox process."""
    contenders = contenders or CONTENDERS
    server, base = start_sandbox(contacts)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in contenders}
    try:
        for _ in range(rounds):
            for name, program in contenders.items():
                samples[name].append(run_contender(program, base, per_page))
    finally:
        server.terminate()
        server.wait(timeout=10)
    figures = {}
    for name, runs in samples.items():
        records = {int(run["records"]) for run in runs}
        if records != {contacts}:
            raise SystemExit(f"{name} listed {sorted(records)} records, expected {contacts}")
        figures[name] = {
            key: statistics.median(run[key] for run in runs) for key in ("wall", "cpu", "rss_mb")
        }
    return figures


def print_table(figures: dict[str, dict[str, float]], baseline: str = "plain httpx loop") -> None:
    base = figures[baseline]
    print(f"{'contender':<22} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'wall x':>7} {'cpu x':>7}")
    for name, row in figures.items():
        print(
            f"{name:<22} {row['wall']:>8.2f} {row['cpu']:>8.2f} {row['rss_mb']:>8.1f} "
            f"{row['wall'] / base['wall']:>7.2f} {row['cpu'] / base['cpu']:>7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--per-page", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    print(
        f"listing {args.contacts} contacts, per_page {args.per_page}, "
        f"median of {args.rounds} alternating rounds"
    )
    figures = measure(args.contacts, args.per_page, args.rounds)
    print_table(figures)
    ratio = figures["intercom-connector"]["wall"] / figures["plain httpx loop"]["wall"]
    verdict = "within" if ratio <= 1.3 else "OUTSIDE"
    print(f"target: connector wall within 1.3x of the plain loop: {ratio:.2f}x ({verdict})")


if __name__ == "__main__":
    main()
