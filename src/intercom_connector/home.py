"""Where the connector keeps its files: one directory, one SQLite database.

The directory is the user's data directory (XDG on Linux), or ``INTERCOM_CONNECTOR_HOME``
when set (tests and CI point it at a temporary directory). Credentials and run logs share
the database ``connector.db`` so a workflow run and the authentication it used live together.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "INTERCOM_CONNECTOR_HOME"
DATABASE_NAME = "connector.db"


def connector_home() -> Path:
    """The connector's directory, created (mode 0700) on first use."""
    configured = os.environ.get(HOME_ENV)
    home = (
        Path(configured) if configured else Path(platformdirs.user_data_dir("intercom-connector"))
    )
    if not home.exists():
        home.mkdir(parents=True, mode=0o700, exist_ok=True)
    return home


def database_path() -> Path:
    return connector_home() / DATABASE_NAME
