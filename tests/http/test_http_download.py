"""Downloads: streamed to disk, complete-or-absent under the final name, retried cleanly."""

import pytest
from http_fakes import ScriptedServer

from intercom_connector.http import ConnectionFailed, NotFound, RequestSpec, RetryPolicy
from intercom_connector.httpx_lib import httpx

EXPORT = RequestSpec("GET", "/download/content/data/job1", accept="application/octet-stream")
CHUNKS = [b"id,email\n", b"1,a@example.com\n", b"2,b@example.com\n"]


class Chunks(httpx.AsyncByteStream):
    """A body that arrives in pieces, optionally breaking off, running a probe between pieces."""

    def __init__(self, chunks, *, break_off=False, probe=None):
        self.chunks, self.break_off, self.probe = chunks, break_off, probe

    async def __aiter__(self):
        for chunk in self.chunks:
            yield chunk
            if self.probe:
                self.probe()
        if self.break_off:
            raise httpx.ReadError("connection reset by peer")


def file_reply(stream, content_type="application/octet-stream"):
    return httpx.Response(200, stream=stream, headers={"content-type": content_type})


def leftovers(directory):
    return sorted(path.name for path in directory.iterdir())


async def test_download_writes_the_whole_body_under_the_final_name(make_client, tmp_path):
    server = ScriptedServer([file_reply(Chunks(CHUNKS), "application/gzip")])
    async with make_client(server.transport) as client:
        result = await client.download(EXPORT, tmp_path, "export.csv.gz")
    assert result.path == tmp_path / "export.csv.gz"
    assert result.path.read_bytes() == b"".join(CHUNKS)
    assert (result.name, result.mime_type, result.size) == ("export.csv.gz", "application/gzip", 41)
    assert leftovers(tmp_path) == ["export.csv.gz"]
    assert server.requests[0].headers["Accept"] == "application/octet-stream"


async def test_body_is_streamed_to_a_temporary_file_until_complete(make_client, tmp_path):
    seen = []

    def probe():
        seen.append(((tmp_path / "export.csv").exists(), [p.suffix for p in tmp_path.iterdir()]))

    server = ScriptedServer([file_reply(Chunks(CHUNKS, probe=probe))])
    async with make_client(server.transport) as client:
        await client.download(EXPORT, tmp_path, "export.csv")
    assert seen == [(False, [".part"])] * 3


async def test_broken_download_is_restarted_from_scratch(make_client, fake_time, tmp_path):
    server = ScriptedServer(
        [file_reply(Chunks(CHUNKS[:2], break_off=True)), file_reply(Chunks(CHUNKS))]
    )
    async with make_client(server.transport) as client:
        result = await client.download(EXPORT, tmp_path, "export.csv")
    assert result.path.read_bytes() == b"".join(CHUNKS)
    assert len(server.requests) == 2
    assert leftovers(tmp_path) == ["export.csv"]


async def test_failed_download_leaves_nothing_behind(make_client, tmp_path):
    server = ScriptedServer([file_reply(Chunks(CHUNKS[:2], break_off=True))])
    async with make_client(server.transport, retry=RetryPolicy.none()) as client:
        with pytest.raises(ConnectionFailed):
            await client.download(EXPORT, tmp_path, "export.csv")
    assert leftovers(tmp_path) == []


async def test_failed_download_keeps_an_earlier_complete_file(make_client, tmp_path):
    (tmp_path / "export.csv").write_bytes(b"old complete file")
    server = ScriptedServer([file_reply(Chunks(CHUNKS[:1], break_off=True))])
    async with make_client(server.transport, retry=RetryPolicy.none()) as client:
        with pytest.raises(ConnectionFailed):
            await client.download(EXPORT, tmp_path, "export.csv")
    assert (tmp_path / "export.csv").read_bytes() == b"old complete file"
    assert leftovers(tmp_path) == ["export.csv"]


async def test_error_status_raises_and_writes_nothing(make_client, tmp_path):
    body = {"type": "error.list", "errors": [{"code": "not_found", "message": "Job Not Found"}]}
    server = ScriptedServer([httpx.Response(404, json=body)])
    async with make_client(server.transport) as client:
        with pytest.raises(NotFound, match="Job Not Found"):
            await client.download(EXPORT, tmp_path, "export.csv")
    assert leftovers(tmp_path) == []


async def test_mime_type_is_guessed_from_the_name_when_the_server_gives_none(make_client, tmp_path):
    server = ScriptedServer([httpx.Response(200, stream=Chunks(CHUNKS))])
    async with make_client(server.transport) as client:
        result = await client.download(EXPORT, tmp_path, "export.csv")
    assert result.mime_type == "text/csv"


async def test_missing_destination_folder_is_created(make_client, tmp_path):
    server = ScriptedServer([file_reply(Chunks(CHUNKS))])
    async with make_client(server.transport) as client:
        result = await client.download(EXPORT, tmp_path / "exports" / "2024", "export.csv")
    assert result.path.read_bytes() == b"".join(CHUNKS)


async def test_progress_is_reported(make_client, tmp_path):
    events = []
    server = ScriptedServer([file_reply(Chunks(CHUNKS))])
    async with make_client(server.transport, on_event=events.append) as client:
        await client.download(EXPORT, tmp_path, "export.csv")
    assert [event["bytes"] for event in events if event["event"] == "download"] == [9, 25, 41]


@pytest.mark.parametrize("name", ["", ".", "..", "../escape.csv", "a/b.csv", "a\\b.csv"])
async def test_file_names_that_would_escape_the_folder_are_refused(make_client, tmp_path, name):
    server = ScriptedServer([file_reply(Chunks(CHUNKS))])
    async with make_client(server.transport) as client:
        with pytest.raises(ValueError, match="plain file name"):
            await client.download(EXPORT, tmp_path, name)
    assert server.requests == []
