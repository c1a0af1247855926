"""Stoplight Prism as an oracle for requests: install it, run it on loopback, read its verdicts.

Prism (``@stoplight/prism-cli`` from the npm registry) mocks an API from its OpenAPI
description and validates every request it receives against that description. Started with
``--errors``, it turns a request that breaks the spec into an error reply: its own 422
``application/problem+json`` with a ``validation`` list, or, when the spec declares a 4xx for
the operation, that reply with the violations in an ``sl-violations`` header. Its mock replies
are validated too; a spec example that breaks the spec's own schema comes back as a 500
``VIOLATIONS`` problem whose violations all sit under ``response``. Those say nothing about
the request and are not counted against it.

Prism is installed with npm into ``.cache/prism/`` under the project root (git-ignored), once,
under a file lock so parallel test processes do not install it twice. Run this file directly
to install it ahead of a test run: ``python tests/contract/prism_server.py``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intercom_connector.httpx_lib import httpx

PRISM_PACKAGE = "@stoplight/prism-cli"
# Pinned exactly: 5.14.2 is the newest release whose `engines` accepts Node 18.20/20
# (5.15.10 and later require Node >= 24.14). Newer majors change the CLI and error format.
PRISM_VERSION = "5.14.2"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = PROJECT_ROOT / ".cache" / "prism"
SPEC = PROJECT_ROOT.parent / "shared/intercom-openapi/api.intercom.io.yaml"
INSTALL_TIMEOUT = 300.0
STARTUP_TIMEOUT = 60.0
PRISM_ERRORS = "https://stoplight.io/prism/errors#"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class NodeMissing(RuntimeError):
    """Node.js or npm is not on PATH: Prism cannot run here."""


def node_tools() -> tuple[str, str]:
    """The paths of ``node`` and ``npm``, or NodeMissing naming what is absent."""
    node, npm = shutil.which("node"), shutil.which("npm")
    missing = [name for name, path in (("node", node), ("npm", npm)) if path is None]
    if missing or node is None or npm is None:
        raise NodeMissing(f"{' and '.join(missing)} not found on PATH; Prism needs Node.js")
    return node, npm


def _installed_version(cache_dir: Path) -> str | None:
    manifest = cache_dir / "node_modules" / PRISM_PACKAGE / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def prism_entry_point(cache_dir: Path = CACHE_DIR) -> Path:
    return cache_dir / "node_modules" / PRISM_PACKAGE / "dist" / "index.js"


def install_prism(cache_dir: Path = CACHE_DIR, progress: Callable[[str], None] = print) -> Path:
    """Install the pinned Prism into ``cache_dir`` unless it is there; return its entry point.

    Raises NodeMissing when Node.js or npm is absent, RuntimeError when npm fails.
    """
    _, npm = node_tools()
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if _installed_version(cache_dir) != PRISM_VERSION:
            progress(f"installing {PRISM_PACKAGE}@{PRISM_VERSION} into {cache_dir} (npm, once)")
            started = time.monotonic()
            env = {
                **os.environ,
                "npm_config_update_notifier": "false",
                "npm_config_fund": "false",
                "npm_config_audit": "false",
            }
            try:
                done = subprocess.run(
                    [
                        npm,
                        "install",
                        "--prefix",
                        str(cache_dir),
                        "--save-exact",
                        "--no-audit",
                        "--no-fund",
                        f"{PRISM_PACKAGE}@{PRISM_VERSION}",
                    ],
                    cwd=cache_dir,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=INSTALL_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise RuntimeError(f"npm install took over {INSTALL_TIMEOUT:.0f}s") from exc
            if done.returncode != 0 or _installed_version(cache_dir) != PRISM_VERSION:
                raise RuntimeError(
                    f"npm install {PRISM_PACKAGE}@{PRISM_VERSION} failed "
                    f"(exit {done.returncode}):\n{done.stderr[-3000:]}"
                )
            progress(f"installed Prism {PRISM_VERSION} in {time.monotonic() - started:.1f}s")
    entry = prism_entry_point(cache_dir)
    if not entry.is_file():
        raise RuntimeError(f"Prism is installed but {entry} is missing")
    return entry


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrismServer:
    """A running ``prism mock`` process; ``url`` is where it listens."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log_tail(self, limit: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _wait_until_listening(server: PrismServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"Prism exited with {server.process.returncode} before listening:\n"
                + server.log_tail()
            )
        try:
            httpx.get(f"{server.url}/", timeout=1.0)  # any HTTP answer means it listens
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"Prism did not listen within {timeout:.0f}s:\n{server.log_tail()}")


