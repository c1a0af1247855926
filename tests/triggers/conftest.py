"""Fixtures: a private connector home (database) per test, and the trigger store in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intercom_connector.workflow import RunLog
from intercom_connector.workflow.triggers import TriggerStore


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    monkeypatch.delenv("INTERCOM_CLIENT_SECRET", raising=False)
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[TriggerStore]:
    with TriggerStore() as opened:
        yield opened


@pytest.fixture
def runlog(home: Path) -> Iterator[RunLog]:
    with RunLog() as log:
        yield log
