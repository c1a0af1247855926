"""Intercom's signed notifications: ``X-Hub-Signature: sha1=<hex>`` over the raw body.

The value is the HMAC-SHA1 (RFC 2104) of the request body exactly as received, keyed with
the app's client secret. It is checked before the body is parsed, and compared in constant
time (``hmac.compare_digest``) so the reply's timing tells nothing about how many leading
characters of a forged signature were right.
"""

from __future__ import annotations

import hashlib
import hmac
import re

SIGNATURE_HEADER = "X-Hub-Signature"
ALGORITHM_PREFIX = "sha1="
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")


class SignatureRejected(Exception):
    """A delivery whose signature is missing or wrong; the message says which, never why not."""


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign(body: bytes, secret: str | bytes) -> str:
    """The header value Intercom sends with ``body``."""
    return ALGORITHM_PREFIX + hmac.new(_key(secret), body, hashlib.sha1).hexdigest()


def verify(body: bytes, secret: str | bytes, header: str | None) -> None:
    """Raise SignatureRejected unless ``header`` is the signature of ``body``."""
    if not header:
        raise SignatureRejected(f"no {SIGNATURE_HEADER} header")
    algorithm, sep, digest = header.strip().partition("=")
    if not sep or algorithm.lower() + "=" != ALGORITHM_PREFIX:
        raise SignatureRejected(f"{SIGNATURE_HEADER} is not of the form sha1=<hex>")
    if not _HEX40.match(digest):
        raise SignatureRejected(f"{SIGNATURE_HEADER} does not hold 40 hex digits")
    expected = hmac.new(_key(secret), body, hashlib.sha1).hexdigest().encode()
    if not hmac.compare_digest(expected, digest.lower().encode()):
        raise SignatureRejected(f"{SIGNATURE_HEADER} does not match the body")
