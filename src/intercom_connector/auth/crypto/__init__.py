"""Encryption at rest for stored secrets: key material (keys.py) and the cipher (cipher.py)."""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

if TYPE_CHECKING:
    from intercom_connector.auth.crypto.cipher import SecretCipher
    from intercom_connector.auth.crypto.keys import KEY_ENV, KeyRing, generate_key, load_keys

__all__ = ["KEY_ENV", "KeyRing", "SecretCipher", "generate_key", "load_keys"]

__getattr__, __dir__ = attach(__name__, __file__)
