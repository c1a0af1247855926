"""Intercom's OAuth authorization-code flow, offline.

``GET /oauth`` shows a small consent page whose Approve/Deny buttons post back to
``/oauth``; automation skips the page with ``?approve=1``, ``?auto=approve`` or
``?auto=deny``. Approval redirects to the app's ``redirect_uri`` with ``code`` and
``state``; ``POST /auth/eagle/token`` trades the code (single use, expiring after
``oauth_code_ttl_seconds``) for a token that is then a valid bearer token for the API.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

from .config import OAuthClient
from .records import AuthorizationCode
from .replies import ApiError, Reply
from .state import SandboxState

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize {app}</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 4em auto">
<h1>{app} wants to access {workspace}</h1>
<p>This is the Intercom sandbox. Approving issues a token for the local sandbox only.</p>
<form method="post" action="/oauth">
<input type="hidden" name="client_id" value="{client_id}">
<input type="hidden" name="state" value="{state}">
<input type="hidden" name="redirect_uri" value="{redirect_uri}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>
"""


def _client(state: SandboxState, client_id: str | None) -> OAuthClient | None:
    return next((c for c in state.config.oauth_clients if c.client_id == client_id), None)


def _html_error(status: int, message: str) -> Reply:
    page = f"<!doctype html><title>OAuth error</title><p>{html.escape(message)}</p>"
    return Reply.text(page, status, "text/html")


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _decision(params: Mapping[str, str]) -> str | None:
    if params.get("approve", "").lower() in ("1", "true", "yes"):
        return "approve"
    auto = params.get("auto") or params.get("decision")
    return auto if auto in ("approve", "deny") else None


def authorize(state: SandboxState, params: Mapping[str, str]) -> Reply:
    client = _client(state, params.get("client_id"))
    if client is None:
        return _html_error(400, "Unknown client_id.")
    redirect_uri = params.get("redirect_uri") or (client.redirect_uris[:1] or ("",))[0]
    if not redirect_uri:
        return _html_error(400, "No redirect_uri given and none registered for this app.")
    if client.redirect_uris and redirect_uri not in client.redirect_uris:
        return _html_error(400, "redirect_uri is not registered for this app.")
    decision = _decision(params)
    oauth_state = params.get("state", "")
    if decision is None:
        page = _PAGE.format(
            app=html.escape(client.name),
            workspace=html.escape(state.workspace.name),
            client_id=html.escape(client.client_id),
            state=html.escape(oauth_state),
            redirect_uri=html.escape(redirect_uri),
        )
        return Reply.text(page, 200, "text/html")
    if decision == "deny":
        target = _with_query(redirect_uri, {"error": "access_denied", "state": oauth_state})
    else:
        code = secrets.token_urlsafe(24)
        state.oauth_codes[code] = AuthorizationCode(
            code, client.client_id, redirect_uri, state.clock.now()
        )
        target = _with_query(redirect_uri, {"code": code, "state": oauth_state})
    reply = Reply.empty(302)
    reply.headers["Location"] = target
    return reply


def exchange_code(state: SandboxState, data: Mapping[str, object]) -> Reply:
    for name in ("code", "client_id", "client_secret"):
        if not data.get(name):
            raise ApiError(400, "parameter_not_found", f"{name} is required", field_name=name)
    client = _client(state, str(data["client_id"]))
    if client is None or not secrets.compare_digest(
        client.client_secret, str(data["client_secret"])
    ):
        raise ApiError(401, "unauthorized", "Client authentication failed")
    grant = state.oauth_codes.get(str(data["code"]))
    expired = (
        grant is not None
        and state.clock.now() - grant.issued_at > state.config.oauth_code_ttl_seconds
    )
    if grant is None or grant.used or expired or grant.client_id != client.client_id:
        raise ApiError(
            400,
            "invalid_grant",
            "The authorization code is invalid, expired or already used",
            field_name="code",
        )
    grant.used = True
    token = f"sbx_{secrets.token_urlsafe(32)}"
    state.issued_tokens.add(token)
    return Reply.json({"token": token, "access_token": token, "token_type": "Bearer"})
