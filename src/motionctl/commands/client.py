"""Client commands against a running server: submit, status, list, wait."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer()

SERVER = Annotated[str, typer.Option("--server", envvar="MOTIONCTL_SERVER", help="Server base URL.")]
TOKEN = Annotated[
    str | None,
    typer.Option("--token", envvar="MOTIONCTL_TOKEN", help="API key (or JWT) to authenticate with."),
]

def _client(server: str, token: str | None) -> Any:
    from motionctl.client import Client

    if not token:
        typer.echo("token: required; pass --token or set MOTIONCTL_TOKEN (got none)", err=True)
        raise typer.Exit(2)
    return Client(server, token)


def _run(fn: Any) -> None:
    from motionctl.client import ApiError

    try:
        result = fn()
    except ApiError as exc:
        typer.echo(f"error {exc.code}: {exc.message}", err=True)
        raise typer.Exit(2 if 1000 <= exc.code < 5000 else 1) from None
    except (TimeoutError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(result, indent=2))
    if isinstance(result, dict) and result.get("task_status") == "failed":
        raise typer.Exit(1)


@app.command()
def submit(
    image: Annotated[str, typer.Option(help="Image path, URL or raw base64.")],
    video: Annotated[str, typer.Option(help="Video path or URL.")],
    orientation: Annotated[str, typer.Option(help="character_orientation: image or video.")],
    mode: Annotated[str, typer.Option(help="std (720p) or pro (1080p).")] = "std",
    model_name: Annotated[str, typer.Option(help="kling-v2-6 or kling-v3.")] = "kling-v2-6",
    prompt: Annotated[str, typer.Option(help="Text prompt.")] = "",
    no_sound: Annotated[bool, typer.Option("--no-sound", help="Drop the video's sound.")] = False,
    watermark: Annotated[bool, typer.Option(help="Also produce a watermarked copy.")] = False,
    callback_url: Annotated[str, typer.Option(help="URL to notify on every status change.")] = "",
    external_task_id: Annotated[str, typer.Option(help="Your own unique id for the task.")] = "",
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the task to finish.")] = False,
    output: Annotated[Path | None, typer.Option(help="With --wait: save the video here.")] = None,
    server: SERVER = "http://127.0.0.1:8000",
    token: TOKEN = None,
) -> None:
    """Submit a task to a server (local files are uploaded first)."""
    client = _client(server, token)

    def go() -> Any:
        task = client.submit(
            image,
            video,
            orientation=orientation,
            mode=mode,
            model_name=model_name,
            prompt=prompt,
            keep_original_sound=not no_sound,
            watermark=watermark,
            callback_url=callback_url,
            external_task_id=external_task_id,
        )
        return _finished(client, task["task_id"], output) if wait else task

    _run(go)


@app.command()
def status(task_id: str, server: SERVER = "http://127.0.0.1:8000", token: TOKEN = None) -> None:
    """Show one task (task_id or external_task_id)."""
    client = _client(server, token)
    _run(lambda: client.get(task_id))


@app.command("list")
def list_tasks(
    page_num: Annotated[int, typer.Option("--page")] = 1,
    page_size: Annotated[int, typer.Option("--size")] = 30,
    server: SERVER = "http://127.0.0.1:8000",
    token: TOKEN = None,
) -> None:
    """List your tasks, newest first."""
    client = _client(server, token)
    _run(lambda: client.list(page_num, page_size))


@app.command("wait")
def wait_task(
    task_id: str,
    timeout: Annotated[float, typer.Option(help="Seconds to wait at most.")] = 1800.0,
    output: Annotated[Path | None, typer.Option(help="Save the video here when it succeeds.")] = None,
    server: SERVER = "http://127.0.0.1:8000",
    token: TOKEN = None,
) -> None:
    """Wait until a task succeeds or fails; exit 0 on success, 1 on failure."""
    client = _client(server, token)

    _run(lambda: _finished(client, task_id, output, timeout=timeout))


def _finished(client: Any, task_id: str, output: Path | None, **wait: float) -> Any:
    """The task once it has finished; its video saved at ``output`` (when given) if it succeeded."""
    done = client.wait(task_id, **wait)
    if output is not None and done["task_status"] == "succeed":
        client.download(done["task_result"]["videos"][0]["url"], output)
    return done