@contextlib.contextmanager
def running_prism(
    entry_point: Path, spec: Path, log_path: Path, timeout: float = STARTUP_TIMEOUT
) -> Iterator[PrismServer]:
    """``prism mock <spec> --errors`` on 127.0.0.1 and a free port, stopped on exit."""
    if not spec.is_file():
        raise RuntimeError(f"the OpenAPI description is missing: {spec}")
    node, _ = node_tools()
    port = free_port()
    command = [
        node,
        str(entry_point),
        "mock",
        str(spec),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--errors",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = PrismServer(process, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_listening(server, timeout)
        yield server
    finally:
        server.stop()


# -- verdicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    location: tuple[str, ...]
    severity: str
    code: str
    message: str

    @classmethod
    def parse(cls, item: dict[str, Any]) -> Violation:
        return cls(
            tuple(str(part) for part in item.get("location", [])),
            str(item.get("severity", "")),
            str(item.get("code", "")),
            str(item.get("message", "")),
        )

    @property
    def about_response(self) -> bool:
        # The header says ["request", ...] or ["response", ...]; Prism's own 422 body drops
        # the "request" prefix (["body", "from", "id"], ["query"]).
        return self.location[:1] == ("response",)

    def __str__(self) -> str:
        return f"{'.'.join(self.location)}: {self.message} [{self.code}]"


@dataclass
class Exchange:
    """One request and the reply it got, as seen on the wire."""

    method: str
    url: str
    request_body: bytes
    status: int
    headers: httpx.Headers
    body: bytes

    def problem(self) -> dict[str, Any] | None:
        """Prism's own problem document, when the reply is one."""
        if "problem+json" not in self.headers.get("content-type", ""):
            return None
        try:
            document = json.loads(self.body)
        except ValueError:
            return None
        if isinstance(document, dict) and str(document.get("type", "")).startswith(PRISM_ERRORS):
            return document
        return None

    def violations(self) -> list[Violation]:
        found: list[Violation] = []
        header = self.headers.get("sl-violations")
        if header:
            found += [Violation.parse(item) for item in json.loads(header)]
        problem = self.problem()
        if problem:
            found += [Violation.parse(item) for item in problem.get("validation") or []]
        return list(dict.fromkeys(found))

    def rejection(self) -> str | None:
        """Why Prism refused the request as not matching the spec, or None if it did not."""
        against_request = [
            v for v in self.violations() if not v.about_response and v.severity == "Error"
        ]
        if against_request:
            return "; ".join(str(v) for v in against_request)
        problem = self.problem()
        if problem and problem["type"] != PRISM_ERRORS + "VIOLATIONS":
            # no route, no such method, not acceptable, unauthorized: the request is wrong too
            return f"{problem.get('title')}: {problem.get('detail')}"
        return None

    def describe(self) -> str:
        body = self.request_body.decode(errors="replace")
        return f"{self.method} {self.url} body={body[:500] or '-'} -> {self.status}"


@dataclass
class LoopbackRecorder(httpx.AsyncBaseTransport):
    """A real network transport that keeps every exchange and never leaves loopback.

    A mock reply may redirect to a URL from the spec's examples (``get_call_recording``
    answers 302 to example.com); following it would leave the machine, so such a request
    fails here with a connection error, after Prism's own reply has been recorded.
    """

    exchanges: list[Exchange] = field(default_factory=list)
    inner: httpx.AsyncHTTPTransport = field(default_factory=httpx.AsyncHTTPTransport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host not in LOOPBACK_HOSTS:
            raise httpx.ConnectError(
                f"refused to leave loopback for {request.url.host}", request=request
            )
        response = await self.inner.handle_async_request(request)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        decoded = httpx.Response(response.status_code, headers=response.headers, content=raw)
        self.exchanges.append(
            Exchange(
                request.method,
                str(request.url),
                request.content,
                response.status_code,
                response.headers,
                decoded.read(),
            )
        )
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=raw,
            request=request,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


if __name__ == "__main__":
    try:
        print(install_prism())
    except NodeMissing as missing:
        sys.exit(str(missing))
