"""Partitioned parallel listing against sequential cursor paging, at Intercom's rate limit.

One sandbox process per size on 127.0.0.1 with 50 ms latency per reply and Intercom's
default rate limit (10,000 requests a minute in 10-second windows, enforced by the sandbox
with 429s). Each contender runs in a fresh process (so its peak RSS is its own) and lists
every contact: sequential cursor paging (`list_contacts`, 150 a page), then `--parallel 8`
and `--parallel 32` (`iterate(..., parallel=N)`: created_at partitions of the search).

Printed per size: wall time, peak RSS, requests, speed-up over sequential, the CPU seconds
of the contender and of the sandbox process during it (what a loaded machine cannot hide:
the wall time of both on shared cores follows the load), and two bounds:
the rate-limit bound (the pages a listing needs, at 10,000 a minute) and the latency bound
of N partitions (the pages of one N-th of the records, one round trip each). Targets:
`--parallel 32` within 1.5x of the larger bound and at least 5x faster than sequential on
100,000 contacts; peak RSS flat in the number of contacts.

    python benchmarks/bench_parallel_listing.py [--sizes 20000 100000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_list_contacts import TOKEN, run_contender, start_sandbox

PER_PAGE = 150
REQUESTS_PER_MINUTE = 10_000

CONTENDER = f"""
import asyncio, json, resource, sys, time
from intercom_connector import AsyncIntercomClient

async def main(base, parallel):
    ids = set()
    requests = 0
    plan = {{}}
    def on_event(event):
        nonlocal requests
        if event["event"] == "partitions":
            plan.update(event, planned_after=time.perf_counter() - started)
    started = time.perf_counter()
    async with AsyncIntercomClient("{TOKEN}", base_url=base, on_event=on_event) as client:
        async for record in client.iterate(
            "list_contacts", {{"per_page": {PER_PAGE}}}, parallel=parallel
        ):
            ids.add(record["id"])
    return ids, time.perf_counter() - started, plan

ids, wall, plan = asyncio.run(main(sys.argv[1], int(sys.argv[2])))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"records": len(ids), "wall": wall, "rss_mb": usage.ru_maxrss / 1024,
                  "cpu": usage.ru_utime + usage.ru_stime,
                  "partitions": plan.get("total", 1), "probes": plan.get("probes", 0),
                  "planned_after": plan.get("planned_after", 0.0)}}))
"""


def process_cpu(pid: int) -> float:
    """CPU seconds a process has used so far (Linux's /proc; NaN elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(base: str, parallel: int, server_pid: int) -> dict[str, float]:
    before = process_cpu(server_pid)
    # the contender's second argument is its parallelism (the helper calls it per_page)
    row = run_contender(CONTENDER, base, parallel)
    row["server_cpu"] = process_cpu(server_pid) - before
    return row


def measure(contacts: int, latency: float, parallels: list[int]) -> None:
    server, base = start_sandbox(contacts, "--latency", str(latency))
    try:
        rows = {parallel: run(base, parallel, server.pid) for parallel in parallels}
    finally:
        server.terminate()
        server.wait(timeout=10)
    pages = math.ceil(contacts / PER_PAGE)
    rate_bound = pages / (REQUESTS_PER_MINUTE / 60)
    sequential = rows[1]["wall"]
    print(f"\n{contacts:,} contacts, {latency * 1000:.0f} ms latency, {pages} pages of {PER_PAGE}")
    print(f"rate-limit bound: {rate_bound:.2f} s ({pages} requests at {REQUESTS_PER_MINUTE:,}/min)")
    print(
        f"load average (1 min, this run included): {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    header = (
        f"{'listing':<14} {'wall s':>7} {'peak MB':>8} {'parts':>6} {'probes':>6} "
        f"{'plan s':>6} {'lat. bound':>10} {'x bound':>7} {'speed-up':>8} "
        f"{'cpu s':>6} {'server cpu s':>12}"
    )
    print(header)
    for parallel, row in rows.items():
        if int(row["records"]) != contacts:
            raise SystemExit(f"parallel {parallel} listed {row['records']} of {contacts}")
        name = "sequential" if parallel == 1 else f"--parallel {parallel}"
        latency_bound = math.ceil(contacts / parallel / PER_PAGE) * latency
        bound = max(rate_bound, latency_bound)
        print(
            f"{name:<14} {row['wall']:>7.2f} {row['rss_mb']:>8.1f} {int(row['partitions']):>6} "
            f"{int(row['probes']):>6} {row['planned_after']:>6.2f} {latency_bound:>10.2f} "
            f"{row['wall'] / bound:>7.2f} {sequential / row['wall']:>8.1f} "
            f"{row['cpu']:>6.2f} {row['server_cpu']:>12.2f}"
        )
    top = rows[max(parallels)]
    bound = max(rate_bound, math.ceil(contacts / max(parallels) / PER_PAGE) * latency)
    within = top["wall"] <= 1.5 * bound
    print(
        f"target --parallel {max(parallels)}: <= 1.5x max(bounds) = {1.5 * bound:.2f} s: "
        f"{top['wall']:.2f} s ({'met' if within else 'MISSED'}); "
        f"speed-up {sequential / top['wall']:.1f}x "
        f"({'met' if sequential / top['wall'] >= 5 else 'below 5x'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    parallels = sorted(set([1, *args.parallel]))
    for contacts in args.sizes:
        measure(contacts, args.latency, parallels)


if __name__ == "__main__":
    main()
