"""Defaults from an optional ``config.toml`` in the connector home.

::

    region = "eu"          # the region of --token requests (us, eu, au)
    output = "ndjson"      # -o/--output of the commands that offer that format
    auth = "prod"          # the authentication used when a command names no connection

Environment variables override the file and flags override both: ``INTERCOM_CONNECTOR_REGION``,
``INTERCOM_CONNECTOR_OUTPUT``, ``INTERCOM_CONNECTOR_AUTH``. The default authentication applies
only when nothing else says where requests go (no ``--sandbox``, ``--auth``, ``--token``,
``--base-url``, no ``authentication:`` in the workflow, no ``$INTERCOM_TOKEN``).

The file is read once, by the root command before any subcommand parses its options, so a
broken file is one clear usage error (exit 2) naming the file, the line and the key.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from intercom_connector.cli.errors import UsageProblem

CONFIG_NAME = "config.toml"
ENV = {
    "region": "INTERCOM_CONNECTOR_REGION",
    "output": "INTERCOM_CONNECTOR_OUTPUT",
    "auth": "INTERCOM_CONNECTOR_AUTH",
}
ALLOWED = {
    "region": ("us", "eu", "au"),
    "output": ("table", "json", "ndjson", "csv"),
}


def config_path() -> Path:
    from intercom_connector.home import connector_home

    return connector_home() / CONFIG_NAME


def file_settings() -> dict[str, str]:
    """The settings of ``config.toml`` (none if there is no file), checked."""
    return _settings_in(config_path())


@cache
def _settings_in(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    import tomllib

    try:
        loaded = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"{path}: cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageProblem(f"{path}: not valid TOML: {error}") from None
    settings: dict[str, str] = {}
    for key, value in loaded.items():
        if key not in ENV:
            raise UsageProblem(f"{path}: unknown setting {key!r} (settings: {', '.join(ENV)})")
        if not isinstance(value, str) or not value.strip():
            raise UsageProblem(f"{path}: {key} must be a non-empty string, got {value!r}")
        allowed = ALLOWED.get(key)
        if allowed and value not in allowed:
            raise UsageProblem(f"{path}: {key} = {value!r}; use one of {', '.join(allowed)}")
        settings[key] = value.strip()
    return settings


def setting(key: str) -> str | None:
    """One default: the environment's, else the file's, else None."""
    return os.environ.get(ENV[key]) or file_settings().get(key)


def region_default() -> str:
    return setting("region") or "us"


__all__ = ["CONFIG_NAME", "ENV", "config_path", "file_settings", "region_default", "setting"]
