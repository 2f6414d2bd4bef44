"""The `motionctl` command: one root Typer app made of each command module's own app."""

from __future__ import annotations

import typer

from motionctl.commands import client, element, eval, generate, keys, serve

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Animate a character image with the motion of a driving video, on a CPU; serve it as an API.",
)
app.add_typer(generate.app)
app.add_typer(eval.app)
app.add_typer(serve.app)
app.add_typer(client.app)
app.add_typer(keys.app, name="keys")
app.add_typer(element.app, name="element")

if __name__ == "__main__":  # pragma: no cover
    app()
