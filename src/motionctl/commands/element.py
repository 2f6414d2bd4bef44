"""`motionctl element`: make a face bank (an element) from a face video, locally or on a server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from motionctl.commands.client import SERVER, TOKEN
from motionctl.core.errors import InvalidInput, MotionctlError, rule_violation

app = typer.Typer(no_args_is_help=True, help="Elements: a character's face from every angle, from a face video.")
err = Console(stderr=True)


def _fail(exc: MotionctlError) -> typer.Exit:
    label = "rejected" if isinstance(exc, InvalidInput) else "error"
    err.print(f"[bold red]{label}:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2 if isinstance(exc, InvalidInput) else 1)


@app.command()
def create(
    video: Annotated[Path, typer.Option(help="Face video: MP4/MOV/WEBM, ≤8 s, 720-2160 px, ≤100 MB.")],
    name: Annotated[str, typer.Option(help="element_name, at most 20 characters.")],
    description: Annotated[str, typer.Option(help="element_description, at most 100 characters.")] = "",
    output: Annotated[Path | None, typer.Option(help="Write the face bank to this file (no server).")] = None,
    server: Annotated[str | None, typer.Option("--server", envvar="MOTIONCTL_SERVER",
                                               help="Create the element on this server instead.")] = None,
    token: TOKEN = None,
) -> None:
    """Build a face bank from VIDEO: the sharpest near-neutral view per 15° of head yaw and pitch."""
    if (output is None) == (server is None):
        raise _fail(rule_violation(InvalidInput, "output", "give exactly one of --output FILE (local) and "
                                   "--server URL", "both" if output else "neither"))
    if server is not None:
        _create_on_server(server, token, video, name, description)
        return
    from motionctl.core.element_rules import check_element_text
    from motionctl.engine.elements import save_bank
    from motionctl.engine.elements.build import build_bank
    from motionctl.media.validate import validate_element_video

    assert output is not None
    try:
        check_element_text(name, description)
        if not output.parent.is_dir():
            raise rule_violation(InvalidInput, "output", "folder must exist", str(output.parent))
        bank = build_bank(validate_element_video(video, "video"), name, description, field="video")
        save_bank(bank, output)
    except MotionctlError as exc:
        raise _fail(exc) from None
    print(json.dumps({"output": str(output), **bank.summary()}))


def _create_on_server(server: str, token: str | None, video: Path, name: str, description: str) -> None:
    """Seed 004's request on the unified endpoint; waits for the creation task and prints it (its
    result_data holds the element_id)."""
    from motionctl.commands.client import _client, _run

    client = _client(server, token)

    def go() -> Any:
        params = {"element_name": name, "element_description": description, "reference_type": "video_refer",
                  "element_video_list": {"video_url": client.upload(video)}}
        task = client.generate(model="kling-custom-element", model_params=params)
        while task["status"] not in ("completed", "failed"):
            time.sleep(1.0)
            task = client.generation(task["task_id"])
        return task

    _run(go)


@app.command("list")
def list_elements(server: SERVER = "http://127.0.0.1:8000", token: TOKEN = None) -> None:
    """The account's elements on a server (GET /v1/elements)."""
    from motionctl.commands.client import _client, _run

    client = _client(server, token)
    _run(lambda: client._call("GET", "/v1/elements"))


@app.command()
def delete(element_id: str, server: SERVER = "http://127.0.0.1:8000", token: TOKEN = None) -> None:
    """Delete an element and its face bank on a server (DELETE /v1/elements/{id})."""
    from motionctl.commands.client import _client, _run

    client = _client(server, token)
    _run(lambda: client._call("DELETE", f"/v1/elements/{element_id}"))


@app.command()
def show(bank: Annotated[Path, typer.Argument(help="A face bank file.")]) -> None:
    """Print a face bank's name, views (yaw/pitch bins) and the yaw range they cover."""
    from motionctl.engine.elements import load_bank

    try:
        print(json.dumps(load_bank(bank, "bank").summary()))
    except MotionctlError as exc:
        raise _fail(exc) from None
