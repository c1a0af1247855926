"""The OAuth2 authorization-code flow as Intercom runs it, ending in a stored access token.

Intercom's variant: the authorize page lives on the workspace host (``app.intercom.com``,
``app.eu.intercom.com``, ``app.au.intercom.com``) and takes ``client_id``, ``state`` and
``redirect_uri`` but no ``scope`` (permissions are ticked on the app itself); the code is
exchanged by a form POST of ``code``, ``client_id`` and ``client_secret`` to
``/auth/eagle/token`` on the regional API host, which answers JSON with ``token`` (some
answers also carry ``access_token``). Tokens do not expire and there is no refresh token.

The exchange is one httpx POST rather than Authlib: Authlib's httpx integration emits a
deprecation warning on import (it wants httpx2), its token model expects ``access_token``,
and none of what it adds (refresh, expiry, PKCE, token auth) applies to Intercom.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from intercom_connector.auth.errors import (
    AuthorizationDenied,
    AuthorizationTimeout,
    InvalidAuthenticationInput,
    StateMismatch,
    TokenExchangeFailed,
)
from intercom_connector.auth.loopback import Callback, LoopbackReceiver
from intercom_connector.http.errors import redact
from intercom_connector.http.regions import REGION_URLS
from intercom_connector.httpx_lib import httpx

log = logging.getLogger(__name__)

AUTHORIZE_HOSTS: dict[str, str] = {
    "us": "https://app.intercom.com",
    "eu": "https://app.eu.intercom.com",
    "au": "https://app.au.intercom.com",
}
AUTHORIZE_PATH = "/oauth"
TOKEN_PATH = "/auth/eagle/token"
DEFAULT_TIMEOUT = 300.0

# Opens the authorize URL for the user: a web browser, or a test's fake one. It may return an
# awaitable, which then runs beside the loopback server.
Opener = Callable[[str], Any]


@dataclass(frozen=True)
class OAuthEndpoints:
    """Where the user approves access, and where the code becomes a token."""

    authorize_url: str
    token_url: str

    @classmethod
    def for_region(cls, region: str = "us", base_url: str | None = None) -> OAuthEndpoints:
        """Intercom's endpoints for a region; with ``base_url`` (the sandbox), both on it."""
        if base_url:
            root = base_url.rstrip("/")
            return cls(root + AUTHORIZE_PATH, root + TOKEN_PATH)
        key = region.strip().lower()
        if key not in AUTHORIZE_HOSTS:
            raise InvalidAuthenticationInput(
                f"unknown region {region!r}; use one of {', '.join(sorted(AUTHORIZE_HOSTS))}"
            )
        return cls(AUTHORIZE_HOSTS[key] + AUTHORIZE_PATH, REGION_URLS[key] + TOKEN_PATH)


@dataclass(frozen=True)
class OAuthApp:
    """The Intercom app's credentials; the secret never appears in a repr."""

    client_id: str
    client_secret: str = field(repr=False)


def new_state() -> str:
    """An unguessable value tying the redirect to this run of the flow (CSRF protection)."""
    return secrets.token_urlsafe(32)


def authorize_url(endpoints: OAuthEndpoints, app: OAuthApp, state: str, redirect_uri: str) -> str:
    query = urlencode({"client_id": app.client_id, "state": state, "redirect_uri": redirect_uri})
    separator = "&" if "?" in endpoints.authorize_url else "?"
    return f"{endpoints.authorize_url}{separator}{query}"


def _token_from(document: Any) -> str | None:
    if not isinstance(document, dict):
        return None
    for key in ("token", "access_token"):
        value = document.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _refusal(document: Any) -> tuple[str | None, str]:
    """The error code and message of a refusal, in OAuth (RFC 6749) or Intercom shape."""
    if not isinstance(document, dict):
        return None, ""
    if isinstance(document.get("errors"), list) and document["errors"]:
        first = document["errors"][0] if isinstance(document["errors"][0], dict) else {}
        return first.get("code"), str(first.get("message") or "")
    code = document.get("error")
    return (str(code) if code else None), str(document.get("error_description") or "")


