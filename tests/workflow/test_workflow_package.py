"""The workflow layer's place among the layers (its public names: tests/test_package_faces.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import intercom_connector.workflow as workflow_package

PACKAGE = Path(workflow_package.__file__).parent


def test_workflow_imports_nothing_from_the_cli_or_the_sandbox():
    imported = set()
    for module in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    ours = {name for name in imported if name.startswith("intercom_connector.")}
    layers = {name.split(".")[1] for name in ours}
    allowed = {"workflow", "catalog", "http", "auth", "home", "errors", "lazy_import"}
    assert layers <= allowed | {"redaction", "storage", "json_input"}


def test_the_interpreter_module_does_no_io():
    source = (PACKAGE / "interpreter.py").read_text()
    for forbidden in ("httpx", "sqlite3", "time.", "open(", "asyncio.sleep"):
        assert forbidden not in source


def _project_imports(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("intercom_connector")}


def test_the_engine_interface_imports_nothing_of_the_project():
    assert _project_imports(PACKAGE / "engine.py") == set()


def test_the_interpreter_sees_the_engine_interface_and_no_engine():
    imported = _project_imports(PACKAGE / "interpreter.py")
    assert "intercom_connector.workflow.engine" in imported
    forbidden = ("engines", "runlog", "runner", "client", "http", "auth")
    assert not [name for name in imported if any(part in name for part in forbidden)]
