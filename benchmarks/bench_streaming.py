"""Streaming: peak memory of `call list_contacts --all --output ndjson` does not grow with size.

Runs the CLI as a separate process against a sandbox process on 127.0.0.1, for 10,000 and for
100,000 contacts, writing the records to /dev/null, and reads each CLI process's own peak RSS
(``wait4``). Target: the two peaks within 15 MB of each other.

    python benchmarks/bench_streaming.py [--small 10000] [--large 100000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from bench_list_contacts import TOKEN, start_sandbox


def cli_peak(base_url: str, expected: int) -> dict[str, float]:
    """Run the CLI once; return its wall time and peak RSS, after checking the record count."""
    env = {**os.environ, "INTERCOM_TOKEN": TOKEN}
    command = [
        sys.executable,
        "-m",
        "intercom_connector",
        "call",
        "list_contacts",
        "--all",
        "-p",
        "per_page=150",
        "--output",
        "ndjson",
        "--base-url",
        base_url,
        "--quiet",
    ]
    started = time.perf_counter()
    with (
        open(os.devnull, "w") as sink,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=sink, env=env) as process,
    ):
        assert process.stdout is not None
        lines = sum(1 for _ in process.stdout)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0 or lines != expected:
        raise SystemExit(f"CLI exited {process.returncode} after {lines} of {expected} records")
    return {"records": lines, "wall": wall, "rss_mb": usage.ru_maxrss / 1024}


def measure(small: int, large: int) -> dict[int, dict[str, float]]:
    results = {}
    for size in (small, large):
        server, base = start_sandbox(size)
        try:
            results[size] = cli_peak(base, size)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    results = measure(args.small, args.large)
    print(f"{'contacts':>9} {'wall s':>8} {'peak MB':>8}")
    for size, row in results.items():
        print(f"{size:>9} {row['wall']:>8.2f} {row['rss_mb']:>8.1f}")
    growth = results[args.large]["rss_mb"] - results[args.small]["rss_mb"]
    verdict = "within" if abs(growth) <= 15 else "OUTSIDE"
    print(f"target: peak RSS grows by at most 15 MB: {growth:+.1f} MB ({verdict})")


if __name__ == "__main__":
    main()
