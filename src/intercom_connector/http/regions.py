"""Where requests go: Intercom's regional hosts and the API version we pin.

Intercom proxies api.intercom.io to a workspace's home region, but a token is only valid in
its own region, so credentials carry a region and we resolve the host from it. An explicit
base URL (the local sandbox, a proxy) always wins.
"""

from __future__ import annotations

from intercom_connector.errors import UsageError


class UnknownRegion(UsageError, ValueError):
    """A region that is not one of Intercom's (us, eu, au)."""


REGION_URLS: dict[str, str] = {
    "us": "https://api.intercom.io",
    "eu": "https://api.eu.intercom.io",
    "au": "https://api.au.intercom.io",
}

# The catalog is generated from the 2.16 description; sending the same version keeps replies
# shaped like the schemas we validate against, whatever the app's default version is.
DEFAULT_VERSION = "2.16"


def base_url_for(region: str | None, base_url: str | None = None) -> str:
    """Return the base URL for a region, or `base_url` when one is given.

    `region` is case-insensitive; None means "us", Intercom's default host.
    """
    if base_url:
        return base_url.rstrip("/")
    key = (region or "us").strip().lower()
    try:
        return REGION_URLS[key]
    except KeyError:
        valid = ", ".join(sorted(REGION_URLS))
        raise UnknownRegion(f"unknown Intercom region {region!r}; valid regions: {valid}") from None
