"""The connector home: platformdirs' user data directory, found without importing it on Linux."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from intercom_connector.home import _user_data_dir


@pytest.mark.parametrize("xdg", [None, "", "   ", "/srv/data"])
def test_the_data_directory_is_the_one_platformdirs_gives(monkeypatch, xdg):
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)

    assert _user_data_dir() == Path(platformdirs.user_data_dir("intercom-connector"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux shortcut")
def test_on_linux_platformdirs_is_not_imported_for_it():
    import subprocess

    program = (
        "import sys; from intercom_connector.home import _user_data_dir; _user_data_dir(); "
        "print('platformdirs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert out.stdout.strip() == "False"
