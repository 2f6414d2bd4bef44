"""The `motionctl` command: one Typer app, each command group in its own module under commands/."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

# Each module registers its commands on `app` when imported.
# Command modules register themselves here (one import each).
from motionctl.commands import service  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    # Under `python -m motionctl.cli` this file is __main__, while command modules register on the
    # imported motionctl.cli.app; run that one.
    from motionctl.cli import app as _registered_app

    _registered_app()
