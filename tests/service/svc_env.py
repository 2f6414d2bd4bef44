"""Settings and markers shared by the service tests (kept out of conftest.py: test modules of other
directories import their own `conftest`, so importing ours by that name is ambiguous)."""

from __future__ import annotations

from pathlib import Path

import pytest

from motionctl.settings import Settings

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
ELF = SHARED / "pairs" / "upperbody_elf"


def make_settings(data_dir: Path, **kw: object) -> Settings:
    base: dict[str, object] = {
        "data_dir": data_dir,
        "allow_private_urls": True,
        "callback_allow_http": True,  # the loopback receivers speak plain http
        "lease_seconds": 2.0,
        "poll_seconds": 0.1,
        "callback_backoff_seconds": 0.2,
        "callback_timeout_seconds": 5.0,
        "log_json": False,
        "intake_processes": 0,  # validate in-process (the pool is exercised by the served tests)
    }
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


needs_shared = pytest.mark.skipif(not ELF.exists(), reason="../shared/testdata is absent")


def engine_available() -> bool:
    try:
        import motionctl.engine.pipeline  # noqa: F401
    except ImportError:
        return False
    return True


needs_engine = pytest.mark.skipif(not engine_available(), reason="motionctl.engine.pipeline not installed yet")
