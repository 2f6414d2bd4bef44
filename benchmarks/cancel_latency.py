"""How soon a running task stops once it is cancelled, by when the cancel comes: a worker (in this
process, SQLite in a temporary folder, the puppet engine) runs one task per delay, the task is cancelled
that many seconds after the engine starts, and the table gives the seconds from the cancel to the
engine's stop (its progress callback raising) and what the engine was doing (its last progress report:
checks, perception, the character's build, or frames).

    PYTHONPATH=src .venv/bin/python benchmarks/cancel_latency.py [--at 0.5 1.5 3 5 8] [--image I --video V]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import tempfile
import threading
import time
from pathlib import Path

from motionctl.engine.pipeline import ANALYSED, CHECKED, PERCEIVING
from motionctl.settings import Settings
from motionctl.tasks.accounts import create_account
from motionctl.tasks.runtime import build_services
from motionctl.tasks.store import NewTask
from motionctl.tasks.worker import Interrupted, Progress, Runner, Worker, engine_runner

ELF = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "pairs" / "upperbody_elf"


def stage(fraction: float) -> str:
    """Where the engine was, by its last report (engine/pipeline.py's steps)."""
    if fraction < PERCEIVING:
        return "checks" if fraction < CHECKED else "driver's end check"
    if fraction == PERCEIVING:
        return "perception"
    return "character build" if fraction < ANALYSED else "frames"


class Watch:
    """The worker's runner, timed: when the engine started, its last report, when it stopped."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.started = threading.Event()
        self.last = 0.0
        self.stopped_at: float | None = None

    def __call__(self, spec, output: Path, progress: Progress):  # type: ignore[no-untyped-def]
        def timed(fraction: float) -> None:
            self.last = max(self.last, fraction)
            try:
                progress(fraction)
            except Interrupted:
                self.stopped_at = time.monotonic()
                raise

        self.started.set()
        return self.runner(spec, output, timed)


def one(root: Path, image: Path, video: Path, at: float) -> tuple[float | None, str]:
    services = build_services(Settings(data_dir=root / f"data-{at:g}", log_json=False, character_cache_entries=0))
    try:
        account = create_account(services.engine, "bench").account_id
        keys = [services.storage.put_file(p, p.suffix.lstrip(".")) for p in (image, video)]
        new = NewTask(account_id=account, request_hash=hashlib.sha256(str(at).encode()).hexdigest(),
                      model_name="kling-v2-6", mode="std", orientation="image", image_key=keys[0],
                      video_key=keys[1])
        task, _ = services.store.create(new, max_active=10)
        watch = Watch(engine_runner(services.settings))
        worker = Worker(services, runner=watch)
        thread = threading.Thread(target=worker.run_once)
        thread.start()
        watch.started.wait()
        time.sleep(at)
        cancelled = time.monotonic()
        services.store.cancel(account, task.id)
        thread.join()
        latency = None if watch.stopped_at is None else watch.stopped_at - cancelled
        return latency, stage(watch.last)
    finally:
        services.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", type=float, nargs="+", default=[0.5, 1.5, 3.0, 5.0, 8.0],
                        help="seconds after the engine starts to cancel")
    parser.add_argument("--image", type=Path, default=ELF / "image.jpeg")
    parser.add_argument("--video", type=Path, default=ELF / "video.mp4")
    args = parser.parse_args()
    logging.getLogger("motionctl").setLevel(logging.ERROR)  # the worker's own lines would split the table
    print(f"{'cancel at s':>11}  {'stopped after s':>15}  engine was in")
    with tempfile.TemporaryDirectory() as tmp:
        for at in args.at:
            latency, where = one(Path(tmp), args.image, args.video, at)
            shown = "finished first" if latency is None else f"{latency:.2f}"
            print(f"{at:>11g}  {shown:>15}  {where}")


if __name__ == "__main__":
    main()
