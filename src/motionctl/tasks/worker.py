"""The worker: claim a task, run the engine with a heartbeat renewing the lease and recording
progress, store the result, bill it, finish the task. Beside it, a housekeeping thread delivers
callbacks and applies retention, so neither ever waits for (or blocks) a generation.

Failures: InvalidInput from the engine (unusable content) fails the task with that message and no
charge; anything else is retried (bounded attempts); a lost lease discards the work silently, since
another worker owns the task now.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from motionctl.core.errors import InvalidInput
from motionctl.core.types import GenerationResult, GenerationSpec, Mode, Orientation, Resolution
from motionctl.settings import Settings
from motionctl.tasks.billing import units_for
from motionctl.tasks.download import allow_all, public_only
from motionctl.tasks.logs import task_id_var
from motionctl.tasks.models import Task
from motionctl.tasks.outbox import Outbox
from motionctl.tasks.queue import Outcome, TaskQueue
from motionctl.tasks.retention import cleanup
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import new_id

log = logging.getLogger("motionctl.worker")
# Between heartbeats the worker reads its task's status this often, so a cancelled task's engine
# stops within about a second (the engine looks at the flag at each progress report, every frame).
CANCEL_CHECK_SECONDS = 0.25
Progress = Callable[[float], None]
Runner = Callable[[GenerationSpec, Path, Progress], GenerationResult]


# The engine names its inputs as the CLI does; API users know them by their request fields.
_API_FIELDS = {"image": "image_url", "video": "video_url"}


def api_message(exc: InvalidInput) -> str:
    msg = exc.message
    for engine_name, api_name in _API_FIELDS.items():
        if msg.startswith(engine_name + ":") or msg.startswith(engine_name + "."):
            return api_name + msg[len(engine_name) :]
    return msg


class Interrupted(Exception):
    """Raised from the progress callback to abandon a generation (lease lost or shutting down)."""


def engine_runner(settings: Settings) -> Runner:
    """The engine, keeping analysed characters in ``<data dir>/characters`` (at most
    ``character_cache_entries``; 0: none kept): tasks that reuse a character image skip its analysis."""

    def run(spec: GenerationSpec, output: Path, progress: Progress) -> GenerationResult:
        from motionctl.engine.character_cache import CharacterCache
        from motionctl.engine.pipeline import generate

        entries = settings.character_cache_entries
        cache = CharacterCache(settings.data_dir / "characters", entries) if entries else None
        return generate(spec, output, progress=progress, cache=cache)

    return run


def make_outbox(services: Services) -> Outbox:
    st = services.settings
    return Outbox(
        services.store,
        allow_all if st.allow_private_urls else public_only,
        max_attempts=st.callback_max_attempts,
        backoff_s=st.callback_backoff_seconds,
        backoff_max_s=st.callback_backoff_max,
        timeout_s=st.callback_timeout_seconds,
    )


def housekeeping(services: Services, stop: threading.Event, *, retention: bool = True) -> None:
    """Deliver due callbacks until ``stop``; apply retention every cleanup interval."""
    outbox = make_outbox(services)
    next_cleanup = time.monotonic() + 5.0
    while not stop.is_set():
        try:
            busy = outbox.deliver_one()
            if retention and time.monotonic() >= next_cleanup:
                next_cleanup = time.monotonic() + services.settings.cleanup_interval_seconds
                cleanup(services.store, services.storage, services.settings.retention_days)
        except Exception:  # a broken callback or a busy database must not end the loop
            log.exception("housekeeping step failed")
            busy = False
        if not busy:
            stop.wait(min(services.settings.poll_seconds, 1.0))


@dataclass
class _RunState:
    progress: float = 0.0  # engine's last report, 0..1
    lost: bool = False  # the lease was taken over (or the task deleted)


class Worker:
    def __init__(self, services: Services, *, runner: Runner | None = None, worker_id: str | None = None) -> None:
        st = services.settings
        self.services = services
        self.runner = runner or engine_runner(st)
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.queue = TaskQueue(services.store, lease_seconds=st.lease_seconds, max_attempts=st.max_attempts)
        self.stop = threading.Event()
        self.heartbeat_s = max(0.2, min(st.lease_seconds / 3.0, 2.0))

    def run_forever(self, *, housekeeping_thread: bool = True) -> None:
        keeper = None
        if housekeeping_thread:
            keeper = threading.Thread(target=housekeeping, args=(self.services, self.stop), daemon=True)
            keeper.start()
        log.info("worker started", extra={"worker": self.id})
        while not self.stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # e.g. database briefly unreachable: wait and carry on
                log.exception("worker step failed", extra={"worker": self.id})
                worked = False
            if not worked:
                self.stop.wait(self.services.settings.poll_seconds)
        if keeper is not None:
            keeper.join(timeout=15)
        log.info("worker stopped", extra={"worker": self.id})

    def run_once(self) -> bool:
        task = self.queue.claim(self.id)
        if task is None:
            return False
        token = task_id_var.set(task.id)
        try:
            self.process(task)
        finally:
            task_id_var.reset(token)
        return True

    def process(self, task: Task) -> None:
        storage = self.services.storage
        log.info("task claimed", extra={"worker": self.id, "attempt": task.attempts, "event": "processing"})
        state = _RunState()
        done = threading.Event()

        def beat() -> None:
            last_written = -1
            next_beat = time.monotonic() + self.heartbeat_s
            while not done.wait(CANCEL_CHECK_SECONDS):
                pct = int(state.progress * 100)
                try:
                    if time.monotonic() < next_beat:
                        alive = self.queue.still_running(task.id, self.id)
                    else:
                        next_beat = time.monotonic() + self.heartbeat_s
                        alive = self.queue.heartbeat(task.id, self.id, pct if pct != last_written else None)
                        last_written = pct
                except Exception:  # database hiccup: try again next beat; the lease has slack
                    log.warning("heartbeat failed", exc_info=True, extra={"worker": self.id})
                    continue
                if not alive:
                    state.lost = True
                    return

        def on_progress(fraction: float) -> None:
            state.progress = max(state.progress, min(max(float(fraction), 0.0), 1.0))
            if state.lost:
                raise Interrupted("lease lost")
            if self.stop.is_set():
                raise Interrupted("worker stopping")

        scratch = storage.scratch_dir()
        heart = threading.Thread(target=beat, daemon=True)
        heart.start()
        try:
            spec = GenerationSpec(
                image=storage.open_path(task.image_key),
                video=storage.open_path(task.video_key),
                orientation=Orientation(task.orientation),
                mode=Mode(task.mode),
                resolution=Resolution(task.resolution) if task.resolution else None,
                keep_sound=task.keep_sound,
                watermark=task.watermark,
                prompt=task.prompt,
            )
            started = time.monotonic()
            result = self.runner(spec, scratch / "output.mp4", on_progress)
            done.set()
            heart.join()
            if state.lost:
                raise Interrupted("lease lost")
            self._finish(task, result, time.monotonic() - started)
        except Interrupted as exc:
            self._interrupted(task, state.lost, str(exc))
        except InvalidInput as exc:
            message = api_message(exc)
            self.queue.fail(task.id, self.id, message)
            log.info("task failed: %s", message, extra={"worker": self.id, "event": "failed"})
        except Exception as exc:  # engine bug, disk full...: retry within the attempt budget
            if state.lost or self.stop.is_set():  # the engine wrapped our Interrupted
                self._interrupted(task, state.lost, f"{type(exc).__name__}: {exc}")
                return
            log.exception("task attempt failed", extra={"worker": self.id, "attempt": task.attempts})
            delay = min(60.0, 2.0**task.attempts)
            self.queue.retry_later(task.id, self.id, f"internal error: {type(exc).__name__}: {exc}", delay)
        finally:
            done.set()
            shutil.rmtree(scratch, ignore_errors=True)

    def _interrupted(self, task: Task, lost: bool, why: str) -> None:
        if not lost and self.queue.release(task.id, self.id):
            log.info("task handed back: %s", why, extra={"worker": self.id})
        else:  # cancelled, deleted or taken over by another worker: nothing of this run is kept
            log.warning("task no longer ours (cancelled, deleted or lease lost); work discarded",
                        extra={"worker": self.id})

    def _finish(self, task: Task, result: GenerationResult, seconds: float) -> None:
        storage, st = self.services.storage, self.services.settings
        result_key = storage.put_file(result.output, "mp4", move=True)
        wm_key = None
        if result.watermark_output is not None:
            wm_key = storage.put_file(result.watermark_output, "mp4", move=True)
        msg = f"output shortened: {result.shortened_reason}" if result.shortened_reason else ""
        outcome = Outcome(
            video_id=new_id(),
            result_key=result_key,
            watermark_key=wm_key,
            duration=round(result.duration, 3),
            units=units_for(st.prices, task.model_name, task.mode, result.duration),
            status_msg=msg,
        )
        if self.queue.succeed(task.id, self.id, outcome):
            log.info("task succeeded in %.1f s", seconds, extra={"worker": self.id, "event": "succeed"})
        else:
            log.warning("lease lost before finishing; result discarded", extra={"worker": self.id})
