"""The sandbox package stands alone (its public names are pinned in tests/test_package_faces.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import intercom_connector.sandbox as sandbox


def test_every_public_name_exists() -> None:
    for name in sandbox.__all__:
        assert hasattr(sandbox, name), name


def test_sandbox_modules_import_no_other_layer() -> None:
    """Below the sandbox there is no layer; above it, only the catalog's light data readers.

    The one import site of the HTTP library is not a layer: every layer shares it; nor is the
    lazy loading of package faces. Of the catalog, only the operation record
    (``catalog.model``), the version facts (``catalog.versions``, JSON only) and the reader
    of the packaged data files (``catalog.data_files``, JSON only) are used.
    """
    shared = {
        "intercom_connector.httpx_lib",
        "intercom_connector.lazy_import",
        "intercom_connector.catalog.versions",
        "intercom_connector.catalog.model",
        "intercom_connector.catalog.data_files",
    }
    package = Path(sandbox.__file__).parent
    offenders = []
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                offenders.append(f"{module.name}: from {'.' * node.level}{node.module}")
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                module_name = node.module or ""
                names = [f"{module_name}.{a.name}" for a in node.names]
                names = [n if n in shared else module_name for n in names]
            offenders += [
                f"{module.name}: {n}"
                for n in names
                if n.startswith("intercom_connector") and n not in shared
            ]
    assert offenders == []
