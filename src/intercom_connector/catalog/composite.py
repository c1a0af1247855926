"""Operations the connector adds beyond the spec.

``download_export_job`` folds the export lifecycle (status, then a gzip download streamed to
disk) into one call a workflow can poll, answering with the connector page's
``completedFlag`` shape. ``raw_http_request`` is the universal operation: any method and
endpoint, with the authentication's base URL and headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from intercom_connector.catalog.scopes import check_scope
from intercom_connector.errors import UsageError
from intercom_connector.http import REGION_URLS, ClientError, RequestSpec

if TYPE_CHECKING:
    from intercom_connector.catalog.client import AsyncIntercomClient

PENDING_STATES = {"pending", "in_progress"}
FAILED_STATES = {"failed", "canceled", "cancelled"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


class ExportJobFailed(ClientError):
    """The export job ended without a file to download."""


class ForeignHost(UsageError):
    """A raw request named a host other than the authentication's Intercom API."""


async def download_export_job(client: AsyncIntercomClient, data: dict[str, Any]) -> dict[str, Any]:
    job = str(data["job_identifier"])
    status_reply = await client.call("get_export_job", {"job_identifier": job})
    status = str(status_reply.get("status", "")).lower()
    if status in PENDING_STATES:
        return {"completedFlag": False, "status": status, "job_identifier": job}
    if status in FAILED_STATES:
        raise ExportJobFailed(
            f"export job {job} ended with status {status!r}; nothing to download",
            status=None,
            code=f"export_{status}",
        )
    if status == "no_data":
        return {"completedFlag": True, "status": status, "job_identifier": job, "file": None}
    # A relative directory is under the client's download directory (the CLI's: the connector
    # home), so a workflow file never writes into whatever directory it was started from.
    directory = Path(client.download_dir) / (data.get("directory") or "")
    directory.mkdir(parents=True, exist_ok=True)
    request = RequestSpec(
        method="GET",
        url=f"/download/content/data/{quote(job, safe='')}",
        params={},
        json=None,
        headers={},
        retry_safe=True,
        accept="application/octet-stream",
    )
    result = await client.api.download(request, directory, f"intercom-export-{job}.csv.gz")
    return {
        "completedFlag": True,
        "status": status,
        "job_identifier": job,
        "file": {
            "path": str(result.path),
            "name": result.name,
            "mime_type": result.mime_type,
            "size": result.size,
            "expires": unix_seconds(status_reply.get("download_expires_at")),
        },
    }


def unix_seconds(value: Any) -> int | None:
    """``download_expires_at`` as the connector page shows ``expires``: unix seconds.

    Intercom gives it as text ("1734537776", or an ISO 8601 time); empty means not yet.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    text = str(value or "").strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp())


def _allowed_hosts(base_url: str) -> set[str]:
    hosts = {urlsplit(base_url).netloc}
    hosts.update(urlsplit(url).netloc for url in REGION_URLS.values())
    return hosts


async def raw_http_request(client: AsyncIntercomClient, data: dict[str, Any]) -> dict[str, Any]:
    method = str(data["method"]).upper()
    endpoint = str(data["endpoint"])
    if endpoint.startswith(("http://", "https://")):
        host = urlsplit(endpoint).netloc
        if host not in _allowed_hosts(client.base_url):
            raise ForeignHost(
                f"raw_http_request: refusing to send the Intercom credentials to {host}; "
                "give an endpoint path like /contacts or an Intercom API URL"
            )
    elif not endpoint.startswith("/"):
        endpoint = "/" + endpoint
    if client.granted_scopes is not None:
        # the universal operation must not become a way around the authentication's scopes
        served_by = client.catalog.find_route(method, urlsplit(endpoint).path)
        if served_by is not None:
            check_scope(served_by, client.granted_scopes, client.catalog.scopes)
    headers = {str(k): str(v) for k, v in (data.get("headers") or {}).items()}
    accept = headers.pop("Accept", None) or headers.pop("accept", None) or "application/json"
    request = RequestSpec(
        method=method,
        url=endpoint,
        params=dict(data.get("query") or {}),
        json=data.get("body"),
        headers=headers,
        retry_safe=method in SAFE_METHODS,
        accept=accept,
    )
    reply = await client.api.send(request, raise_for_status=not data.get("allow_error_status"))
    body = reply.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return {"status_code": reply.status_code, "headers": dict(reply.headers), "body": body}


Composite = Callable[["AsyncIntercomClient", dict[str, Any]], Awaitable[dict[str, Any]]]

COMPOSITES: dict[str, Composite] = {
    "download_export_job": download_export_job,
    "raw_http_request": raw_http_request,
}
