"""Starting a motionctl module as a child Python process with a private pipe for its answers.

Used by the engine (driver analysis) and media (encoding) to put work on another core. A plain
subprocess, not multiprocessing: spawn re-imports the caller's main script, which breaks any
script that calls the engine without an ``if __name__ == "__main__"`` guard. The child reads its
requests from stdin and writes its answers to the pipe whose descriptor is its first argument, so
libraries printing to stdout cannot corrupt the stream.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import IO, Any, BinaryIO


def start_child(module: str) -> tuple[subprocess.Popen[bytes], BinaryIO]:
    """Run ``python -m module FD``; return the process (stdin open for requests) and the answer pipe."""
    read_fd, write_fd = os.pipe()
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2])  # the folder holding the motionctl package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    try:
        proc = subprocess.Popen([sys.executable, "-m", module, str(write_fd)], stdin=subprocess.PIPE,
                                pass_fds=(write_fd,), env=env)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return proc, os.fdopen(read_fd, "rb")


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
