"""Where the connector keeps its files: one directory, one SQLite database.

The directory is the user's data directory (XDG on Linux), or ``INTERCOM_CONNECTOR_HOME``
when set (tests and CI point it at a temporary directory). Credentials and run logs share
the database ``connector.db`` so a workflow run and the authentication it used live together.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOME_ENV = "INTERCOM_CONNECTOR_HOME"
DATABASE_NAME = "connector.db"


def connector_home() -> Path:
    """The connector's directory, created (mode 0700) on first use."""
    configured = os.environ.get(HOME_ENV)
    home = Path(configured) if configured else _user_data_dir()
    if not home.exists():
        home.mkdir(parents=True, mode=0o700, exist_ok=True)
    return home


def _user_data_dir() -> Path:
    """platformdirs' user data directory; on Linux its XDG rule without importing it.

    Every command reads the home (for config.toml) and importing platformdirs costs more
    than the rest of ``ops list``; on Linux its answer is one line of the XDG spec.
    """
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return Path(base) / "intercom-connector"
    import platformdirs

    return Path(platformdirs.user_data_dir("intercom-connector"))


def database_path() -> Path:
    return connector_home() / DATABASE_NAME
