"""A minimal Language Server Protocol client over stdio, to ask yaml-language-server things.

Enough of the protocol for the editor tests: initialize, open a document, ask for
completions, collect the diagnostics the server publishes, shut down. Every read is bounded
by a deadline, so a server that hangs fails the test instead of stalling it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


class LanguageServer:
    def __init__(self, command: list[str], root: Path, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self._next_id = 0
        self._inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._receiver = threading.Thread(target=self._receive, daemon=True)
        self._receiver.start()
        self.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}},
        )
        self.notify("initialized", {})
        settings = {"yaml": {"validate": True, "completion": True, "schemas": {}}}
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _receive(self) -> None:
        """Read framed messages off the server's stdout into the inbox, until it closes."""
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.decode().partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self._inbox.put(json.loads(stream.read(length)))

    def _read(self, deadline: float) -> dict[str, Any]:
        try:
            return self._inbox.get(timeout=max(0.0, deadline - time.time()))
        except queue.Empty:
            raise TimeoutError("the language server did not answer in time") from None

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method == "textDocument/publishDiagnostics":
            params = message["params"]
            self.diagnostics[params["uri"]] = params["diagnostics"]
        elif method == "workspace/configuration":
            items = message["params"]["items"]
            self._send({"id": message["id"], "result": [{"validate": True}] * len(items)})
        elif "id" in message and method is not None:
            self._send({"id": message["id"], "result": None})

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.time() + self.timeout
        while True:
            message = self._read(deadline)
            if message.get("id") == ident and "method" not in message:
                return message.get("result")
            self._handle(message)

    def open(self, path: Path, text: str) -> str:
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def completion_labels(self, uri: str, line: int, character: int) -> list[str]:
        position = {"line": line, "character": character}
        result = self.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": position}
        )
        items = result["items"] if isinstance(result, dict) else result or []
        return [item["label"] for item in items]

    def diagnostics_for(self, uri: str, timeout: float = 30.0) -> list[str]:
        """The messages of the first diagnostics published for ``uri``."""
        deadline = time.time() + timeout
        while uri not in self.diagnostics:
            self._handle(self._read(deadline))
        return [diagnostic["message"] for diagnostic in self.diagnostics[uri]]

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.process.wait(timeout=5)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=5)
        finally:
            self._receiver.join(timeout=5)
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
