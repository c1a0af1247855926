"""The one import site of the HTTP library.

The project runs on httpx2, the maintained continuation of httpx with the same API. Every
module imports it from here (``from intercom_connector.httpx_lib import httpx``), so the
choice of library, and anything it needs at import, lives in one place.
"""

from __future__ import annotations

import httpx2 as httpx

__all__ = ["httpx"]
