"""`motionctl serve` (the HTTP API and its workers) and `motionctl worker` (one worker on its own)."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from types import FrameType
from typing import Annotated

import typer

from motionctl.commands.engine_options import DEVICE, DTYPE, ENGINE, OFFLOAD, WEIGHTS, engine_options
from motionctl.commands.options import DATA_DIR, load_settings, use_data_dir
from motionctl.core.engines import EngineName

app = typer.Typer()


def _impatient_server_class() -> type:
    import uvicorn

    class Impatient(uvicorn.Server):
        """A second SIGTERM (or SIGINT) stops waiting for open requests at once."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self.should_exit:
                self.force_exit = True
            super().handle_exit(sig, frame)

    return Impatient


# How long a thread may hold the GIL while another waits for it (Python's default: 5 ms). Every
# query crosses from the event loop to a pool thread and back; while the loop and submissions'
# threads are busy, each crossing can wait a whole interval (benchmarks/load_api.py measures
# query latency during a submission burst).
GIL_SWITCH_SECONDS = 0.0005


def freeze_startup_heap() -> None:
    """Put every object alive once the app is built (modules, routes, schemas, over 100k of them)
    out of the cyclic garbage collector's reach (``gc.freeze``). Its full collections would
    otherwise walk them all, holding the GIL for tens of milliseconds at a time while queries wait
    (benchmarks/load_api.py measures query latency)."""
    gc.collect()
    gc.freeze()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes to start (0: API only).")] = 1,
    data_dir: DATA_DIR = None,
) -> None:
    """Run the HTTP API (and worker processes) against one database and data directory."""
    import uvicorn

    from motionctl.api import create_app
    from motionctl.tasks.runtime import build_services
    from motionctl.tasks.supervisor import WorkerSupervisor
    from motionctl.tasks.worker import housekeeping

    ImpatientServer = _impatient_server_class()  # noqa: N806 - a class
    use_data_dir(data_dir)
    public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    os.environ.setdefault("MOTIONCTL_PUBLIC_URL", f"http://{public_host}:{port}")
    services = build_services(load_settings())  # migrates once, before any worker starts
    supervisor = WorkerSupervisor(workers)
    supervisor.start()
    stop = threading.Event()
    # Callbacks are delivered from the API process too, so `--workers 0` still sends "submitted".
    keeper = threading.Thread(target=housekeeping, args=(services, stop), kwargs={"retention": workers == 0})
    keeper.daemon = True
    keeper.start()
    # uvicorn restores the previous SIGTERM/SIGINT handlers after its graceful shutdown and re-raises
    # the signal; with the defaults that would end this process before it stops its workers.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: None)
    signal.signal(signal.SIGINT, lambda _sig, _frame: None)
    config = uvicorn.Config(
        create_app(services=services),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # Open requests (a slow upload) get this long after SIGTERM, then are cut off.
        timeout_graceful_shutdown=max(1, round(services.settings.shutdown_grace_seconds)),
    )
    freeze_startup_heap()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    try:
        ImpatientServer(config).run()
    finally:
        stop.set()
        supervisor.stop()


@app.command()
def worker(
    data_dir: DATA_DIR = None,
    engine: ENGINE = EngineName.PUPPET,
    weights: WEIGHTS = None,
    dtype: DTYPE = "bf16",
    offload: OFFLOAD = "none",
    device: DEVICE = "auto",
) -> None:
    """Run one worker: claims the tasks its engine can run from the shared database and runs them."""
    from motionctl.core.engines import engine_named
    from motionctl.core.errors import MotionctlError
    from motionctl.tasks.runtime import build_services
    from motionctl.tasks.supervisor import lower_priority
    from motionctl.tasks.worker import Worker, engine_runner

    use_data_dir(data_dir)
    settings = load_settings()
    lower_priority(settings.worker_nice, idle=settings.worker_sched_idle)
    try:  # the engine is loaded before the first claim: a GPU worker loads its weights once
        runner = engine_runner(settings, engine, engine_options(weights, dtype, offload, device))
    except MotionctlError as exc:
        typer.echo(f"rejected: {exc.message}", err=True)
        raise typer.Exit(2) from None
    w = Worker(build_services(settings), runner=runner, serves=engine_named(engine))

    def _stop(signum: int, _frame: object) -> None:
        w.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    w.run_forever()
