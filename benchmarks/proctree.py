"""Peak memory of a whole process tree: the engine runs in three processes, so one child's
``ru_maxrss`` (the largest single process) understates what a generation needs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:  # the task ended while we looked
            continue
    return out


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants now, in MiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kib(p)
        todo += _children(p)
    return total / 1024.0


class TreePeak:
    """Samples ``tree_rss_mib(pid)`` every ``interval`` seconds on a thread; ``peak_mib`` when stopped."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak_mib = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mib = max(self.peak_mib, tree_rss_mib(self.pid))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mib


def run_measured(args: list[str], log: Path) -> tuple[float, float, float]:
    """Run a Python child (this checkout's src first on its path), its output to ``log``; return (wall
    seconds, peak RSS in MiB of that child alone, peak RSS in MiB of the child and all its descendants
    together, sampled every 50 ms). A failing child raises with the end of its log."""
    path = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    start = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, *args], stdout=fh, stderr=subprocess.STDOUT, env=env)
        tree = TreePeak(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        tree_peak = tree.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, so tell Popen
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{args[0]} exited {proc.returncode}:\n{tail}")
    return wall, usage.ru_maxrss / 1024.0, max(tree_peak, usage.ru_maxrss / 1024.0)  # Linux reports KiB
