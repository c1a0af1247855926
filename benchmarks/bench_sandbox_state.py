"""What the sandbox's state file costs: writes per second with and without ``--state``.

The same sequence of writes (create an article, update it, create a contact) goes through
an in-process sandbox held in memory and through one journaling to a SQLite state file;
then a fresh sandbox replays that file. Printed: writes per second each way, the ratio of
the journaled rate to the in-memory baseline measured in the same run, and how long the
replay of every journaled write takes on start.

    python benchmarks/bench_sandbox_state.py [--writes 600]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from intercom_connector.sandbox import Sandbox, SandboxConfig


async def _writes(sandbox: Sandbox, count: int) -> float:
    started = time.perf_counter()
    async with sandbox.async_client() as client:
        for index in range(count // 3):
            article = (
                await client.post("/articles", json={"title": f"a{index}", "author_id": 1})
            ).json()
            await client.put(f"/articles/{article['id']}", json={"title": f"b{index}"})
            await client.post("/contacts", json={"email": f"c{index}@example.com"})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=600)
    args = parser.parse_args()
    count = args.writes - args.writes % 3
    config = SandboxConfig(rate_limit=None)
    memory = asyncio.run(_writes(Sandbox(config), count))
    with tempfile.TemporaryDirectory() as folder:
        state = str(Path(folder) / "state.sqlite")
        journaled_sandbox = Sandbox(SandboxConfig(rate_limit=None, state_path=state))
        journaled = asyncio.run(_writes(journaled_sandbox, count))
        journaled_sandbox.close()
        started = time.perf_counter()
        Sandbox(SandboxConfig(rate_limit=None, state_path=state)).close()
        replay = time.perf_counter() - started
    print(f"in memory:  {count / memory:8.0f} writes/s (baseline)")
    print(f"state file: {count / journaled:8.0f} writes/s ({journaled / memory:.2f}x the time)")
    print(f"replay of {count} writes on start: {replay:.2f}s")


if __name__ == "__main__":
    main()
