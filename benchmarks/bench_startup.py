"""Start-up and per-record CPU of the CLI, as ratios to plain httpx2 measured in the same run.

Start-up: the CPU (user + system, read from ``wait4`` of the child) of ``--help``,
``ops list --output json`` and ``call identify_admin --sandbox`` against the CPU of
``python -c "import httpx2"``; targets 1.0x, 1.0x and 1.5x. Rounds alternate between the
contenders so a shared machine's noise falls on all alike; the median of the rounds counts.
Children run with bytecode caching on (in a temporary ``PYTHONPYCACHEPREFIX``, warmed once),
as an installed package runs, even where the environment sets ``PYTHONDONTWRITEBYTECODE``.

A reference row, with no target: the least a ``call --sandbox`` of this shape can cost, a typer
command that imports httpx2 and asyncio and sends one request in-process through
``ASGITransport`` to a bare ASGI app (no catalog, no sandbox), with the CLI's garbage
collector handling. What ``call identify_admin --sandbox`` costs above it is the connector's.

Per record: the marginal CPU per contact of ``call list_contacts --all -o ndjson`` between
10,000 and 100,000 contacts (a sandbox process on 127.0.0.1) against a plain httpx2 loop that
writes the same NDJSON; target 1.3x.

    python benchmarks/bench_startup.py [--rounds 5] [--small 10000] [--large 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_list_contacts import TOKEN, start_sandbox

BASELINE = [sys.executable, "-c", "import httpx2"]
CLI = [sys.executable, "-m", "intercom_connector"]
COMMANDS: list[tuple[str, list[str], float]] = [
    # (label, arguments, target ratio to the baseline)
    ("--help", ["--help"], 1.0),
    ("ops list --output json", ["ops", "list", "--output", "json"], 1.0),
    ("call identify_admin --sandbox", ["call", "identify_admin", "--sandbox"], 1.5),
]

# The reference row: typer + httpx2 + asyncio and one in-process ASGI request, nothing else.
FLOOR = """
import gc, sys
gc.disable()
import asyncio, json
import httpx2, typer

async def bare_app(scope, receive, send):
    await receive()
    start = {"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", b"application/json")]}
    await send(start)
    await send({"type": "http.response.body", "body": b'{"type": "admin", "id": "1"}'})

async def request():
    transport = httpx2.ASGITransport(app=bare_app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox.local") as client:
        reply = await client.get("/me")
        sys.stdout.write(json.dumps(reply.json(), indent=2) + "\\n")

def call(name: str, sandbox: bool = False) -> None:
    gc.enable()
    asyncio.run(request())

sys.argv = ["floor", "identify_admin", "--sandbox"]
try:
    typer.run(call)
finally:
    gc.freeze()
"""
FLOOR_LABEL = "reference: typer+httpx2+asyncio, 1 ASGI request"

# The plain contender: page through /contacts with httpx2 and write each record as NDJSON.
PLAIN_NDJSON = f"""
import json, sys
import httpx2

headers = {{"Authorization": "Bearer {TOKEN}", "Accept": "application/json",
           "Intercom-Version": "2.16"}}
out = sys.stdout
with httpx2.Client(base_url=sys.argv[1], headers=headers, timeout=60) as client:
    params = {{"per_page": 150}}
    while True:
        reply = client.get("/contacts", params=params)
        reply.raise_for_status()
        page = json.loads(reply.content)
        for record in page["data"]:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\\n")
        cursor = ((page.get("pages") or {{}}).get("next") or {{}}).get("starting_after")
        if not cursor:
            break
        params = {{"per_page": 150, "starting_after": cursor}}
"""


def child_cpu(command: list[str], env: dict[str, str], expect_lines: int | None = None) -> float:
    """Run one child to its end; its user + system CPU seconds (from ``wait4``)."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        assert process.stdout is not None
        lines = sum(1 for _ in process.stdout)
        errors = process.stderr.read() if process.stderr else b""
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or (expect_lines is not None and lines != expect_lines):
        raise SystemExit(
            f"{' '.join(command)} exited {process.returncode} after {lines} lines:\n"
            + errors.decode(errors="replace")[-2000:]
        )
    return usage.ru_utime + usage.ru_stime


def child_env(home: Path, cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPYCACHEPREFIX=str(cache),
        INTERCOM_CONNECTOR_HOME=str(home),
        INTERCOM_TOKEN=TOKEN,
    )
    return env


def startup(rounds: int, env: dict[str, str]) -> None:
    contenders = [
        ("import httpx2", BASELINE),
        *((label, CLI + args) for label, args, _ in COMMANDS),
        (FLOOR_LABEL, [sys.executable, "-c", FLOOR]),
    ]
    for _, command in contenders:  # warm the bytecode cache
        child_cpu(command, env)
    samples: dict[str, list[float]] = {label: [] for label, _ in contenders}
    for _ in range(rounds):
        for label, command in contenders:
            samples[label].append(child_cpu(command, env))
    base = statistics.median(samples["import httpx2"])
    title = f"start-up (median CPU of {rounds} rounds)"
    print(f"{title:<42} {'CPU ms':>7} {'ratio':>6}")
    baseline = 'python -c "import httpx2" (baseline)'
    print(f"{baseline:<42} {base * 1000:>7.0f} {1.0:>6.2f}")
    for label, _, target in COMMANDS:
        cpu = statistics.median(samples[label])
        ratio = cpu / base
        verdict = "within" if ratio <= target else "OUTSIDE"
        print(f"{label:<42} {cpu * 1000:>7.0f} {ratio:>6.2f}  target {target}x ({verdict})")
    floor = statistics.median(samples[FLOOR_LABEL])
    print(f"{FLOOR_LABEL:<42} {floor * 1000:>7.0f} {floor / base:>6.2f}  (no target)")


def per_record(small: int, large: int, env: dict[str, str]) -> None:
    cli = [*CLI, "call", "list_contacts", "--all", "-p", "per_page=150", "-o", "ndjson"]
    cli += ["--quiet", "--base-url"]
    cpu: dict[tuple[str, int], float] = {}
    for size in (small, large):
        server, base = start_sandbox(size, "--rate-limit", "0")
        try:
            plain = [sys.executable, "-c", PLAIN_NDJSON, base]
            cpu[("plain", size)] = child_cpu(plain, env, expect_lines=size)
            cpu[("cli", size)] = child_cpu([*cli, base], env, expect_lines=size)
        finally:
            server.terminate()
            server.wait(timeout=10)
    extra = large - small
    plain = (cpu[("plain", large)] - cpu[("plain", small)]) / extra
    ours = (cpu[("cli", large)] - cpu[("cli", small)]) / extra
    print(f"\nper record, {small:,} -> {large:,} contacts (marginal CPU)   µs/record  ratio")
    print(f"{'plain httpx2 loop writing NDJSON':<46} {plain * 1e6:>9.1f} {1.0:>6.2f}")
    verdict = "within" if ours / plain <= 1.3 else "OUTSIDE"
    print(
        f"{'call list_contacts --all -o ndjson':<46} {ours * 1e6:>9.1f} {ours / plain:>6.2f}"
        f"  target 1.3x ({verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        env = child_env(scratch / "home", scratch / "pycache")
        startup(args.rounds, env)
        per_record(args.small, args.large, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
