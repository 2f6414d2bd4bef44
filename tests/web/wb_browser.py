"""What every workbench browser test module starts with: Playwright's ``expect`` (the module is
skipped where Playwright is not installed) and its marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from wb_server import ELF

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def browser_marks(timeout_s: int, needs: Path = ELF) -> list[pytest.MarkDecorator]:
    """A browser test's marks: run by ``-m browser``, skipped without ``needs`` (shared test data), and
    stopped after ``timeout_s``."""
    return [
        pytest.mark.browser,
        pytest.mark.skipif(not needs.exists(), reason="../shared/testdata is absent"),
        pytest.mark.timeout(timeout_s),
    ]
