"""Content data export jobs: the pending → in_progress → completed lifecycle and the download.

A job's status is a function of the clock, not a background task: pending for the first
third of ``export_seconds``, in progress until it elapses, then completed (or ``no_data``
when nothing was sent in the range). Only one job may be active per workspace, and the
download insists on ``Accept: application/octet-stream`` and answers a gzipped CSV whose
columns are those of the spec's ``data_export_csv`` schema.
"""

from __future__ import annotations

import csv
import gzip
import io
from typing import Any

from .call import Call, Handler
from .records import ExportJob
from .replies import ApiError, Reply, invalid, not_found
from .state import SandboxState

DOWNLOAD_TTL_SECONDS = 2 * 86_400
MAX_ROWS = 10_000
ACTIVE = ("pending", "in_progress")
CSV_COLUMNS = (
    "user_id",
    "user_external_id",
    "company_id",
    "email",
    "name",
    "ruleset_id",
    "content_id",
    "content_type",
    "content_title",
    "ruleset_version_id",
    "receipt_id",
    "received_at",
    "series_id",
    "series_title",
    "node_id",
    "first_reply",
    "first_completion",
    "first_series_completion",
    "first_series_disengagement",
    "first_series_exit",
    "first_goal_success",
    "first_open",
    "first_click",
    "first_dismisall",
    "first_unsubscribe",
    "first_hard_bounce",
)


def status_of(job: ExportJob, now: float) -> str:
    if job.canceled:
        return "canceled"
    elapsed = now - job.created_at
    if elapsed < job.duration / 3:
        return "pending"
    if elapsed < job.duration:
        return "in_progress"
    return "completed" if job.row_count else "no_data"


def _render(state: SandboxState, call: Call, job: ExportJob) -> dict[str, Any]:
    status = status_of(job, state.clock.now())
    url = expires = ""
    if status == "completed":
        url = f"{call.base_url}/download/content/data/{job.id}"
        expires = str(int(job.created_at + job.duration + DOWNLOAD_TTL_SECONDS))
    return {
        "job_identifier": job.id,
        "status": status,
        "download_url": url,
        "download_expires_at": expires,
    }


def _receipts(state: SandboxState, after: int, before: int) -> list[Any]:
    """Contacts that "received" the seeded welcome email inside the range (inclusive)."""
    return [c for c in state.contacts.listable() if after <= c.created_at <= before][:MAX_ROWS]


def create_export_job(state: SandboxState, call: Call) -> Reply:
    body = call.data
    after, before = int(body["created_at_after"]), int(body["created_at_before"])
    if after > before:
        raise invalid(
            "created_at_after must not be later than created_at_before", "created_at_after"
        )
    now = state.clock.now()
    if any(status_of(j, now) in ACTIVE for j in state.exports.values()):
        raise ApiError(
            429, "rate_limit_exceeded", "Exceeded rate limit of 1 pending message data export jobs"
        )
    job = ExportJob(
        id=state.ids.token(16),
        created_at=now,
        created_at_after=after,
        created_at_before=before,
        duration=state.config.export_seconds,
        row_count=len(_receipts(state, after, before)),
    )
    state.exports[job.id] = job
    return Reply.json(_render(state, call, job))


def _job(state: SandboxState, job_id: str) -> ExportJob:
    job = state.exports.get(job_id)
    if job is None:
        raise not_found("Export job not found")
    return job


def get_export_job(state: SandboxState, call: Call) -> Reply:
    return Reply.json(_render(state, call, _job(state, call.path["job_identifier"])))


def cancel_export_job(state: SandboxState, call: Call) -> Reply:
    job = _job(state, call.path["job_identifier"])
    if status_of(job, state.clock.now()) in ACTIVE:
        job.canceled = True
    return Reply.json(_render(state, call, job))


def export_csv(state: SandboxState, job: ExportJob) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    store = state.contacts
    for contact in _receipts(state, job.created_at_after, job.created_at_before):
        received = contact.created_at
        row = {
            "user_id": store.id_of(contact),
            "user_external_id": contact.external_id or "",
            "company_id": contact.company_ids[0] if contact.company_ids else "",
            "email": contact.email or "",
            "name": contact.name or "",
            "ruleset_id": "1001",
            "content_id": "2001",
            "content_type": "email",
            "content_title": "Welcome aboard",
            "ruleset_version_id": "3001",
            "receipt_id": str(contact.seq + 1),
            "received_at": received,
            "first_open": received + 3600 if contact.seq % 3 == 0 else "",
            "first_click": received + 7200 if contact.seq % 7 == 0 else "",
        }
        writer.writerow([row.get(column, "") for column in CSV_COLUMNS])
    return gzip.compress(buffer.getvalue().encode(), mtime=0)


def download_export_data(state: SandboxState, call: Call) -> Reply:
    accept = call.headers.get("accept", "")
    if "application/octet-stream" not in accept:
        raise ApiError(
            406, "unsupported", "This download needs the header Accept: application/octet-stream"
        )
    job = _job(state, call.path["job_identifier"])
    status = status_of(job, state.clock.now())
    if status != "completed":
        raise ApiError(
            400, "bad_request", f"Export job {job.id} is {status}; download it once completed"
        )
    if state.clock.now() > job.created_at + job.duration + DOWNLOAD_TTL_SECONDS:
        raise not_found("This export has expired; completed exports are kept for two days")
    return Reply.octets(export_csv(state, job), filename=f"{job.id}.csv.gz")


HANDLERS: dict[str, Handler] = {
    "create_export_job": create_export_job,
    "get_export_job": get_export_job,
    "cancel_export_job": cancel_export_job,
    "download_export_data": download_export_data,
}
