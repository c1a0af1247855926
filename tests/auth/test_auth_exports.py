"""The layer's public face is deliberate: a change to it shows up here."""

from __future__ import annotations

import intercom_connector.auth as auth


def test_public_names_are_pinned():
    assert set(auth.__all__) == {
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
    }
    assert all(hasattr(auth, name) for name in auth.__all__)
