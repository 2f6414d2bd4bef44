"""`motionctl keys`: account administration on the server's own database."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from motionctl.commands.options import DATA_DIR, load_settings, use_data_dir

app = typer.Typer(help="API keys (each `create` makes an account with its own keys).", no_args_is_help=True)


@app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="A label for the account.")] = "",
    data_dir: DATA_DIR = None,
) -> None:
    """Create an account; prints api_key, access_key and secret_key once, as one JSON object."""
    from motionctl.tasks.accounts import create_account
    from motionctl.tasks.db import make_engine, migrate

    use_data_dir(data_dir)
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate(engine, settings.data_dir)
    typer.echo(json.dumps(create_account(engine, name).to_dict()))
