"""Helpers for the panel's tests: the panel on a loopback port, Chromium through playwright.

A module of its own (not conftest) so test files and the benchmark import it by a name no
other test folder uses. Chromium is Debian's (``/usr/bin/chromium``); playwright only drives
it and never downloads a browser.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from intercom_connector.cli.ui_commands import connect
from intercom_connector.ui import AccessToken, PanelSettings, create_app

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# The tests take docs/ui.md's screenshots; they refresh docs/ only when asked
# (UI_SCREENSHOTS=1), so an ordinary test run leaves the checkout as it was.
DOCS = (
    ROOT / "docs"
    if os.environ.get("UI_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="ui-screenshots-"))
)
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class PanelHandle:
    base_url: str
    access: AccessToken
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def entry(self) -> str:
        """The URL `intercom-connector ui` prints (with the token)."""
        return f"{self.base_url}/?token={self.access.token}"

    def url(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{separator}token={self.access.token}"


@contextmanager
def serve_panel(runlog_path: Path | None = None) -> Iterator[PanelHandle]:
    """The panel on a free 127.0.0.1 port in a daemon thread, stopped on exit."""
    access = AccessToken()
    app = create_app(PanelSettings(connect=connect, runlog_path=runlog_path, access=access))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), name="ui-panel", daemon=True
    )
    thread.start()
    for _ in range(1000):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.01)
    if not server.started:
        raise RuntimeError("the panel did not start")
    try:
        yield PanelHandle(f"http://127.0.0.1:{port}", access, server, thread)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def sandbox_client() -> Any:
    """An ``AsyncIntercomClient`` wired in-process to a fresh sandbox (no rate limit)."""
    from intercom_connector.catalog.client import AsyncIntercomClient
    from intercom_connector.httpx_lib import httpx
    from intercom_connector.sandbox import Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(rate_limit=None))
    transport = httpx.ASGITransport(app=sandbox.app)
    return AsyncIntercomClient(sandbox.token, base_url="http://sandbox.test", transport=transport)


def killed_run(arguments: list[str], ready: Callable[[Any, Any], bool]) -> str:
    """Start ``intercom-connector run ARGUMENTS``, SIGKILL it once ``ready(log, summary)``
    holds for its run (or it ended); the run's id."""
    import signal
    import subprocess

    from intercom_connector.workflow import RunLog

    command = [PYTHON, "-m", "intercom_connector", "run", *arguments, "--quiet"]
    process = subprocess.Popen(
        command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with RunLog() as log:
            for _ in range(6000):
                runs = log.runs(1)
                if (runs and ready(log, runs[0])) or process.poll() is not None:
                    break
                threading.Event().wait(0.01)
            return log.runs(1)[0].run_id
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def launch_options() -> dict[str, object]:
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


def in_thread(work: Callable[[], T]) -> T:
    """``work()`` in a thread of its own: playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def run_example(path: Path, **options: Any) -> str:
    """Run a workflow file (``run_workflow_file``) off playwright's thread; its run id."""
    from intercom_connector.cli.workflow_commands import run_workflow_file

    return in_thread(lambda: run_workflow_file(path, **options))
