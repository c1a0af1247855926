"""How long the server asked us to wait, read from reply headers.

Kept apart from the retry policy because both the error classes (a 429 carries its wait) and
the retry loop read it. Intercom itself sends `X-RateLimit-Reset`; proxies and newer gateways
send the standard `Retry-After` or the millisecond `retry-after-ms`. Peers that honour only one
of them either hammer the API or sleep far too long, so all three are read, most precise first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime

from intercom_connector.httpx_lib import httpx


def _finite(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _http_date(text: str) -> float | None:
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": HTTP dates are always GMT (RFC 9110 section 5.6.7)
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def rate_limit_delay(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait before retrying, or None when no header says.

    Order: `retry-after-ms` (milliseconds), `Retry-After` (delta-seconds or an HTTP date),
    `X-RateLimit-Reset` (unix seconds). `now` is the current unix time. A header that does not
    parse is skipped in favour of the next one; a moment in the past means "now" (0.0).
    """
    if not isinstance(headers, httpx.Headers):
        headers = httpx.Headers(headers)  # case-insensitive lookups for plain dicts

    millis = _finite(headers.get("retry-after-ms"))
    if millis is not None:
        return max(millis / 1000.0, 0.0)

    retry_after = headers.get("retry-after")
    if retry_after is not None:
        seconds = _finite(retry_after)
        if seconds is not None:
            return max(seconds, 0.0)
        moment = _http_date(retry_after)
        if moment is not None:
            return max(moment - now, 0.0)

    reset = _finite(headers.get("x-ratelimit-reset"))
    if reset is not None:
        return max(reset - now, 0.0)
    return None
