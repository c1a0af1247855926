"""Where the connector keeps its files: one directory, one SQLite database.

The directory is the user's data directory (XDG on Linux), or ``INTERCOM_CONNECTOR_HOME``
when set (tests and CI point it at a temporary directory). Credentials and run logs share
the database ``connector.db`` so a workflow run and the authentication it used live together.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from intercom_connector.errors import UsageError

HOME_ENV = "INTERCOM_CONNECTOR_HOME"
DATABASE_NAME = "connector.db"


class HomeUnusable(UsageError):
    """The connector's directory is not a directory that can be used."""


def connector_home() -> Path:
    """The connector's directory, created (mode 0700) on first use."""
    configured = os.environ.get(HOME_ENV)
    home = Path(configured) if configured else _user_data_dir()
    where = f"{HOME_ENV}={home}" if configured else str(home)
    if home.exists() and not home.is_dir():
        raise HomeUnusable(
            f"the connector home {where} is a file, not a directory; point {HOME_ENV} at a "
            "directory, or move the file away"
        )
    try:
        home.mkdir(parents=True, mode=0o700, exist_ok=True)
    except OSError as error:
        raise HomeUnusable(
            f"cannot create the connector home {where}: {error.strerror}; point {HOME_ENV} "
            "at a directory you can write"
        ) from None
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
