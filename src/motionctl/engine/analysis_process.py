"""The analysis processes: the character image and the driver, each looked at in a child process.

The pipeline runs two children (core/child.py): an image-analysis process (``ImageAnalysisProcess``:
the image's pose, segmentation and face mesh, engine/image_perception.py) and a driver-analysis
process (``DriverAnalysisProcess``: decode, pose, tracking, engine/driver_analysis.py). Two, so the
driver's decode starts at once instead of after the image's pose views. mediapipe is loaded in them
only. Both start before the input checks and load their models while they wait for their job, so
their start-up overlaps the checks. The messages are engine/process_messages.py's.

Use either as a context manager: leaving it (normally, by error or cancellation) kills and reaps the
child, so it never outlives the caller.
"""

from __future__ import annotations

import select
import sys
from collections.abc import Callable, Iterator
from types import TracebackType

from motionctl.core.child import Child, answer_pipe, portable_error, receive, send, start_child
from motionctl.core.errors import InternalError
from motionctl.engine.process_messages import (
    AnalysisFailed,
    DriverJob,
    ImageJob,
    ImagePerception,
    Job,
    MotionBatch,
    MotionEnd,
    Reply,
)

_MODULE = "motionctl.engine.analysis_process"
# While the image's perception is pending, the caller is told this often (``perception(waiting=...)``):
# its progress callback is where a cancelled task stops (tasks/worker.py), so it must run during the
# seconds mediapipe takes here.
WAITING_TICK_SECONDS = 0.2


class _AnalysisProcess:
    """A child process that takes one job and answers with typed replies (process_messages.py)."""

    what = "analysis"  # what the child does, for its error messages

    def __init__(self, job: Job | None = None) -> None:
        self._job = job
        self._child: Child | None = None

    def __enter__(self) -> _AnalysisProcess:
        self._child = start_child(_MODULE)
        if self._job is not None:
            self._send(self._job)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._child is None:
            return
        if self._child.proc.poll() is None:
            self._child.proc.kill()
        self._child.proc.wait(timeout=10)
        self._child.close()

    def _send(self, job: Job) -> None:
        """Send the child its job (once: its stdin is closed after it)."""
        stdin = self._child.proc.stdin if self._child is not None else None
        if self._child is None or stdin is None or stdin.closed:
            raise RuntimeError(f"{type(self).__name__}.begin outside its with-block, or twice")
        with stdin:
            try:
                send(stdin, job)
            except BrokenPipeError:  # it died before its job: its log says why
                raise InternalError(self._child.died(self.what)) from None

    def _next(self) -> ImagePerception | MotionBatch | MotionEnd:
        """The child's next reply; its failure raised as the error it reported."""
        if self._child is None or self._child.answers.closed:
            raise RuntimeError(f"{type(self).__name__} used outside its with-block")
        try:
            reply = receive(self._child.answers)
        except EOFError:
            raise InternalError(self._child.died(self.what)) from None
        if isinstance(reply, AnalysisFailed):
            raise reply.error
        if not isinstance(reply, (ImagePerception, MotionBatch, MotionEnd)):
            raise InternalError(f"{self.what}: unexpected message {type(reply).__name__}")
        return reply


class ImageAnalysisProcess(_AnalysisProcess):
    """The character image as the detectors see it, from a child process: ``begin(ImageJob)``, then
    ``perception()``."""

    what = "image perception"

    def __init__(self, job: ImageJob | None = None) -> None:
        super().__init__(job)

    def __enter__(self) -> ImageAnalysisProcess:
        super().__enter__()
        return self

    def begin(self, job: ImageJob) -> None:
        self._send(job)

    def perception(self, waiting: Callable[[], None] | None = None) -> ImagePerception:
        """The image's perception; until it starts to arrive, ``waiting()`` is called every
        WAITING_TICK_SECONDS (it may raise to give up: leaving the with-block then stops the child)."""
        if waiting is not None:
            self._wait(waiting)
        reply = self._next()
        if not isinstance(reply, ImagePerception):
            raise InternalError(f"{self.what}: expected the image's perception, got {type(reply).__name__}")
        return reply

    def _wait(self, waiting: Callable[[], None]) -> None:
        """Call ``waiting`` until the pipe has something to read (the reply, or the end of a child that
        died). The perception is the pipe's first and only message: nothing of it can sit in the
        reader's buffer unseen by ``select``."""
        if self._child is None or self._child.answers.closed:
            return  # _next says what is wrong
        while not select.select([self._child.answers], [], [], WAITING_TICK_SECONDS)[0]:
            waiting()


class DriverAnalysisProcess(_AnalysisProcess):
    """The driver's tracked poses, from a child process: ``begin(DriverJob)``, then iterate
    ``batches()``; ``end`` holds the closing message once they are done."""

    what = "driver analysis"

    def __init__(self, job: DriverJob | None = None) -> None:
        super().__init__(job)
        self.end: MotionEnd | None = None

    def __enter__(self) -> DriverAnalysisProcess:
        super().__enter__()
        return self

    def begin(self, job: DriverJob) -> None:
        self._send(job)

    def batches(self) -> Iterator[MotionBatch]:
        """Yield the child's batches until its end message; raise its error if it failed."""
        while True:
            reply = self._next()
            if isinstance(reply, MotionBatch):
                yield reply
            elif isinstance(reply, MotionEnd):
                self.end = reply
                return
            else:
                raise InternalError(f"{self.what}: expected motion batches, got {type(reply).__name__}")


# -- the child ----------------------------------------------------------------------------------------
class _PipeWriter:
    """The child's end of the answer pipe, with the ``put`` the analyses write to."""

    def __init__(self) -> None:
        self._f = answer_pipe()

    def put(self, reply: Reply) -> None:
        send(self._f, reply)


def _analyse_image(job: ImageJob, out: _PipeWriter) -> None:
    from motionctl.engine.image_perception import perceive_image

    try:
        out.put(perceive_image(job))
    except BaseException as exc:
        out.put(AnalysisFailed(portable_error(exc, "image perception")))


def _child_main() -> None:
    from motionctl.engine.driver_analysis import analyse_driver
    from motionctl.engine.perception.solutions import solution

    for name in ("pose", "face_mesh"):  # load mediapipe while the caller still checks the inputs
        solution(name)
    try:
        job: Job = receive(sys.stdin.buffer)
    except EOFError:  # the caller gave up before sending a job (its inputs were rejected)
        sys.exit(0)
    out = _PipeWriter()
    try:
        if isinstance(job, ImageJob):
            _analyse_image(job, out)
        else:
            analyse_driver(job, out)
    except BrokenPipeError:  # the parent stopped listening (it failed or was cancelled)
        sys.exit(1)


if __name__ == "__main__":
    # Run the copy imported under the package name, so the messages pickle as
    # motionctl.engine.process_messages.* (the classes this module defines are not sent).
    from motionctl.engine.analysis_process import _child_main as main

    main()
