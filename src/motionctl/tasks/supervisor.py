"""Worker processes started, watched and replaced by the API process (`motionctl serve --workers N`)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

log = logging.getLogger("motionctl.serve")

STOP_GRACE_SECONDS = 30.0


def lower_priority(nice: int, *, idle: bool) -> None:
    """Put this process (and the engine processes it starts, which inherit it) below the API: nice
    ``nice``, and with ``idle`` Linux's SCHED_IDLE class, which runs only when no normal process
    wants the CPU, so renders never delay a query (benchmarks/load_api.py measures the query
    latency with the engine busy). On Linux both are per thread: every thread already running
    (a native library's, started at import) is moved too, and threads started later inherit."""
    idle = idle and hasattr(os, "SCHED_IDLE")
    for tid in _thread_ids():
        try:
            if nice:
                os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
            if idle:
                os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        except ProcessLookupError:  # the thread ended meanwhile
            continue
        except OSError as exc:  # a container may forbid SCHED_IDLE; nice still applies
            log.warning("SCHED_IDLE refused (%s); running at nice %d only", exc, nice)
            idle = False


def _thread_ids() -> list[int]:
    """This process's threads (Linux lists them in /proc/self/task); elsewhere 0, the process."""
    try:
        return sorted(int(t) for t in os.listdir("/proc/self/task"))
    except OSError:
        return [0]


def start_worker_process() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "motionctl", "worker"], env=os.environ.copy())


class WorkerSupervisor:
    """Keeps `count` worker processes alive until `stop()`.

    A worker that dies (killed, out of memory, a crash in native code) is replaced; its task is claimed
    again when its lease runs out.
    """

    def __init__(self, count: int, poll_seconds: float = 1.0) -> None:
        self._poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.children = [start_worker_process() for _ in range(count)]
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _watch(self) -> None:
        while not self._stopping.wait(self._poll_seconds):
            with self._lock:
                for i, child in enumerate(self.children):
                    if child.poll() is not None and not self._stopping.is_set():
                        log.warning("worker %d exited with %s; starting another", child.pid, child.returncode)
                        self.children[i] = start_worker_process()

    def stop(self) -> None:
        """SIGTERM every worker (each hands its running task back, then exits); kill any that lingers."""
        self._stopping.set()
        with self._lock:  # the watcher starts no more workers from here on
            children = list(self.children)
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
