"""Fixtures for the Temporal engine tests: one real dev server for the session.

Every test here is marked ``temporal`` (run them alone with ``-m temporal``, leave them out
with ``-m "not temporal"``) and is skipped, saying why, when the ``[temporal]`` extra is
not installed. Tests share the server but not a task queue, so they never see each
other's runs.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from intercom_connector.workflow import RunLog

EXTRA_MISSING = importlib.util.find_spec("temporalio") is None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.temporal)
            if EXTRA_MISSING:
                item.add_marker(
                    pytest.mark.skip(
                        reason="the [temporal] extra is not installed: "
                        "pip install -e '.[dev,temporal]'"
                    )
                )


@pytest.fixture(scope="session")
def key_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Fernet key for this process and every worker process it starts."""
    from cryptography.fernet import Fernet

    mp = pytest.MonkeyPatch()
    key = Fernet.generate_key().decode()
    mp.setenv("INTERCOM_CONNECTOR_KEY", key)
    mp.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path_factory.mktemp("temporal-home")))
    mp.delenv("INTERCOM_TOKEN", raising=False)
    yield key
    mp.undo()


@pytest.fixture(scope="session")
def temporal_address(key_env: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `temporal server start-dev` on a free loopback port, with a SQLite state file."""
    from intercom_connector.workflow.engines.temporal import DevServer

    db = tmp_path_factory.mktemp("temporal-server") / "temporal.db"
    with DevServer(db=db) as server:
        yield server.address


@pytest.fixture
def target(temporal_address: str, tmp_path: Path):
    from temporal_kit import unique_queue

    from intercom_connector.workflow.engines.temporal import TemporalTarget

    return TemporalTarget(
        address=temporal_address, task_queue=unique_queue(), payload_dir=tmp_path / "payloads"
    )


@pytest.fixture
def runlog(tmp_path: Path, key_env: str) -> Iterator[RunLog]:
    log = RunLog(tmp_path / "runs.db")
    yield log
    log.close()
