"""Secrets out of everything that is shown: the one masking rule of the project.

Every display path (error messages, ``runs show`` and its JSON form, progress lines, the
web view) masks through this module; nothing masks on the way into storage, where history
stays exact and is sealed instead (``workflow/sealing.py``).

Three rules:

- a known secret (the authentication's token, a client secret) of at least
  ``MIN_SECRET_LENGTH`` characters is replaced whole wherever it occurs; shorter values
  are not secrets anyone could use, and masking them would garble ordinary text (a
  one-letter "token" would turn every such letter into ``***``);
- the word after ``Bearer`` is replaced, listed as a secret or not;
- in structured data, every text value under a key that names a secret (``access_token``,
  ``client_secret``, ``password``, ``Authorization``, ``set-cookie``, ``X-Api-Key``,
  ``credentials``) is replaced. Numbers, booleans and nulls are kept: a ``token_count``
  of 5 is not a secret, and hiding it would only confuse whoever reads the run.

Nothing here imports the rest of the project, so every layer can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
MIN_SECRET_LENGTH = 8
SECRET_KEY = re.compile(
    r"token|secret|passw(?:or)?d|authori[sz]ation|api[_-]?key|cookie|credential", re.IGNORECASE
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)(?!\*\*\*)[^\s,;\"']+")


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and SECRET_KEY.search(key) is not None


class Redactor:
    """Masks a fixed set of secrets (plus the key and Bearer rules) in text and data."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.secrets: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if not secret or len(secret) < MIN_SECRET_LENGTH or secret in self.secrets:
            return
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted([*self.secrets, secret], key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(s) for s in self.secrets))

    def text(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return _BEARER.sub(lambda match: match.group(1) + MASK, text)

    def value(self, value: Any) -> Any:
        """A copy of ``value`` (JSON-like data) with secrets masked; other objects kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                key: self._hidden(item) if is_secret_key(key) else self.value(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value

    def _hidden(self, value: Any) -> Any:
        """What is shown of a value under a secret key: its texts masked, its shape kept."""
        if isinstance(value, str):
            return MASK
        if isinstance(value, Mapping):
            return {key: self._hidden(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._hidden(item) for item in value]
        return value


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with ``secrets`` and Bearer values masked (for one-off messages)."""
    return Redactor(secrets).text(text)
