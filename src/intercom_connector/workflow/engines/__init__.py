"""Engines that run the interpreter: each implements ``workflow.engine.Engine``.

``embedded`` runs in this process (asyncio, SQLite run log); the Temporal engine is an
optional extra. The interpreter imports none of them.
"""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

if TYPE_CHECKING:
    from intercom_connector.workflow.engines.embedded import EmbeddedEngine, RunJournal

__all__ = ["EmbeddedEngine", "RunJournal"]

__getattr__, __dir__ = attach(__name__, __file__)
