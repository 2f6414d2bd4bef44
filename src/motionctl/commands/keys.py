"""`motionctl keys`: account administration on the server's own database (create an account, grant
it units)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from motionctl.commands.options import DATA_DIR, load_settings, use_data_dir

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

app = typer.Typer(help="API keys (each `create` makes an account with its own keys).", no_args_is_help=True)


def _engine(data_dir: Path | None) -> Engine:
    from motionctl.tasks.db import make_engine, migrate

    use_data_dir(data_dir)
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate(engine, settings.data_dir)
    return engine


@app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="A label for the account.")] = "",
    units: Annotated[float, typer.Option("--units", min=0, help="Units to grant the new account "
                                         "(1 unit = 1 US dollar, as the price table counts).")] = 0,
    data_dir: DATA_DIR = None,
) -> None:
    """Create an account; prints api_key, access_key and secret_key once, as one JSON object."""
    from motionctl.tasks import ledger
    from motionctl.tasks.accounts import create_account

    engine = _engine(data_dir)
    creds = create_account(engine, name)
    out: dict[str, object] = dict(creds.to_dict())
    if units > 0:
        out.update(ledger.grant(engine, creds.account_id, units, "granted at creation").to_dict())
    typer.echo(json.dumps(out))


@app.command("grant")
def keys_grant(
    access_key: Annotated[str, typer.Argument(help="The account's access key (ak_...).")],
    units: Annotated[float, typer.Option("--units", min=0, help="Units to add.")],
    note: Annotated[str, typer.Option("--note", help="Shown in the account's billing records.")] = "granted",
    data_dir: DATA_DIR = None,
) -> None:
    """Grant units to an account; prints its balance."""
    from motionctl.tasks import ledger
    from motionctl.tasks.accounts import by_access_key

    engine = _engine(data_dir)
    account = by_access_key(engine, access_key)
    if account is None:
        typer.echo(f"access_key: no such account (got {access_key})", err=True)
        raise typer.Exit(2)
    if units <= 0:
        typer.echo(f"units: must be more than 0 (got {units:g})", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps({"account_id": account.id, **ledger.grant(engine, account.id, units, note).to_dict()}))
