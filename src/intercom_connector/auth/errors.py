"""Errors of the authentication layer, grouped by what the person should do next.

::

    AuthError                        anything this layer raises: an errors.AuthError (exit 3)
    ├── InvalidAuthenticationInput   fix the command: bad name, region, type or scope (exit 2)
    │   └── UnknownScope             a scope id the catalog does not list
    ├── AuthenticationNotFound       no authentication of that name is visible to this user
    ├── AuthenticationExists         the name is taken (exit 2)
    ├── KeyProblem                   the encryption key cannot open the stored secrets
    │   ├── InvalidKey               the configured key is not a Fernet key
    │   ├── KeyMissing               secrets exist but the key file is gone
    │   ├── KeyFileExposed           the key file is readable by other users (refused)
    │   └── WrongKey                 a different key encrypted the secrets
    ├── TamperedSecret               a secret decrypts but belongs to another authentication
    ├── StoreUnusable                the database is corrupt, locked, a directory (store_problems)
    └── OAuthError                   the authorization-code flow did not yield a token
        ├── AuthorizationDenied      the user clicked deny (or Intercom said error=...)
        ├── StateMismatch            the redirect's `state` is not ours: possible CSRF
        ├── AuthorizationTimeout     nobody came back to the loopback server in time
        └── TokenExchangeFailed      the token endpoint refused the code

No message ever contains a secret: the classes are built from names, ids and what the server
said after redaction, never from a token, a client secret, an authorization code or a key.
"""

from __future__ import annotations

from intercom_connector import errors


class AuthError(errors.AuthError):
    """Base of every error raised by the authentication layer (exit 3 unless it says)."""


class InvalidAuthenticationInput(errors.UsageError, AuthError):
    """The command asked for something malformed: fix the arguments and run it again."""


class UnknownScope(InvalidAuthenticationInput):
    """A scope id that the catalog's scope list does not contain."""

    def __init__(self, scope: str, suggestions: list[str]) -> None:
        self.scope = scope
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown scope {scope!r}{hint} (run `intercom-connector auth scopes` for the "
            "list; pass scopes the list lacks with --extra-scopes)"
        )


class AuthenticationNotFound(AuthError):
    """No authentication of that name that the current user may see."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"no authentication named {name!r} (see `intercom-connector auth list`; "
            "personal authentications are visible only to their owner)"
        )


class AuthenticationExists(errors.UsageError, AuthError):
    """The name is already used by an authentication in the store (a usage error: exit 2)."""


class KeyProblem(AuthError):
    """The encryption key cannot be used to open the stored secrets."""

    label = "encryption key"


class InvalidKey(KeyProblem):
    """The configured key is not a Fernet key (32 url-safe base64-encoded bytes)."""


class KeyMissing(KeyProblem):
    """Secrets were stored, but the key file that encrypted them is gone."""


class KeyFileExposed(KeyProblem):
    """The key file's mode lets other users read it; like ssh, the connector refuses it."""


class WrongKey(KeyProblem):
    """The key decrypts nothing in the store: it is not the one the secrets were sealed with."""


class TamperedSecret(AuthError):
    """A stored secret decrypted, but was sealed for another authentication."""


class OAuthError(AuthError):
    """The OAuth2 authorization-code flow ended without a token."""

    label = "oauth"


class AuthorizationDenied(OAuthError):
    """The user refused access, or Intercom redirected back with an error."""


class StateMismatch(OAuthError):
    """The redirect carried a `state` we did not issue; the flow stops (CSRF protection)."""


class AuthorizationTimeout(OAuthError):
    """No redirect reached the loopback server before the timeout."""


class TokenExchangeFailed(OAuthError):
    """The token endpoint refused the authorization code or answered something unreadable."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        self.status = status
        self.code = code
        super().__init__(message)
