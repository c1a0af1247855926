"""The Temporal engine's face, and that only it imports temporalio."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

import intercom_connector.workflow.engines.temporal as temporal_engine

PACKAGE = Path(temporal_engine.__file__).parent
SOURCE = PACKAGE.parents[2]
IMPORTS_TEMPORALIO = re.compile(r"^\s*(from|import)\s+temporalio\b", re.MULTILINE)


def test_the_public_face_is_pinned():
    assert sorted(temporal_engine.__all__) == [
        "DevServer",
        "DirectoryPayloadStore",
        "PayloadStore",
        "SealedPayloadCodec",
        "TemporalTarget",
        "TemporalUnreachable",
        "WorkerSettings",
        "build_workers",
        "connect",
        "find_binary",
        "mirror",
        "resume_run",
        "run_workers",
        "start_run",
        "start_triggered",
        "triggered_run_id",
    ]


def test_only_the_temporal_subpackage_imports_temporalio():
    offenders = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if PACKAGE not in path.parents and IMPORTS_TEMPORALIO.search(path.read_text())
    ]
    assert offenders == []


def test_the_dev_server_binary_is_installed_beside_python():
    binary = temporal_engine.find_binary("temporal")
    assert binary.is_file()
    assert temporal_engine.find_binary("temporal-test-server").is_file()