async def exchange_code(
    endpoints: OAuthEndpoints,
    app: OAuthApp,
    code: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 30.0,
) -> str:
    """POST the code to the token endpoint and return the access token."""
    hidden = (code, app.client_secret)
    form = {"code": code, "client_id": app.client_id, "client_secret": app.client_secret}
    try:
        async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
            reply = await client.post(
                endpoints.token_url, data=form, headers={"Accept": "application/json"}
            )
    except httpx.HTTPError as error:
        reason = redact(str(error) or type(error).__name__, hidden)
        raise TokenExchangeFailed(
            f"could not reach the token endpoint {endpoints.token_url}: {reason}"
        ) from None
    try:
        document = reply.json()
    except ValueError:
        document = None
    if reply.is_success:
        token = _token_from(document)
        if token:
            return token
        raise TokenExchangeFailed(
            f"the token endpoint answered {reply.status_code} without a token",
            status=reply.status_code,
        )
    error_code, message = _refusal(document)
    detail = redact(": ".join(part for part in (error_code, message) if part), hidden)
    raise TokenExchangeFailed(
        f"the token endpoint refused the authorization code ({reply.status_code}"
        f"{' ' + detail if detail else ''}); codes are single-use and expire after a few "
        "minutes, so run the authorization again",
        status=reply.status_code,
        code=error_code,
    )


async def authorize(
    endpoints: OAuthEndpoints,
    app: OAuthApp,
    *,
    opener: Opener,
    port: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> str:
    """Run the whole flow and return the access token.

    Starts the loopback receiver, hands the authorize URL to ``opener`` (which shows or opens
    it), waits up to ``timeout`` seconds for the redirect, checks ``state`` in constant time,
    and exchanges the code. ``transport`` reaches the token endpoint (tests mount an app).
    """
    state = new_state()
    async with LoopbackReceiver(port=port) as receiver:
        url = authorize_url(endpoints, app, state, receiver.redirect_uri)
        log.info("waiting for the OAuth redirect on %s", receiver.redirect_uri)
        opened = opener(url)
        browsing = asyncio.ensure_future(opened) if inspect.isawaitable(opened) else None
        try:
            callback = await _redirect_or_opener_failure(receiver, browsing, timeout)
        except TimeoutError:
            raise AuthorizationTimeout(
                f"no authorization arrived at {receiver.redirect_uri} within {timeout:g}s; "
                "open the URL, approve access, and try again (or raise --timeout)"
            ) from None
        finally:
            if browsing is not None:
                await _finish(browsing)
    if callback.state is None or not hmac.compare_digest(callback.state, state):
        raise StateMismatch(
            "the redirect's state does not match the one this command sent; the response "
            "was ignored (it may be forged, or from an older attempt); run the command again"
        )
    if callback.error or not callback.code:
        reason = callback.error or "no code in the redirect"
        described = f": {callback.error_description}" if callback.error_description else ""
        raise AuthorizationDenied(f"authorization was not granted ({reason}{described})")
    return await exchange_code(endpoints, app, callback.code, transport=transport)


async def _redirect_or_opener_failure(
    receiver: LoopbackReceiver, browsing: asyncio.Future[Any] | None, timeout: float
) -> Callback:
    """The redirect; but if the opener fails before it arrives, its error, not a long timeout."""
    waiting = asyncio.ensure_future(receiver.wait(timeout))
    if browsing is not None:
        await asyncio.wait({waiting, browsing}, return_when=asyncio.FIRST_COMPLETED)
        failure = None if browsing.cancelled() or not browsing.done() else browsing.exception()
        if failure is not None and not waiting.done():
            waiting.cancel()
            with suppress(asyncio.CancelledError):
                await waiting
            raise failure
    return await waiting


async def _finish(task: asyncio.Future[Any]) -> None:
    """Let the opener finish (a fake browser reading the page) without leaking its errors."""
    try:
        await asyncio.wait_for(task, 5.0)
    except TimeoutError:
        pass  # wait_for has cancelled it; a real browser is not ours to wait for
    except Exception as error:
        log.debug("the opener failed: %s", type(error).__name__)
