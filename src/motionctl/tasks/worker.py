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
from typing import TYPE_CHECKING

from motionctl.core.engines import EngineCapabilities
from motionctl.core.errors import InvalidInput
from motionctl.core.types import GenerationResult, GenerationSpec, Mode, Orientation, Resolution
from motionctl.settings import Settings
from motionctl.tasks.billing import units_for
from motionctl.tasks.elements import CREATION_UNITS
from motionctl.tasks.elements import MODE as ELEMENT_MODE
from motionctl.tasks.guard import allow_all, public_only
from motionctl.tasks.logs import task_id_var
from motionctl.tasks.models import Task
from motionctl.tasks.outbox import Dispatcher, Outbox
from motionctl.tasks.queue import Outcome, TaskQueue
from motionctl.tasks.retention import cleanup
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import new_id

if TYPE_CHECKING:
    from motionctl.engine.registry import EngineOptions

log = logging.getLogger("motionctl.worker")
# Between heartbeats the worker reads its task's status this often, so a cancelled task's engine
# stops within about a second: the engine looks at the flag at each progress report, which the puppet
# makes at every frame and, before the first, at each step of its analysis and every few tenths of a
# second while the image's perception is pending (engine/pipeline.py; benchmarks/cancel_latency.py).
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


def engine_runner(settings: Settings, engine: str = "puppet", options: EngineOptions | None = None) -> Runner:
    """The engine named ``engine`` (core/engines.py). The puppet keeps analysed characters in
    ``<data dir>/characters`` (at most ``character_cache_entries``; 0: none kept): tasks that reuse a
    character image skip its analysis. Another engine is loaded here, once (wan-animate: its weights)."""
    if engine != "puppet":
        from motionctl.engine.registry import load_runner

        return load_runner(engine, options)

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
    st = services.settings
    dispatcher = Dispatcher(
        make_outbox(services), concurrency=st.callback_concurrency, per_account=st.callback_per_account
    )
    next_cleanup = time.monotonic() + 5.0
    try:
        while not stop.is_set():
            try:
                dispatcher.pump()
                if retention and time.monotonic() >= next_cleanup:
                    next_cleanup = time.monotonic() + st.cleanup_interval_seconds
                    cleanup(services.store, services.storage, st.retention_days)
            except Exception:  # a busy database must not end the loop
                log.exception("housekeeping step failed")
            stop.wait(min(st.poll_seconds, 1.0))
    finally:
        dispatcher.close(wait=False)  # deliveries in flight end by their own timeout


@dataclass
class _RunState:
    progress: float = 0.0  # engine's last report, 0..1
    lost: bool = False  # the lease was taken over (or the task deleted)


