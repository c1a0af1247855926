"""A loopback HTTP server that answers from a script, or not at all.

A module of its own (not conftest) so test files can import it by a name no other test
folder uses.
"""

from __future__ import annotations

import socket
import threading


class SilentServer:
    """Accepts connections on 127.0.0.1, reads each request, and answers only as scripted.

    ``replies`` is consumed in order, one per request; a request past the script (or with a
    ``None`` reply) is held open without an answer until the server stops.
    """

    def __init__(self, replies: list[bytes | None] | None = None) -> None:
        self.replies = list(replies or [])
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        received = b""
        with conn:
            while not self._stop.is_set() and b"\r\n\r\n" not in received:
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                received += chunk
            self.requests.append(received.split(b"\r\n", 1)[0])
            reply = self.replies.pop(0) if self.replies else None
            if reply is not None:
                conn.sendall(reply)
                return
            self._stop.wait()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()
