"""A fake browser for the OAuth tests: it plays the user on the sandbox's consent page.

It asks the sandbox to decide at once (``auto=approve|deny``), then follows the redirect to
the loopback callback like a browser would, optionally after doing something to it first
(letting the code expire, swapping the state). It speaks urllib rather than httpx so that,
like a real browser, its traffic is not in the Python log the leak tests read.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

Tamper = Callable[[str], str]


def _no_change(location: str) -> str:
    return location


def replace_query(location: str, **changes: str) -> str:
    parts = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


class _StopAtRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # urllib then raises HTTPError(302), whose headers hold the Location


def _get_location(url: str) -> str:
    try:
        urllib.request.build_opener(_StopAtRedirect).open(url, timeout=5)
    except urllib.error.HTTPError as reply:
        if reply.code in (301, 302, 303, 307) and reply.headers.get("Location"):
            return str(reply.headers["Location"])
        raise
    raise AssertionError(f"the consent page did not redirect: {url}")


def _get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as reply:
        return reply.code


class FakeBrowser:
    """Records the redirects it followed, so tests can look for their codes elsewhere."""

    def __init__(self, decision: str = "approve", before_redirect: Tamper = _no_change) -> None:
        self.decision = decision
        self.before_redirect = before_redirect
        self.redirects: list[str] = []
        self.pages: list[int] = []
        self._threads: list[threading.Thread] = []

    def codes(self) -> list[str]:
        found = [parse_qs(urlsplit(url).query).get("code", [""])[0] for url in self.redirects]
        return [code for code in found if code]

    def visit(self, url: str) -> None:
        location = self.before_redirect(_get_location(f"{url}&auto={self.decision}"))
        self.redirects.append(location)
        self.pages.append(_get_status(location))

    async def open(self, url: str) -> None:
        """The async opener for `authorize(...)`; the flow's loop keeps serving meanwhile."""
        await asyncio.to_thread(self.visit, url)

    def open_in_thread(self, url: str) -> bool:
        """The CLI's opener, shaped like `webbrowser.open`."""
        thread = threading.Thread(target=self.visit, args=(url,), daemon=True)
        thread.start()
        self._threads.append(thread)
        return True

    def join(self) -> None:
        for thread in self._threads:
            thread.join(5.0)


def never_opened(url: str) -> Awaitable[None] | None:
    """An opener for the timeout test: nobody ever visits the URL."""
    return None
