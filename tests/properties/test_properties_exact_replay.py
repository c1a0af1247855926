"""A resumed run's outputs and records equal those of the uninterrupted run, exactly.

Generated: what Intercom answers (secret-looking keys, unicode, 64-bit integers), config
values (integers far past 64 bits), how many calls there are, and where the process dies.
A death is simulated as a kill -9 would leave it: the run log object (group commit of a
generated size) is abandoned with whatever it had not committed yet, and the resume opens
the file afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intercom_connector.auth.crypto import KeyRing
from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import (
    ProgressEvent,
    RunLog,
    parse_workflow,
    resume_run,
    run_workflow,
)

KEYS = KeyRing((Fernet.generate_key(),), "tests")
KEY_NAMES = st.sampled_from(
    ["id", "name", "token_count", "access_token", "set-cookie", "password", "ünï", "$", "$$"]
) | st.text(max_size=6)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEY_NAMES, inner, max_size=3),
    max_leaves=10,
)
REPLIES = st.lists(st.dictionaries(KEY_NAMES, JSON, max_size=4), min_size=1, max_size=4)
CONFIG = st.integers(min_value=2**64, max_value=2**300) | st.text(max_size=10) | JSON


class Crash(BaseException):
    pass


TAIL = """\
  - id: copy
    map: {first: $.steps.call-0, config: $.config.value, keys: "$.steps.call-0.*"}
  - {id: wait, delay: 0}
  - id: check
    condition:
      any:
        - {value1: "$.steps['call-0'].custom_attributes.absent", comparison: exists}
        - {value1: $.steps.copy.config, comparison: exists}
    then:
      - {id: then-copy, map: {again: $.steps.copy.first}}
"""


def _workflow(calls: int) -> str:
    steps = "".join(
        f"  - {{id: call-{i}, call: get_contact, input: {{contact_id: c{i}}}}}\n"
        for i in range(calls)
    )
    return "name: generated\nconfig: {value: 0}\nsteps:\n" + steps + TAIL


def _client(replies: list[dict[str, Any]]) -> AsyncIntercomClient:
    def answer(request: httpx.Request) -> httpx.Response:
        index = int(request.url.path.rsplit("c", 1)[-1])
        return httpx.Response(200, content=json.dumps(replies[index]).encode())

    return AsyncIntercomClient(
        "test-token-0123456789", base_url="http://api.test", transport=httpx.MockTransport(answer)
    )


def _die_at(nth: int):
    seen = 0

    def handler(event: ProgressEvent) -> None:
        nonlocal seen
        seen += 1
        if seen == nth:
            raise Crash

    return handler


def _records(log: RunLog, run_id: str) -> dict[str, tuple[Any, Any]]:
    return {r.key: (r.input, r.output) for r in log.steps(run_id) if r.status == "finished"}


async def _scenario(path: Path, replies, config, nth: int, batch: int) -> None:
    loaded = parse_workflow(_workflow(len(replies)), "generated.yaml")
    clean_log = RunLog(path, keys=KEYS)
    events: list[ProgressEvent] = []
    async with _client(replies) as client:
        clean = await run_workflow(
            loaded, client, runlog=clean_log, config={"value": config}, on_progress=events.append
        )
    nth = 1 + (nth - 1) % len(events)
    crashed_log = RunLog(path, keys=KEYS, batch=batch, batch_seconds=3600)
    async with _client(replies) as client:
        with contextlib.suppress(Crash):
            await run_workflow(
                loaded,
                client,
                runlog=crashed_log,
                config={"value": config},
                on_progress=_die_at(nth),
            )
    crashed_log._db.close()  # killed: what it had not committed is gone
    resumed_log = RunLog(path, keys=KEYS)
    run_id = resumed_log.resolve_id("last")
    async with _client(replies) as client:
        resumed = await resume_run(run_id, client, runlog=resumed_log, force=True)
    assert resumed.succeeded, resumed.error
    assert resumed.outputs == clean.outputs
    assert json.dumps(resumed.outputs, default=repr) == json.dumps(clean.outputs, default=repr)
    assert _records(resumed_log, run_id) == _records(clean_log, clean.run_id)
    clean_log.close()
    resumed_log.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    replies=REPLIES,
    config=CONFIG,
    nth=st.integers(min_value=1, max_value=30),
    batch=st.integers(min_value=1, max_value=6),
)
def test_a_resumed_run_replays_exactly_what_the_uninterrupted_run_produced(
    private_home: Path, replies, config, nth, batch
):
    path = private_home / f"replay-{abs(hash((repr(replies), nth)))}.db"
    asyncio.run(_scenario(path, replies, config, nth, batch))
