"""Service commands: serve, worker, keys create, and the client commands submit/status/list/wait."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from motionctl.cli import app

log = logging.getLogger("motionctl.serve")
keys_app = typer.Typer(
    help="API keys (each `create` makes an account with its own keys).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")

SERVER = Annotated[str, typer.Option("--server", envvar="MOTIONCTL_SERVER", help="Server base URL.")]
TOKEN = Annotated[
    str | None,
    typer.Option("--token", envvar="MOTIONCTL_TOKEN", help="API key (or JWT) to authenticate with."),
]


def _use_data_dir(data_dir: Path | None) -> None:
    # Through the environment, so worker child processes see the same directory.
    if data_dir is not None:
        os.environ["MOTIONCTL_DATA_DIR"] = str(data_dir.resolve())


def _settings() -> Any:
    from motionctl.settings import Settings
    from motionctl.tasks import logs

    settings = Settings()
    logs.configure(settings.log_json)
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes to start (0: API only).")] = 1,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (default ./data or MOTIONCTL_DATA_DIR).")
    ] = None,
) -> None:
    """Run the HTTP API (and worker processes) against one database and data directory."""
    import uvicorn

    from motionctl.api import create_app
    from motionctl.tasks.runtime import build_services
    from motionctl.tasks.worker import housekeeping

    _use_data_dir(data_dir)
    public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    os.environ.setdefault("MOTIONCTL_PUBLIC_URL", f"http://{public_host}:{port}")
    settings = _settings()
    services = build_services(settings)  # migrates once, before any worker starts
    def start_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "motionctl.cli", "worker"], env=os.environ.copy())

    children = [start_worker() for _ in range(workers)]
    children_lock = threading.Lock()
    stop = threading.Event()

    def supervise() -> None:
        # A worker that dies (killed, out of memory, a crash in native code) is replaced; its task
        # is claimed again when the lease runs out.
        while not stop.wait(1.0):
            with children_lock:
                for i, child in enumerate(children):
                    if child.poll() is not None and not stop.is_set():
                        log.warning("worker %d exited with %s; starting another", child.pid, child.returncode)
                        children[i] = start_worker()

    threading.Thread(target=supervise, daemon=True).start()
    # Callbacks are delivered from the API process too, so `--workers 0` still sends "submitted".
    keeper = threading.Thread(target=housekeeping, args=(services, stop), kwargs={"retention": workers == 0})
    keeper.daemon = True
    keeper.start()
    # uvicorn restores the previous SIGTERM/SIGINT handlers after its graceful shutdown and re-raises
    # the signal; with the defaults that would end this process before it stops its workers.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: None)
    signal.signal(signal.SIGINT, lambda _sig, _frame: None)
    try:
        uvicorn.run(create_app(services=services), host=host, port=port, log_config=None, access_log=False)
    finally:
        stop.set()
        with children_lock:  # the supervisor starts no more workers from here on
            pass
        for child in children:
            child.send_signal(signal.SIGTERM)  # a worker hands its running task back, then exits
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@app.command()
def worker(
    data_dir: Annotated[Path | None, typer.Option(help="Data directory shared with the API.")] = None,
) -> None:
    """Run one worker: claims tasks from the shared database and runs the engine."""
    from motionctl.tasks.runtime import build_services
    from motionctl.tasks.worker import Worker

    _use_data_dir(data_dir)
    settings = _settings()
    if settings.worker_nice:
        os.nice(settings.worker_nice)
    w = Worker(build_services(settings))

    def _stop(signum: int, _frame: object) -> None:
        w.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    w.run_forever()


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="A label for the account.")] = "",
    data_dir: Annotated[Path | None, typer.Option(help="Data directory of the server.")] = None,
) -> None:
    """Create an account; prints api_key, access_key and secret_key once, as one JSON object."""
    from motionctl.tasks.accounts import create_account
    from motionctl.tasks.db import make_engine, migrate

    _use_data_dir(data_dir)
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate(engine, settings.data_dir)
    typer.echo(json.dumps(create_account(engine, name).to_dict()))


# -- client commands ----------------------------------------------------------------------------------
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
