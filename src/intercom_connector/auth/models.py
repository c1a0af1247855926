"""What an authentication is: its public description, and the resolved form that holds the token.

``Authentication`` never carries the secret, so it can be listed, printed and logged freely.
``ResolvedAuthentication`` is the only object that holds a token; its repr hides it, so a
traceback or a debug log of it cannot leak the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from intercom_connector.auth.errors import InvalidAuthenticationInput
from intercom_connector.http.regions import REGION_URLS

if TYPE_CHECKING:
    from intercom_connector.catalog.client import AsyncIntercomClient

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class AuthType(StrEnum):
    """Who may use an authentication: only its owner, or every user of the store."""

    personal = "personal"
    organisational = "organisational"

    @classmethod
    def parse(cls, value: str | AuthType) -> AuthType:
        if isinstance(value, AuthType):
            return value
        key = value.strip().lower().replace("organizational", "organisational")
        try:
            return cls(key)
        except ValueError:
            raise InvalidAuthenticationInput(
                f"unknown authentication type {value!r}; use personal or organisational"
            ) from None


class Method(StrEnum):
    """How the secret was obtained; shown so people know whether re-authorizing is possible."""

    token = "token"
    oauth = "oauth"


def check_name(name: str) -> str:
    """Names appear in commands and workflow files, so keep them shell- and YAML-friendly."""
    if not NAME_PATTERN.match(name):
        raise InvalidAuthenticationInput(
            f"invalid authentication name {name!r}: use 1-64 letters, digits, '.', '_', '-' "
            "or '@', starting with a letter or digit"
        )
    return name


def check_region(region: str | None) -> str:
    key = (region or "us").strip().lower()
    if key not in REGION_URLS:
        raise InvalidAuthenticationInput(
            f"unknown region {region!r}; use one of {', '.join(sorted(REGION_URLS))}"
        )
    return key


def check_base_url(base_url: str | None) -> str | None:
    if base_url is None:
        return None
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise InvalidAuthenticationInput(
            f"invalid base URL {base_url!r}: expected http(s)://host[:port][/path]"
        )
    return base_url.rstrip("/")


@dataclass(frozen=True)
class Authentication:
    """An authentication as the store describes it: everything but the secret."""

    name: str
    type: AuthType
    owner: str
    method: Method
    region: str
    base_url: str | None
    scopes: tuple[str, ...]
    extra_scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None = None
    client_id: str | None = None

    @property
    def granted_scopes(self) -> frozenset[str]:
        """Everything an operation may need: chosen scopes plus the free extra ones."""
        return frozenset(self.scopes) | frozenset(self.extra_scopes)

    def visible_to(self, user: str) -> bool:
        return self.type is AuthType.organisational or self.owner == user

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (for `auth list -o json`); holds no secret by construction."""
        return {
            "name": self.name,
            "type": self.type.value,
            "owner": self.owner,
            "method": self.method.value,
            "region": self.region,
            "base_url": self.base_url,
            "scopes": list(self.scopes),
            "extra_scopes": list(self.extra_scopes),
            "client_id": self.client_id,
            "created_at": self.created_at.isoformat(),
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
        }


@dataclass(frozen=True)
class ResolvedAuthentication:
    """What an operation needs to run: the token, where to send it, and what it may do."""

    name: str
    token: str = field(repr=False)
    region: str
    base_url: str | None
    scopes: frozenset[str]

    def __repr__(self) -> str:
        return (
            f"ResolvedAuthentication(name={self.name!r}, token=<hidden>, region={self.region!r}, "
            f"base_url={self.base_url!r}, scopes={sorted(self.scopes)!r})"
        )

    def client(self, *, enforce_scopes: bool = True, **options: Any) -> AsyncIntercomClient:
        """An executor for this authentication; operations outside its scopes are refused."""
        from intercom_connector.catalog.client import AsyncIntercomClient

        return AsyncIntercomClient(
            self.token,
            region=self.region,
            base_url=self.base_url,
            granted_scopes=self.scopes if enforce_scopes else None,
            **options,
        )