class Worker:
    def __init__(self, services: Services, *, runner: Runner | None = None, worker_id: str | None = None,
                 serves: EngineCapabilities | None = None) -> None:
        st = services.settings
        self.services = services
        self.runner = runner or engine_runner(st)
        self.serves = serves  # claim only what this engine runs (None: every task)
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
        task = self.queue.claim(self.id, self.serves)
        if task is None:
            return False
        token = task_id_var.set(task.id)
        try:
            self.process(task)
        finally:
            task_id_var.reset(token)
        return True

    def process(self, task: Task) -> None:
        """Run one claimed task to its end: succeed, fail (bad content), retry later, or hand back."""
        log.info("task claimed", extra={"worker": self.id, "attempt": task.attempts, "event": "processing"})
        state = _RunState()
        done = threading.Event()
        scratch = self.services.storage.scratch_dir()
        heart = threading.Thread(target=self._beat, args=(task, state, done), daemon=True)
        heart.start()
        try:
            if task.mode == ELEMENT_MODE:
                self._create_element(task, self._progress(state), scratch)
                return
            started = time.monotonic()
            result = self.runner(self._spec(task), scratch / "output.mp4", self._progress(state))
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
            self._failed_attempt(task, state, exc)
        finally:
            done.set()
            shutil.rmtree(scratch, ignore_errors=True)

    def _create_element(self, task: Task, on_progress: Progress, scratch: Path) -> None:
        """An element creation (seed 004): the face bank built from the task's video, stored with the
        element; the task's result id is the element_id."""
        from motionctl.engine.elements import save_bank
        from motionctl.engine.elements.bank import bank_pngs
        from motionctl.engine.elements.build import build_bank
        from motionctl.media.probe import probe_video

        library = self.services.elements
        element = library.of_task(task.id)
        if element is None:  # deleted while queued
            self.queue.fail(task.id, self.id, "element_id: the element was deleted before it was created")
            return
        info = probe_video(self.services.storage.open_path(task.video_key), "element_video_list", webm=True)
        bank = build_bank(info, element.name, element.description, progress=on_progress,
                          field="model_params.element_video_list.video_url")
        if not self.queue.still_running(task.id, self.id):
            raise Interrupted("lease lost")
        storage = self.services.storage
        key = storage.put_file(save_bank(bank, scratch / "bank.zip"), "zip", move=True)
        summary = bank.summary()
        # Each view's crop as a blob of its own: the workbench shows them as a strip of thumbnails.
        summary["thumbnails"] = [storage.put_bytes(png, "png") for png in bank_pngs(bank)]
        library.attach(task.id, key, summary)
        outcome = Outcome(video_id=element.id, result_key="", watermark_key=None, duration=0.0,
                          units=CREATION_UNITS)
        if not self.queue.succeed(task.id, self.id, outcome):
            log.warning("lease lost before finishing; element discarded", extra={"worker": self.id})

    def _spec(self, task: Task) -> GenerationSpec:
        storage = self.services.storage
        return GenerationSpec(
            image=storage.open_path(task.image_key),
            video=storage.open_path(task.video_key),
            orientation=Orientation(task.orientation),
            mode=Mode(task.mode),
            resolution=Resolution(task.resolution) if task.resolution else None,
            keep_sound=task.keep_sound,
            watermark=task.watermark,
            prompt=task.prompt,
            element=storage.open_path(task.element_key) if task.element_key else None,
        )

    def _beat(self, task: Task, state: _RunState, done: threading.Event) -> None:
        """Renew the lease and record progress until ``done``; between beats, check the task is
        still ours (not cancelled or deleted). Marks the state lost when it is not."""
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

    def _progress(self, state: _RunState) -> Progress:
        def on_progress(fraction: float) -> None:
            state.progress = max(state.progress, min(max(float(fraction), 0.0), 1.0))
            if state.lost:
                raise Interrupted("lease lost")
            if self.stop.is_set():
                raise Interrupted("worker stopping")

        return on_progress

    def _failed_attempt(self, task: Task, state: _RunState, exc: Exception) -> None:
        if state.lost or self.stop.is_set():  # the engine wrapped our Interrupted
            self._interrupted(task, state.lost, f"{type(exc).__name__}: {exc}")
            return
        log.exception("task attempt failed", extra={"worker": self.id, "attempt": task.attempts})
        delay = min(60.0, 2.0**task.attempts)
        self.queue.retry_later(task.id, self.id, f"internal error: {type(exc).__name__}: {exc}", delay)

    def _interrupted(self, task: Task, lost: bool, why: str) -> None:
        if not lost and self.queue.release(task.id, self.id):
            log.info("task handed back: %s", why, extra={"worker": self.id})
        else:  # cancelled, deleted or taken over by another worker: nothing of this run is kept
            log.warning("task no longer ours (cancelled, deleted or lease lost); work discarded",
                        extra={"worker": self.id})

    def _finish(self, task: Task, result: GenerationResult, seconds: float) -> None:
        storage, st = self.services.storage, self.services.settings
        # Results are the task's own blobs: deleting this task (or its retention) must never remove
        # another task's identical output.
        result_key = storage.put_file(result.output, "mp4", move=True, owner=f"task:{task.id}")
        wm_key = None
        if result.watermark_output is not None:
            wm_key = storage.put_file(result.watermark_output, "mp4", move=True, owner=f"task:{task.id}:wm")
        msg = f"output shortened: {result.shortened_reason}" if result.shortened_reason else ""
        outcome = Outcome(
            video_id=new_id(),
            result_key=result_key,
            watermark_key=wm_key,
            duration=round(result.duration, 3),
            units=units_for(st.prices, task.model_name, task.mode, task.resolution, result.duration),
            status_msg=msg,
        )
        if self.queue.succeed(task.id, self.id, outcome):
            log.info("task succeeded in %.1f s", seconds, extra={"worker": self.id, "event": "succeed"})
        else:
            log.warning("lease lost before finishing; result discarded", extra={"worker": self.id})
