"""A run's page in Chromium: the step tree, a loop iteration's data, and JSONPaths that work.

The references the panel shows are pasted into a copy of the workflow and checked by
`workflow validate`, the same check a run does before it starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner
from ui_kit import DOCS, EXAMPLES, PanelHandle, run_example

from intercom_connector.cli import app

CONTACTS_COMPANIES = EXAMPLES / "contacts-companies.yaml"


def open_step(page: Any, key: str) -> None:
    page.locator(f'.step-link[data-key="{key}"]').click()
    page.wait_for_selector(f'#detail[data-key="{key}"] .value-output .jt-root')


def expand(page: Any, pane: str, *keys: str) -> Any:
    """Open nested nodes of a value tree by their keys; the last node's line."""
    scope = page.locator(f"#detail .value-{pane} .jt-root")
    line = None
    for key in keys:
        node = scope.locator(
            ":scope > li.jt-node", has=page.locator(f':scope > .jt-line > .jt-key:text-is("{key}")')
        ).first
        line = node.locator(":scope > .jt-line")
        line.click()
        scope = node.locator(":scope > ul.jt-children")
    return line


def point_at(page: Any, line: Any) -> str:
    line.hover()
    return page.locator("#pathbar-path").inner_text()


def validates(tmp_path: Path, change: Any) -> None:
    """Paste into a copy of contacts-companies; `workflow validate` accepts it."""
    data = yaml.safe_load(CONTACTS_COMPANIES.read_text())
    change(data)
    file = tmp_path / "pasted.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["workflow", "validate", str(file)])
    assert result.exit_code == 0, result.output


def test_iteration_3_shows_its_companies_and_references_that_validate(
    panel: PanelHandle, page: Any, tmp_path: Path
) -> None:
    run_id = run_example(CONTACTS_COMPANIES, sandbox=True)
    page.goto(panel.url(f"/runs/{run_id}"))
    loop = page.locator('li.step[data-key="loop-1"]')
    assert "50 iterations" in loop.locator(".count").inner_text()
    loop.locator(":scope > .row .twisty").click()
    iteration = page.locator('li.iteration[data-key="loop-1[3]"]')
    iteration.locator(":scope > .row .twisty").click()
    open_step(page, "loop-1[3].list-attached-companies")
    assert page.locator("#detail h2").inner_text() == "loop-1[3].list-attached-companies"

    company_id = expand(page, "output", "companies", "[0]", "id")
    in_loop = point_at(page, company_id)
    assert in_loop == "$.steps.list-attached-companies.companies[0].id"
    assert "results[3]" in page.locator("#pathbar-outer").inner_text()
    page.set_viewport_size({"width": 1280, "height": 640})
    point_at(page, company_id)
    page.screenshot(path=str(DOCS / "ui-run.png"))

    page.locator('.step-link[data-key="loop-1[3]"]').click()
    page.wait_for_selector('#detail[data-key="loop-1[3]"] .value-input .jt-root')
    value_id = point_at(page, expand(page, "input", "value", "id"))
    assert value_id == "$.steps.loop-1.value.id"

    def inside_loop(data: dict[str, Any]) -> None:
        data["steps"][1]["steps"].append(
            {"id": "pasted", "map": {"kind": in_loop, "contact": value_id}}
        )

    validates(tmp_path, inside_loop)

    open_step(page, "list-contacts")
    top = point_at(page, expand(page, "output", "data", "[0]", "id"))
    assert top == "$.steps.list-contacts.data[0].id"
    validates(tmp_path, lambda data: data["steps"].append({"id": "p", "map": {"first": top}}))
