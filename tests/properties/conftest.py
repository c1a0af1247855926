"""Fixtures for the property tests: a private connector home and working directory.

Module-scoped, because hypothesis runs many examples inside one test call and
function-scoped fixtures would be shared between them anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """INTERCOM_CONNECTOR_HOME and the working directory (downloads land there) in a tmp dir."""
    root = tmp_path_factory.mktemp("connector")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INTERCOM_CONNECTOR_HOME", str(root / "home"))
        patch.delenv("INTERCOM_TOKEN", raising=False)
        patch.chdir(root)
        yield root
