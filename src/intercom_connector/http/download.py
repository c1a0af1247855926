"""Streaming a reply body to disk so that a file is either complete or absent.

Export files can be large, so the body is never held in memory: it is written chunk by chunk
to a hidden temporary file beside the target and renamed over the final name only once it is
complete and flushed. A failed or retried download deletes its temporary file, so nothing
half-written is ever found under the final name, and a retry starts from a clean slate.

Writes are plain blocking file writes of network-sized chunks; on a local disk they are far
faster than the network that feeds them, so they are not worth a thread hop per chunk.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import tempfile
from collections.abc import AsyncIterable, Callable
from pathlib import Path

from .reply import DownloadResult

__all__ = ["download_target", "mime_type_for", "stream_to_file"]


def download_target(dest_dir: Path | str, filename: str) -> Path:
    """The final path for `filename` in `dest_dir`, refusing names that would escape it."""
    if not filename or filename in {".", ".."} or Path(filename).name != filename:
        raise ValueError(f"download filename must be a plain file name, got {filename!r}")
    if "\\" in filename or "\x00" in filename:
        raise ValueError(f"download filename must be a plain file name, got {filename!r}")
    return Path(dest_dir) / filename


def mime_type_for(content_type: str | None, filename: str) -> str:
    """The reply's media type without parameters, else a guess from the file name."""
    if content_type:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type:
            return media_type
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


async def stream_to_file(
    chunks: AsyncIterable[bytes],
    target: Path,
    mime_type: str,
    on_progress: Callable[[int], None] | None = None,
) -> DownloadResult:
    """Write `chunks` to `target` atomically; `on_progress` gets the byte count so far."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            async for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
                if on_progress is not None:
                    on_progress(size)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return DownloadResult(path=target, name=target.name, mime_type=mime_type, size=size)
