"""Seal and open secrets with Fernet (AES-128-CBC + HMAC-SHA256), rotating through MultiFernet.

Fernet authenticates before it decrypts, so a wrong key or a damaged value is an error,
never garbage. Each sealed value also names the authentication it belongs to, so a value
copied from one row to another (by someone with write access to the file) is refused
instead of quietly lending one authentication's token to another.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from intercom_connector.auth.crypto.keys import KeyRing
from intercom_connector.auth.errors import TamperedSecret, WrongKey

# A known value sealed once per store; opening it proves the key is the store's key before
# anything new is written with it.
KEY_CHECK = b"intercom-connector key check v1"


class SecretCipher:
    """Encrypts with the first key of the ring; decrypts with any of them."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self._fernet = MultiFernet([Fernet(key) for key in ring.keys])

    def __repr__(self) -> str:
        return f"SecretCipher({self.ring!r})"

    def _wrong_key(self) -> WrongKey:
        return WrongKey(
            f"cannot decrypt the stored secrets with the key from {self.ring.source}: it is "
            "not the key they were encrypted with (to rotate keys, list the new key first and "
            "keep the old one after it until `auth rotate-key` has run)"
        )

    def seal(self, name: str, token: str) -> bytes:
        payload = json.dumps({"name": name, "token": token}, separators=(",", ":"))
        return self._fernet.encrypt(payload.encode("utf-8"))

    def open(self, name: str, sealed: bytes) -> str:
        try:
            payload = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken:
            raise self._wrong_key() from None
        if not isinstance(payload, dict) or payload.get("name") != name:
            raise TamperedSecret(
                f"the secret stored for {name!r} was sealed for another authentication; "
                "remove it and add it again"
            )
        return str(payload["token"])

    def rotate(self, sealed: bytes) -> bytes:
        """Re-encrypt with the newest key (whichever key of the ring opens it)."""
        try:
            return self._fernet.rotate(sealed)
        except InvalidToken:
            raise self._wrong_key() from None

    def key_check(self) -> bytes:
        return self._fernet.encrypt(KEY_CHECK)

    def verify(self, check: bytes) -> None:
        """Raise WrongKey unless the ring opens the store's key check."""
        try:
            opened = self._fernet.decrypt(check)
        except InvalidToken:
            raise self._wrong_key() from None
        if opened != KEY_CHECK:
            raise self._wrong_key()
