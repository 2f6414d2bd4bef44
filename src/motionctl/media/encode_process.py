"""A VideoEncoder in a child process: the same ``write``/``close``/``abort``, on another core.

Why: on a 2-core machine the renderer, pose estimation and H.264 encoding each want a core. In one
process the GIL serialises the Python around them; a child process encodes truly in parallel.
Frames cross through a small ring of shared-memory slots (a file in /dev/shm, unlinked as soon as
the child has mapped it), so a frame costs one memcpy; the pipes carry only slot numbers.

Protocol. Parent -> child (the child's stdin, pickled): ("frame", slot), ("close",), ("abort",).
Child -> parent (a pipe of its own): ("ready",), ("free", slot), ("done", EncodedVideo) or
("error", exception). The child treats the end of its stdin without "close" as "abort", so if the
parent dies, the temporary files are still removed and no output file appears.
"""

from __future__ import annotations

import mmap
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from motionctl.core.child import Child, answer_pipe, portable_error, receive, send, start_child
from motionctl.core.errors import InternalError
from motionctl.media.encode import EncodedVideo, VideoEncoder, check_frame, check_size

SLOTS = 6  # frames in flight: enough to ride out a slow frame on either side, ~16 MB at 720p


def start_encoder_child() -> Child:
    """An encoder child started ahead of its job (``EncoderProcess(..., child=)``): it imports PyAV
    while the caller still waits for its first frame, instead of holding up that frame."""
    return start_child("motionctl.media.encode_process")


def discard_encoder_child(child: Child) -> None:
    """End a started child that never got its job (the end of its stdin tells it so)."""
    _end_child(child, timeout=10)


def _end_child(child: Child, timeout: float) -> None:
    """Close the child's stdin (its signal to finish), wait for it, kill it if it will not go."""
    if child.proc.stdin is not None and not child.proc.stdin.closed:
        try:
            child.proc.stdin.close()
        except OSError:
            pass
    try:
        child.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.proc.kill()
        child.proc.wait()
    child.close()


