"""Client commands against a running server: submit (any model of the catalogue, async, sync or
following its events), status, list, wait, cancel, account."""

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


def unified_fields(
    schema: dict[str, Any], image: str, video: str, orientation: str, prompt: str, sound: bool, resolution: str | None
) -> dict[str, Any]:
    """The CLI's options in a unified model's own field names, read from its json_request_schema."""
    props = schema.get("properties", {})
    fields: dict[str, Any] = {"prompt": prompt}
    if "input_image" in props:
        fields.update(input_image=image, input_video=video, character_orientation=orientation)
    else:
        fields.update(reference_images=[{"url": image}], reference_videos=[{"url": video}])
        fields["extra_params"] = {"character_orientation": orientation}
    fields["keep_original_sound" if "keep_original_sound" in props else "generate_audio"] = sound
    if resolution and "resolution" in props:
        fields["resolution"] = resolution.upper()
    return fields


def _unified_submit(client: Any, model: str, fields: dict[str, Any], how: str, output: Path | None) -> Any:
    def show(name: str, data: dict[str, Any]) -> None:
        typer.echo(f"event {name}: progress {data.get('progress', 0)}", err=True)

    done = client.generate(model=model, mode=how, on_event=show, **fields)
    if output is not None and done.get("status") == "completed":
        client.download(done["result_data"]["videos"][0]["url"], output)
    if done.get("status") == "failed":
        typer.echo(json.dumps(done, indent=2))
        raise typer.Exit(1)
    return done


@app.command()
def submit(
    image: Annotated[str, typer.Option(help="Image path, URL or raw base64.")],
    video: Annotated[str, typer.Option(help="Video path or URL.")],
    orientation: Annotated[str, typer.Option(help="character_orientation: image or video.")],
    mode: Annotated[str, typer.Option(help="std (720p) or pro (1080p).")] = "std",
    model_name: Annotated[str, typer.Option(help="kling-v2-6 or kling-v3.")] = "kling-v2-6",
    model: Annotated[
        str | None, typer.Option(help="A unified model id (motionctl models): POST /v1/videos/generations.")
    ] = None,
    resolution: Annotated[str | None, typer.Option(help="With --model: 720P or 1080P where it has one.")] = None,
    sync: Annotated[bool, typer.Option("--sync", help="With --model: block until it ends (Prefer: wait).")] = False,
    sse: Annotated[bool, typer.Option("--sse", help="With --model: follow its server-sent events.")] = False,
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
    if model is not None:
        how = "sse" if sse else "sync" if sync else "async"

        def go_unified() -> Any:
            schema = client.model(model)["json_request_schema"]
            fields = unified_fields(schema, image, video, orientation, prompt, not no_sound, resolution)
            return _unified_submit(client, model, fields, how, output)

        _run(go_unified)
        return

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
        if not wait:
            return task
        done = client.wait(task["task_id"])
        if output is not None and done["task_status"] == "succeed":
            client.download(done["task_result"]["videos"][0]["url"], output)
        return done

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

    def go() -> Any:
        done = client.wait(task_id, timeout=timeout)
        if output is not None and done["task_status"] == "succeed":
            client.download(done["task_result"]["videos"][0]["url"], output)
        return done

    _run(go)


@app.command()
def cancel(task_id: str, server: SERVER = "http://127.0.0.1:8000", token: TOKEN = None) -> None:
    """Cancel a submitted or processing task (task_id, external_task_id or a unified task_...)."""
    client = _client(server, token)
    if task_id.startswith("task_"):
        _run(lambda: client.cancel_generation(task_id))
        return
    result_holder: dict[str, Any] = {}

    def go() -> Any:
        result_holder["task"] = client.cancel(task_id)
        return result_holder["task"]

    try:
        _run(go)
    except typer.Exit as exc:  # a cancelled task is failed by design: that is this command's success
        if exc.exit_code == 1 and result_holder.get("task", {}).get("task_status_msg") == "cancelled by the user":
            return
        raise


@app.command()
def account(
    billing: Annotated[bool, typer.Option("--billing", help="Also list the billing records.")] = False,
    server: SERVER = "http://127.0.0.1:8000",
    token: TOKEN = None,
) -> None:
    """Show the account: its units granted, used, reserved and remaining."""
    client = _client(server, token)

    def go() -> Any:
        info = client.account()
        if billing:
            info["billing"] = client.billing()
        return info

    _run(go)


@app.command()
def models(server: SERVER = "http://127.0.0.1:8000", token: TOKEN = None) -> None:
    """List the models catalogue (ids, capabilities, prices)."""
    client = _client(server, token)
    _run(lambda: [{k: v for k, v in m.items() if k != "json_request_schema"} for m in client.models()])
