"""The debug panel on a run of 20,000 loop iterations, in Chromium: first render and memory.

Two runs of the same workflow (a loop over ``$.config.items`` with one map step inside) go
to a throw-away run log: a baseline of ``--small`` iterations and one of ``--large``. For
each, Chromium (Debian's, driven by playwright) opens the run's page and the figures are:

- first render: navigation start until the step tree is on screen (``performance.now()``);
  the server folds (and unseals) the run's log on that first view and keeps the fold, so
  "again" is the same after a reload,
- open the loop: click to the first page of iterations shown,
- JS heap used and DOM node count (Chrome DevTools Protocol ``Performance.getMetrics``),
- bytes of the run's JSON as the page loads it.

The ratios large/small say whether the page grows with the run; it should not, since
iterations come 50 at a time and values a node at a time.

    python benchmarks/bench_ui.py [--small 100] [--large 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "ui"))

WORKFLOW = """
name: Many iterations
trigger: manual
config:
  items: []
steps:
  - id: loop-1
    loop:
      list: $.config.items
    steps:
      - id: shape
        map:
          n: $.steps.loop-1.value
          index: $.steps.loop-1.index
"""


def make_run(count: int) -> tuple[str, float]:
    from ui_kit import sandbox_client

    from intercom_connector.workflow import parse_workflow, run_workflow

    async def go() -> str:
        async with sandbox_client() as client:
            loaded = parse_workflow(WORKFLOW, "many.yaml")
            items = list(range(count))
            result = await run_workflow(loaded, client, config={"items": items})
            return result.run_id

    began = time.perf_counter()
    run_id = asyncio.run(go())
    return run_id, time.perf_counter() - began


def measure(browser: Any, panel: Any, run_id: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(300_000)
    page.goto(panel.url("/"))  # trade the token for the cookie first
    sizes: list[int] = []
    page.on(
        "response",
        lambda r: sizes.append(len(r.body())) if r.url.endswith(f"/api/runs/{run_id}") else None,
    )
    page.goto(f"{panel.base_url}/runs/{run_id}")
    page.wait_for_selector("#step-tree li.step")
    first = page.evaluate("performance.now()")
    opened = time.perf_counter()
    page.locator('li.step[data-key="loop-1"] > .row .twisty').click()
    page.wait_for_selector("li.iteration")
    open_ms = (time.perf_counter() - opened) * 1000
    page.wait_for_selector("#timeline .timeline-row")
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    page.reload()
    page.wait_for_selector("#step-tree li.step")
    again = page.evaluate("performance.now()")
    context.close()
    return {
        "first_ms": first,
        "again_ms": again,
        "open_ms": open_ms,
        "heap_mb": metrics["JSHeapUsedSize"] / 1e6,
        "nodes": metrics["Nodes"],
        "json_kb": (sizes[0] if sizes else 0) / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["INTERCOM_CONNECTOR_HOME"] = home
        from playwright.sync_api import sync_playwright
        from ui_kit import launch_options, serve_panel

        runs = {count: make_run(count) for count in (args.small, args.large)}
        with serve_panel() as panel, sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options())
            figures = {
                count: measure(browser, panel, run_id) for count, (run_id, _) in runs.items()
            }
            browser.close()
    small, large = figures[args.small], figures[args.large]
    print(
        "| iterations | run (s) | first render (ms) | again (ms) | open loop (ms) "
        "| JS heap (MB) | DOM nodes | run JSON (kB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count, row in figures.items():
        print(
            f"| {count:,} | {runs[count][1]:.1f} | {row['first_ms']:.0f} | {row['again_ms']:.0f} "
            f"| {row['open_ms']:.0f} "
            f"| {row['heap_mb']:.1f} | {row['nodes']:.0f} | {row['json_kb']:.1f} |"
        )
    ratios = ", ".join(
        f"{name} x{large[key] / small[key]:.2f}"
        for key, name in (("first_ms", "first render"), ("heap_mb", "heap"), ("nodes", "DOM nodes"))
    )
    print(f"\n{args.large:,} against {args.small:,} iterations: {ratios}")


if __name__ == "__main__":
    main()
