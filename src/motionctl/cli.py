"""The `motionctl` command: one Typer app, each command group in its own module under commands/."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.callback()
def _main() -> None:
    """Keeps `motionctl` a command group even while only one command is registered."""


# Each module registers its commands on `app` when imported.
# Command modules register themselves here (one import each).
from motionctl.commands import eval  # noqa: E402,F401,I001
from motionctl.commands import generate  # noqa: E402,F401,I001
from motionctl.commands import service  # noqa: E402,F401,I001

if __name__ == "__main__":  # pragma: no cover
    # `python -m motionctl.cli` runs this file as __main__; the commands registered on motionctl.cli.app.
    from motionctl.cli import app as _registered

    _registered()
