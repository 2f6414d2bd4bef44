"""Options and set-up shared by the service-side commands (serve, worker, keys)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from motionctl.settings import Settings

DATA_DIR = Annotated[Path | None, typer.Option(help="Data directory (default ./data or MOTIONCTL_DATA_DIR).")]


def use_data_dir(data_dir: Path | None) -> None:
    # Through the environment, so worker child processes see the same directory.
    if data_dir is not None:
        os.environ["MOTIONCTL_DATA_DIR"] = str(data_dir.resolve())


def load_settings() -> Settings:
    from motionctl.settings import Settings
    from motionctl.tasks import logs

    settings = Settings()
    logs.configure(settings.log_json)
    return settings
