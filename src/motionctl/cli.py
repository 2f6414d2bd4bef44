"""The `motionctl` command: one Typer app, each command group in its own module under commands/."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

# Each module registers its commands on `app` when imported.
# Command modules register themselves here (one import each).

if __name__ == "__main__":  # pragma: no cover
    app()