def _shm_dir() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class EncoderProcess:
    """``VideoEncoder(path, width, height, fps, **options)`` running in a child process."""

    def __init__(self, path: Path | str, width: int, height: int, fps: float, *, child: Child | None = None,
                 **options: Any) -> None:
        check_size(width, height)  # here, before the shared memory is sized from it
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, float(fps)
        self.frames = 0
        self.result: EncodedVideo | None = None
        self.child_cpu_seconds = 0.0  # the child's CPU time, known once closed
        frame_bytes = width * height * 3
        fd, name = tempfile.mkstemp(prefix="motionctl-frames-", dir=_shm_dir())
        try:
            os.ftruncate(fd, frame_bytes * SLOTS)
            self._map = mmap.mmap(fd, frame_bytes * SLOTS)
        finally:
            os.close(fd)
        self._slots: np.ndarray = np.ndarray((SLOTS, height, width, 3), np.uint8, buffer=self._map)
        self._free = list(range(SLOTS))
        try:
            self._child = child or start_encoder_child()
        except BaseException:
            os.unlink(name)
            raise
        self._temps: list[Path] = []  # the child's temporary files: removed here if it dies unclean
        self._send((str(self.path), width, height, self.fps, options, name))
        try:
            self._temps = self._expect("ready")[1]
        except BaseException:
            self.abort()
            raise
        finally:
            os.unlink(name)  # mapped on both sides now; nothing is left in /dev/shm after a crash

    # -- the VideoEncoder interface ---------------------------------------------------------------
    def __enter__(self) -> EncoderProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.abort()
        elif self.result is None:
            self.close()

    def write(self, rgb: np.ndarray) -> None:
        """Append one frame, uint8 (height, width, 3) RGB: copied into a free slot, encoded over there."""
        check_frame(rgb, self.width, self.height)
        while not self._free:
            self._free.append(self._expect("free")[1])
        slot = self._free.pop()
        self._slots[slot] = rgb
        self._send(("frame", slot))
        self.frames += 1

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def close(self) -> EncodedVideo:
        """Finish the file(s) (see VideoEncoder.close) and return what was written."""
        if self.result is not None:
            return self.result
        try:
            self._send(("close",))
            while True:
                msg = self._receive()
                if msg[0] == "done":
                    self.result, self.child_cpu_seconds = msg[1], msg[2]
                    break
        except BaseException:
            self.abort()
            raise
        self._temps = []
        self._shutdown()
        return self.result

    def abort(self) -> None:
        """Drop everything: the child removes its temporary files, no output file is left (idempotent)."""
        if self._child.proc.poll() is None:
            try:
                stdin = self._child.proc.stdin
                if stdin is not None and not stdin.closed:
                    send(stdin, ("abort",))
                    stdin.close()
                self._child.proc.wait(timeout=30)
            except Exception:  # it cannot be told: stop it (its stdin's end makes it clean up)
                self._child.proc.kill()
        self._shutdown()
        for temp in self._temps:  # a child killed mid-write cannot clean up after itself
            temp.unlink(missing_ok=True)

    # -- internals --------------------------------------------------------------------------------
    def _send(self, msg: object) -> None:
        stdin = self._child.proc.stdin
        if stdin is None or stdin.closed:
            raise InternalError("the encoder process is no longer running")
        try:
            send(stdin, msg)
        except BrokenPipeError:
            self._raise_child_error()

    def _receive(self) -> tuple[Any, ...]:
        try:
            msg = receive(self._child.answers)
        except EOFError:
            raise InternalError(self._child.died("the encoder process")) from None
        if msg[0] == "error":
            raise msg[1]
        return msg  # type: ignore[no-any-return]

    def _expect(self, kind: str) -> tuple[Any, ...]:
        msg = self._receive()
        if msg[0] != kind:
            raise InternalError(f"encoder process: expected {kind!r}, got {msg[0]!r}")
        return msg

    def _raise_child_error(self) -> None:
        while True:  # the child closed its input: its last message says why
            self._receive()

    def _shutdown(self) -> None:
        if self._map.closed:
            return
        _end_child(self._child, timeout=30)
        self._slots = np.zeros((0, self.height, self.width, 3), np.uint8)  # drop the view before unmapping
        self._map.close()


# -- the child --------------------------------------------------------------------------------------
def _child_main() -> None:
    out = answer_pipe()
    inp = sys.stdin.buffer
    try:
        path, width, height, fps, options, shm_name = receive(inp)
    except EOFError:  # started ahead and then not needed (discard_encoder_child)
        return
    with open(shm_name, "r+b") as f:
        mapped = mmap.mmap(f.fileno(), width * height * 3 * SLOTS)
    slots: np.ndarray = np.ndarray((SLOTS, height, width, 3), np.uint8, buffer=mapped)
    encoder: VideoEncoder | None = None
    try:
        encoder = VideoEncoder(path, width, height, fps, **options)
        send(out, ("ready", encoder.temp_paths))
        while True:
            try:
                msg = receive(inp)
            except EOFError:  # the parent is gone without closing: abandon the output
                msg = ("abort",)
            if msg[0] == "frame":
                encoder.write(slots[msg[1]])
                send(out, ("free", msg[1]))
            elif msg[0] == "close":
                send(out, ("done", encoder.close(), time.process_time()))
                return
            else:
                encoder.abort()
                return
    except BaseException as exc:
        if encoder is not None:
            encoder.abort()
        try:
            send(out, ("error", portable_error(exc, "encoding", keep=(ValueError,))))
        except BrokenPipeError:
            pass
        sys.exit(1)


if __name__ == "__main__":
    # Run the copy imported under the package name (pickles name motionctl.*, not __main__.*).
    from motionctl.media.encode_process import _child_main as main

    main()
