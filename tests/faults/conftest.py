"""Fixtures for the fault tests: a private connector home and run log per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intercom_connector.workflow import RunLog


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    return tmp_path / "home"


@pytest.fixture
def runlog(home: Path) -> Iterator[RunLog]:
    log = RunLog()
    yield log
    log.close()
