"""Starting a motionctl module as a child Python process with a private pipe for its answers.

Used by the engine (driver analysis) and media (encoding) to put work on another core. A plain
subprocess, not multiprocessing: spawn re-imports the caller's main script, which breaks any
script that calls the engine without an ``if __name__ == "__main__"`` guard. The child reads its
requests from stdin and writes its answers to the pipe whose descriptor is its first argument, so
libraries printing to stdout cannot corrupt the stream. Its stderr goes to a temporary file: mediapipe
and TFLite log a dozen lines on start-up that a user of the command line need not see, and if the child
crashes, the end of that file is the best explanation there is.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from motionctl.core.errors import InternalError, MotionctlError


@dataclass
class Child:
    proc: subprocess.Popen[bytes]  # stdin open for requests
    answers: BinaryIO  # the child's messages
    log: IO[bytes]  # its stderr, kept aside: native libraries' chatter, or the traceback of a crash

    def log_tail(self, limit: int = 1500) -> str:
        """The end of what the child wrote to stderr, for an error message."""
        try:
            self.log.seek(0, os.SEEK_END)
            size = self.log.tell()
            self.log.seek(max(0, size - limit))
            return self.log.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        """Stop listening: the answer pipe and the log are closed (the process is the caller's to end)."""
        if not self.answers.closed:
            self.answers.close()
        self.log.close()

    def died(self, what: str) -> str:
        """'<what> stopped unexpectedly (exit code N): <its last words>'."""
        try:
            code: int | None = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        tail = self.log_tail()
        return f"{what} stopped unexpectedly (exit code {code})" + (f": {tail}" if tail else "")


def start_child(module: str) -> Child:
    """Run ``python -m module FD`` with a private answer pipe and its stderr captured."""
    read_fd, write_fd = os.pipe()
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2])  # the folder holding the motionctl package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    log = tempfile.TemporaryFile()
    try:
        proc = subprocess.Popen([sys.executable, "-m", module, str(write_fd)], stdin=subprocess.PIPE,
                                stderr=log, pass_fds=(write_fd,), env=env)
    except BaseException:
        os.close(read_fd)
        log.close()
        raise
    finally:
        os.close(write_fd)
    return Child(proc, os.fdopen(read_fd, "rb"), log)


def portable_error(exc: BaseException, what: str, keep: tuple[type[BaseException], ...] = ()) -> BaseException:
    """In the child: ``exc`` as the parent can unpickle it and act on it — our own errors (and the
    ``keep`` types) as they are, anything else as an InternalError carrying its traceback as text."""
    if isinstance(exc, (MotionctlError, *keep)):
        return exc
    tb = "".join(traceback.format_exception(exc))
    return InternalError(f"{what} failed: {type(exc).__name__}: {exc}\n{tb}")


def answer_pipe() -> BinaryIO:
    """In the child: the pipe to the parent, as given on the command line."""
    return os.fdopen(int(sys.argv[1]), "wb")


def send(stream: IO[bytes], msg: object) -> None:
    """One message: pickled and flushed at once (the other side is waiting for it)."""
    pickle.dump(msg, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message; EOFError when the other side has closed its end."""
    return pickle.load(stream)
