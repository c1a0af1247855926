"""Fixtures for the panel's tests: a private connector home, the panel, a Chromium page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_kit import PanelHandle, chromium_available, launch_options, serve_panel


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    return tmp_path / "home"


@pytest.fixture
def panel(home: Path) -> Iterator[PanelHandle]:
    with serve_panel() as handle:
        yield handle


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module: playwright's sync API runs an event loop on this thread
    while it is open, which must be gone before other folders' async tests run."""
    if not chromium_available():
        pytest.fail("Chromium is missing: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**launch_options())
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 820})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
