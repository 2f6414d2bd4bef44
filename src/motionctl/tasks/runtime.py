"""One deployment's shared objects: settings, database, store, storage, URL signer, intake.

Built the same way by the API process and by every worker, from the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from motionctl.settings import Settings
from motionctl.storage import LocalStorage, UrlSigner
from motionctl.storage.signing import load_or_create_secret
from motionctl.tasks.db import make_engine, migrate
from motionctl.tasks.download import allow_all, public_only
from motionctl.tasks.intake import Intake
from motionctl.tasks.models import Task
from motionctl.tasks.store import TaskStore
from motionctl.tasks.view import Links, render_any


@dataclass
class Services:
    settings: Settings
    engine: Engine
    store: TaskStore
    storage: LocalStorage
    signer: UrlSigner
    intake: Intake

    @classmethod
    def build(cls, settings: Settings, *, run_migrations: bool = True) -> Services:
        return build_services(settings, run_migrations=run_migrations)

    def links(self, base_url: str) -> Links:
        return Links(self.signer, base_url)

    def public_links(self) -> Links:
        return Links(self.signer, self.settings.public_url)


def build_services(settings: Settings, *, run_migrations: bool = True) -> Services:
    """Open the database (migrating it), the storage and the signer of one deployment."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    if run_migrations:
        migrate(engine, settings.data_dir)
    storage = LocalStorage(settings.data_dir / "blobs")
    signer = UrlSigner(load_or_create_secret(settings.data_dir / "url_secret.key"), settings.url_ttl_seconds)
    callback_links = Links(signer, settings.public_url)

    def render(task: Task) -> dict[str, Any]:
        return render_any(task, callback_links)

    store = TaskStore(engine, render=render)
    intake = Intake(
        storage,
        signer,
        allow_all if settings.allow_private_urls else public_only,
        max_seconds=settings.download_max_seconds,
        max_redirects=settings.download_max_redirects,
        min_coverage=settings.min_character_coverage,
    )
    return Services(settings, engine, store, storage, signer, intake)
