"""Authentications: named, typed, scoped credentials, sealed at rest, picked by name.

The public face of the layer; the modules behind it each hold one concern:

- ``models``   what an authentication is (no secret) and its resolved form (with the token)
- ``store``    the SQLite store, visibility by owner, key rotation
- ``crypto``   key material and the Fernet cipher
- ``scopes``   choosing scopes from the catalog's list; explaining a refused one
- ``oauth``    the authorization-code flow and code exchange; ``loopback`` its redirect server
- ``errors``   the exception hierarchy (drawn in its docstring)
"""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

if TYPE_CHECKING:
    from intercom_connector.auth.crypto import KEY_ENV
    from intercom_connector.auth.errors import (
        AuthenticationExists,
        AuthenticationNotFound,
        AuthError,
        AuthorizationDenied,
        AuthorizationTimeout,
        InvalidAuthenticationInput,
        InvalidKey,
        KeyMissing,
        KeyProblem,
        OAuthError,
        StateMismatch,
        TamperedSecret,
        TokenExchangeFailed,
        UnknownScope,
        WrongKey,
    )
    from intercom_connector.auth.models import (
        Authentication,
        AuthType,
        Method,
        ResolvedAuthentication,
    )
    from intercom_connector.auth.oauth import OAuthApp, OAuthEndpoints, authorize, exchange_code
    from intercom_connector.auth.scopes import (
        ScopeRefusedByServer,
        ScopeSelection,
        choose_scopes,
        known_scopes,
        refused_scope,
    )
    from intercom_connector.auth.store import AuthenticationStore, current_user, resolve

__all__ = [
    "KEY_ENV",
    "AuthError",
    "AuthType",
    "Authentication",
    "AuthenticationExists",
    "AuthenticationNotFound",
    "AuthenticationStore",
    "AuthorizationDenied",
    "AuthorizationTimeout",
    "InvalidAuthenticationInput",
    "InvalidKey",
    "KeyMissing",
    "KeyProblem",
    "Method",
    "OAuthApp",
    "OAuthEndpoints",
    "OAuthError",
    "ResolvedAuthentication",
    "ScopeRefusedByServer",
    "ScopeSelection",
    "StateMismatch",
    "TamperedSecret",
    "TokenExchangeFailed",
    "UnknownScope",
    "WrongKey",
    "authorize",
    "choose_scopes",
    "current_user",
    "exchange_code",
    "known_scopes",
    "refused_scope",
    "resolve",
]

__getattr__, __dir__ = attach(__name__, __file__)
