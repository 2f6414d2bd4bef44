"""The `motionctl` command: one Typer app, each command group in its own module under commands/."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.callback()
def main() -> None:
    """motionctl: a character from one image performs the motion of a driving video."""

# Each module registers its commands on `app` when imported.
# Command modules register themselves here (one import each).
from motionctl.commands import eval  # noqa: E402,F401
