"""Keep secrets out of the run log and out of error messages.

Two rules, applied to everything the run log stores: the values of the authentication's
secrets are replaced wherever they appear in text, and any value under a key that names a
secret (token, secret, password, authorization, api key, cookie, credential) is replaced
whatever it is. The run log is meant to be shown and shared when debugging; a token in it
would outlive the run by years.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
SECRET_KEY = re.compile(
    r"token|secret|passw(or)?d|authori[sz]ation|api[_-]?key|cookie|credential", re.IGNORECASE
)
_MIN_SECRET_LENGTH = 4
"""Shorter values would mask ordinary text (and cannot be real tokens)."""


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        unique = {s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted(unique, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= _MIN_SECRET_LENGTH and secret not in self.secrets:
            self.secrets = sorted([*self.secrets, secret], key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def value(self, value: Any) -> Any:
        """A copy of ``value`` (JSON-like data) with secrets masked."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                key: MASK
                if isinstance(key, str) and SECRET_KEY.search(key) and value[key] is not None
                else self.value(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value
