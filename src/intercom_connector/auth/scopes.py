"""Choosing the permission scopes of an authentication, and explaining a refused one.

The scope ids and their descriptions are catalog data (``load_catalog().scopes``): the same
list every operation's ``scope`` refers to, so what a person ticks at creation is exactly what
the executor checks before a request. Scopes the list lacks can still be granted as
``extra_scopes``; they are stored and honoured, but not validated.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from intercom_connector.auth.errors import InvalidAuthenticationInput, UnknownScope
from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.scopes import MissingScope
from intercom_connector.http.errors import PermissionDenied


def known_scopes() -> dict[str, str]:
    """Every scope id the catalog's operations use, with its human description."""
    return dict(load_catalog().scopes)


@dataclass(frozen=True)
class ScopeSelection:
    """The outcome of choosing: catalog scopes (in catalog order) and free extra ids."""

    scopes: tuple[str, ...]
    extra_scopes: tuple[str, ...]


def split_ids(values: Iterable[str]) -> list[str]:
    """Accept repeated options and comma- or space-separated lists alike."""
    ids: list[str] = []
    for value in values:
        for part in value.replace(",", " ").split():
            if part not in ids:
                ids.append(part)
    return ids


def choose_scopes(
    requested: Iterable[str] = (),
    *,
    all_scopes: bool = False,
    extra: Iterable[str] = (),
    known: Mapping[str, str] | None = None,
) -> ScopeSelection:
    """Validate a choice of scopes; an unknown id is an error with the closest suggestions.

    Nothing chosen is refused: an authentication without scopes could run no operation, and
    asking for the choice explicitly is what the connector page's scope list is for.
    """
    known = known_scopes() if known is None else known
    wanted = set(split_ids(requested))
    for scope in wanted:
        if scope not in known:
            raise UnknownScope(scope, difflib.get_close_matches(scope, list(known), n=3))
    extras = split_ids(extra)
    wanted |= {scope for scope in extras if scope in known}  # a listed scope is a scope
    if all_scopes:
        wanted = set(known)
    chosen = tuple(scope for scope in known if scope in wanted)
    free = tuple(scope for scope in extras if scope not in known)
    if not chosen and not free:
        raise InvalidAuthenticationInput(
            "choose the permission scopes: --scopes ID[,ID...], --all-scopes, and/or "
            "--extra-scopes (see `intercom-connector auth scopes`)"
        )
    return ScopeSelection(chosen, free)


class ScopeRefusedByServer(MissingScope):
    """Intercom answered 403 because the token lacks a scope; reported like a local refusal."""

    def __init__(self, operation: str, scope: str, description: str) -> None:
        super().__init__(operation, scope, description)
        described = f" ({description})" if description else ""
        self.args = (
            f"{operation} needs the scope {scope!r}{described}, and Intercom refused it (403): "
            "the app behind this token was not granted that permission; grant it to the app "
            "and authorize again",
        )


def refused_scope(
    error: PermissionDenied, descriptions: Mapping[str, str] | None = None
) -> ScopeRefusedByServer | None:
    """The scope error a 403 stands for, or None when the 403 does not name a scope."""
    scope = error.missing_scope
    if scope is None:
        return None
    descriptions = known_scopes() if descriptions is None else descriptions
    return ScopeRefusedByServer(
        error.operation or "the operation", scope, descriptions.get(scope, "")
    )
