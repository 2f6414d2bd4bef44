"""Fixtures of the element tests: a valid face video made from ../shared/testdata."""

from __future__ import annotations

from pathlib import Path

import pytest
from element_media import D3, rescaled


@pytest.fixture(scope="session")
def face_720(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The d3 face clip from 3.8 s (where she turns her head most), scaled to 720x720, 8 s."""
    if not D3.is_file():
        pytest.skip("../shared/testdata is absent")
    return rescaled(D3, tmp_path_factory.mktemp("faces") / "face_720.mp4", (720, 720), start=3.8)
