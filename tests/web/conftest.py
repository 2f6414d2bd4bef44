"""Fixtures for the workbench tests: a real service, a real headless Chromium (Debian's, driven by
Playwright), and screenshots of each state when MOTIONCTL_WORKBENCH_SHOTS names a directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from wb_server import Server, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1360, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("workbench")
    with running_server(root / "data", root / "server.log") as s:
        yield s


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (empty localStorage) whose page fails the test on any JS error."""
    context = browser.new_context(viewport=DESKTOP)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(20_000)
    yield pg
    context.close()
    if errors:
        pytest.fail("JavaScript errors in the page: " + "; ".join(errors))


@pytest.fixture(scope="session")
def shot() -> Callable[[Any, str], None]:
    """shot(page, name) saves docs-quality screenshots when MOTIONCTL_WORKBENCH_SHOTS is set."""
    target = os.environ.get("MOTIONCTL_WORKBENCH_SHOTS")

    def take(pg: Any, name: str) -> None:
        if not target:
            return
        Path(target).mkdir(parents=True, exist_ok=True)
        # Toasts are transient; keep them out of the documentation pictures.
        pg.evaluate("window.scrollTo(0, 0); document.getElementById('toast')?.setAttribute('hidden', '')")
        pg.wait_for_timeout(400)  # let transitions and video frames settle
        pg.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)

    return take
