"""yaml-language-server, given only the exported schema, completes and checks workflows.

Runs the real language server (``npm install yaml-language-server``; found on PATH or at
$YAML_LANGUAGE_SERVER) over a file whose first line points at the schema, as an editor
would. Skipped where the server is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import LanguageServer

from intercom_connector.workflow.editor_schema import editor_json_schema

SERVER = os.environ.get("YAML_LANGUAGE_SERVER") or shutil.which("yaml-language-server")
pytestmark = pytest.mark.skipif(SERVER is None, reason="yaml-language-server is not installed")
HEADER = "# yaml-language-server: $schema=workflow.schema.json\n"


@pytest.fixture(scope="module")
def editor(tmp_path_factory) -> Iterator[tuple[LanguageServer, Path]]:
    root = tmp_path_factory.mktemp("editor")
    (root / "workflow.schema.json").write_text(json.dumps(editor_json_schema()))
    assert SERVER is not None
    server = LanguageServer([SERVER, "--stdio"], root)
    yield server, root
    server.close()


def test_input_fields_of_the_called_operation_are_completed(editor):
    server, root = editor
    text = (
        HEADER
        + "name: t\nsteps:\n  - id: a\n    call: list_attached_companies\n    input:\n      \n"
    )
    uri = server.open(root / "complete-input.yaml", text)
    labels = server.completion_labels(uri, 6, 6)
    assert {"contact_id", "page", "per_page"} <= set(labels)


def test_operation_names_and_aliases_are_completed(editor):
    server, root = editor
    text = HEADER + "name: t\nsteps:\n  - id: a\n    call: \n"
    uri = server.open(root / "complete-call.yaml", text)
    labels = set(server.completion_labels(uri, 4, 10))
    assert {"list_contacts", "List contacts", "download_export_job", "Raw HTTP request"} <= labels


def test_a_misspelt_operation_and_input_field_are_flagged(editor):
    server, root = editor
    text = HEADER + (
        "name: t\nsteps:\n  - id: a\n    call: list_contactz\n"
        "  - id: b\n    call: list_contacts\n    input:\n      per_pagee: 5\n"
    )
    messages = server.diagnostics_for(server.open(root / "misspelt.yaml", text))
    assert any("Value is not accepted" in message for message in messages), messages
    assert any("per_pagee" in message for message in messages), messages
