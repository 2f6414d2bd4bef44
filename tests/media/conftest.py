"""Fixtures for the media tests (the file makers live in media_files.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from media_files import write_video


@pytest.fixture
def video_factory(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str = "clip.mp4", **kw: object) -> Path:
        return write_video(tmp_path / name, **kw)  # type: ignore[arg-type]

    return make
