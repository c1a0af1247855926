"""Who may use the panel: the holder of the printed token, from this machine's browser.

Runs hold customer data, so a page on 127.0.0.1 is not enough (any local user can connect
to it). As notebook servers do, the URL printed at start carries a random token; the first
visit trades it for an HttpOnly, SameSite=Strict cookie and redirects to the same page
without it, so the token leaves the address bar and the history. Every request must then
carry the cookie (compared in constant time). State-changing requests are POSTs that must
also carry the CSRF token found in the page (an ``X-CSRF-Token`` header, which a
cross-site form cannot set), and a Host header naming this server, which stops DNS-rebinding pages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "intercom_ui_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class AccessToken:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def csrf(self) -> str:
        """Derived from the access token, so it needs no storage and dies with the server."""
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    def accepts(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(
            presented.encode(), self.token.encode()
        )

    def accepts_csrf(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(presented.encode(), self.csrf.encode())


def _host_allowed(request: Request, hosts: frozenset[str]) -> bool:
    host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]").lower()
    return host in hosts


class AccessGuard:
    """ASGI middleware enforcing the token, the CSRF token and the Host header."""

    def __init__(self, app: ASGIApp, access: AccessToken, hosts: frozenset[str]) -> None:
        self.app = app
        self.access = access
        self.hosts = hosts | {"127.0.0.1", "localhost", "::1"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self._refusal(request)
        if response is None:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    async def _refusal(self, request: Request) -> Response | None:
        if not _host_allowed(request, self.hosts):
            return PlainTextResponse("unknown Host header", status_code=403)
        presented = request.query_params.get("token")
        if presented is not None and request.method in _SAFE_METHODS:
            if not self.access.accepts(presented):
                return _forbidden()
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(
                COOKIE, self.access.token, httponly=True, samesite="strict", path="/"
            )
            return response
        if not self.access.accepts(request.cookies.get(COOKIE)):
            return _forbidden()
        if request.method in _SAFE_METHODS:
            return None
        if request.method != "POST":
            return PlainTextResponse("method not allowed", status_code=405)
        if not self.access.accepts_csrf(request.headers.get(CSRF_HEADER)):
            return PlainTextResponse("refused: a POST needs the page's CSRF token", status_code=403)
        return None


def _forbidden() -> Response:
    return PlainTextResponse(
        "refused: open the URL printed by `intercom-connector ui` (it carries the access token)",
        status_code=403,
    )
