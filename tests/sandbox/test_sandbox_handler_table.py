"""The table of handler modules matches the modules, and a request imports only its own."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

from intercom_connector.sandbox import handlers
from intercom_connector.sandbox.collection_handlers import HANDLERS as COLLECTION_HANDLERS
from intercom_connector.sandbox.collection_handlers import collection_of
from intercom_connector.sandbox.handlers import COLLECTIONS_MODULE, HANDLER_MODULES, handler_for

PACKAGE = Path(handlers.__file__).parent


def _modules_registering_handlers() -> set[str]:
    """Every module of the sandbox package that assigns a top-level ``HANDLERS``."""
    found = set()
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else []
            targets += node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == "HANDLERS" for t in targets):
                found.add(path.stem)
    return found


def test_the_table_names_every_module_that_registers_handlers():
    assert set(HANDLER_MODULES.values()) == _modules_registering_handlers() - {COLLECTIONS_MODULE}


def test_the_table_lists_exactly_the_operations_each_module_registers():
    for module_name in set(HANDLER_MODULES.values()):
        module = importlib.import_module(f"intercom_connector.sandbox.{module_name}")
        listed = {name for name, owner in HANDLER_MODULES.items() if owner == module_name}
        assert set(module.HANDLERS) == listed, f"update HANDLER_MODULES for {module_name}.py"


def test_every_listed_operation_resolves_to_its_modules_handler():
    for name, module_name in HANDLER_MODULES.items():
        module = importlib.import_module(f"intercom_connector.sandbox.{module_name}")
        assert handler_for(name) is module.HANDLERS[name]


def test_operations_without_a_model_go_to_the_generic_collections_or_a_shaped_reply():
    assert not set(collection_of()) & set(HANDLER_MODULES)
    for name, handler in COLLECTION_HANDLERS.items():
        assert handler_for(name) is handler
    assert handler_for("not_an_operation") is None


ONE_REQUEST = """
import asyncio, sys
from intercom_connector.sandbox import Sandbox

async def main():
    async with Sandbox().async_client() as client:
        reply = await client.get("/me")
        assert reply.status_code == 200, reply.text
asyncio.run(main())
print(" ".join(sorted(sys.modules)))
"""


def test_a_request_imports_only_the_module_that_answers_it():
    loaded = subprocess.run(
        [sys.executable, "-c", ONE_REQUEST], capture_output=True, text=True, check=True
    ).stdout.split()
    sandbox_modules = {
        m.rsplit(".", 1)[1] for m in loaded if m.startswith("intercom_connector.sandbox.")
    }
    assert "workspace" in sandbox_modules  # GET /me is identify_admin's
    for elsewhere in ("contacts", "conversations", "tags_notes", "events", "exports"):
        assert elsewhere not in sandbox_modules
    for unused in (COLLECTIONS_MODULE, "collection_store", "search", "oauth", "journal"):
        assert unused not in sandbox_modules
    assert not [m for m in loaded if m.startswith("starlette")]
