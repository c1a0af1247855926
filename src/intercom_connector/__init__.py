"""intercom-connector: every Intercom operation by name, workflows, and a local sandbox.

The public face: the executor clients and the catalog. Everything else lives in its layer
(``http``, ``catalog``, ``auth``, ``workflow``, ``sandbox``, ``cli``).
"""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

__version__ = "0.1.0"
"""The package's version (pyproject.toml reads it from here): the User-Agent carries it, and
reading it from the installed metadata cost a few milliseconds of every command."""

if TYPE_CHECKING:
    from intercom_connector.catalog.client import AsyncIntercomClient
    from intercom_connector.catalog.model import Operation
    from intercom_connector.catalog.registry import Catalog, UnknownOperation, load_catalog
    from intercom_connector.catalog.scopes import MissingScope
    from intercom_connector.catalog.sync_client import IntercomClient
    from intercom_connector.catalog.validation import InvalidInput

__all__ = [
    "AsyncIntercomClient",
    "Catalog",
    "IntercomClient",
    "InvalidInput",
    "MissingScope",
    "Operation",
    "UnknownOperation",
    "load_catalog",
]

__getattr__, __dir__ = attach(__name__, __file__)
