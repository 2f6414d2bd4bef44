"""Fixtures for the service tests: settings in a temp data dir, the app, accounts, loopback file
server and webhook receiver, generated media, and SQLite / real PostgreSQL databases."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_env import make_settings
from svc_media import make_image, make_video, png_header_only
from svc_postgres import find_bin_dir, postgres_server
from svc_servers import FileServer, Receiver, file_server, webhook_receiver

from motionctl.settings import Settings
from motionctl.tasks.accounts import Credentials, create_account
from motionctl.tasks.runtime import Services, build_services


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed; apt-get install postgresql")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the session's PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tasks.db'}"
        return
    import psycopg

    server: str = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    svc = build_services(settings)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def api(services: Services) -> Iterator[object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from motionctl.api import create_app

    with TestClient(create_app(services=services)) as client:
        yield client


@pytest.fixture
def account(services: Services) -> Credentials:
    return create_account(services.engine, "tester")


@pytest.fixture
def auth(account: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.api_key}"}


@pytest.fixture
def fs() -> Iterator[FileServer]:
    with file_server() as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as rec:
        yield rec


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small valid inputs (and a few invalid ones) made with Pillow and PyAV."""
    d = tmp_path_factory.mktemp("media")
    return {
        "image": make_image(d / "person.png", 512, 768),
        "video": make_video(d / "motion.mp4", 360, 640, seconds=3.5),
        "small_image": make_image(d / "small.png", 200, 400),
        "wide_image": make_image(d / "wide.png", 1200, 400),
        "short_video": make_video(d / "short.mp4", 360, 640, seconds=2.0),
        "long_video": make_video(d / "long.mp4", 360, 640, fps=8, seconds=11.0),
        "tiny_video": make_video(d / "tiny.mp4", 320, 240, seconds=3.5),
        "wide_video": make_video(d / "wide.mp4", 3900, 400, fps=2, seconds=3.5),
        "very_long_video": make_video(d / "very_long.mp4", 360, 640, fps=2, seconds=31.0),
        "huge_image": png_header_only(d / "huge.png", 70000, 30000),
    }
