"""The driver's motion, analysed in a child process: decode -> pose (-> face) -> tracker.

Why a process: pose estimation and rendering are the two largest costs, and in one process they
contend for the GIL (a threaded build used ~1.3 of 2 cores). The child sends only what the renderer
needs — tracked, smoothed poses, a few hundred bytes a frame — so the pipe between them stays
tiny, and the child never holds the parent's frames. It starts before the input checks, so its
import and model start-up overlap them and the character analysis.

Messages (child -> parent), in order: the character image's ``ImagePerception`` (when asked), any
number of ``MotionBatch`` (when given a driver), then one ``MotionEnd``; a ``MotionFailed`` ends the
stream at any point. The pipeline runs two such children, one looking at the image and one at the
driver, so the driver's decode starts at once instead of after the image's ten pose views. The
pipe is the bound: a slow renderer holds the child back instead of filling memory. The parent kills
the child whenever it stops listening (error, cancellation).
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np

from motionctl.core.child import Child, answer_pipe, portable_error, receive, send, start_child
from motionctl.core.errors import InternalError
from motionctl.core.types import Pose
from motionctl.engine.config import EngineConfig
from motionctl.engine.image_perception import ImageJob, ImagePerception, perceive_image
from motionctl.engine.motion import DriverFrame, MotionTracker, Observation
from motionctl.media.decode import Frame, iter_frames

PREVIEW_EVERY = 8  # keep every n-th driver frame for the debug pictures


@dataclass
class MotionBatch:
    frames: list[DriverFrame]  # final: tracked, gap-filled, smoothed
    driver_size: tuple[int, int]  # (w, h) of the pixel space of the frames' points
    previews: dict[int, np.ndarray] = field(default_factory=dict)  # frame index -> driver RGB (debug)


@dataclass
class MotionEnd:
    reason: str | None  # why the usable motion ended before the clip did, if it did
    timings: dict[str, float]


@dataclass
class MotionFailed:
    error: BaseException


# -- the child --------------------------------------------------------------------------------------
def _frames(video: Path, fps: float, cfg: EngineConfig) -> Iterator[Frame]:
    """Driver frames at pose size, with a larger copy for face tracking (pro: ``Frame.large``)."""
    # Frames between poses are needed only as thumbnails (shot cuts): the decoder may drop the ones
    # no other frame refers to, and the pose goes to the next decoded one. Not with the face tracked
    # (pro): the face is read on every frame. Both sizes are scaled from the decoded picture, so pro's
    # poses see the pictures std's do (they were scaled down again from the face's size).
    disposable = cfg.pose_stride > 1 and not cfg.face_side
    return iter_frames(video, max_fps=fps, max_side=cfg.pose_side, field="video",
                       skip_disposable=disposable, large_side=cfg.face_side or None)


def _face_crop_params(faces: Any, big: np.ndarray | None, pose: Pose | None,
                      small_shape: tuple[int, ...]) -> np.ndarray | None:
    """Face expression parameters from a crop around the driver's head (pro)."""
    from motionctl.engine.perception import face_params

    if big is None or pose is None:
        return None
    s = big.shape[1] / small_shape[1]
    head = pose.points[[0, 7, 8]] * s
    ear_gap = float(np.linalg.norm(head[1] - head[2])) or 20 * s
    cx, cy = head.mean(axis=0)
    r = 1.6 * ear_gap
    h, w = big.shape[:2]
    x0, y0 = int(max(cx - r, 0)), int(max(cy - r, 0))
    x1, y1 = int(min(cx + r, w)), int(min(cy + r, h))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    pts = faces.estimate(np.ascontiguousarray(big[y0:y1, x0:x1]))
    return None if pts is None else face_params(pts).as_array()


def _decoded(video: Path, fps: float, cfg: EngineConfig, timings: dict[str, float],
             stop: threading.Event) -> Iterator[Frame]:
    """Frames decoded on a thread of their own (FFmpeg releases the GIL), a few frames ahead."""
    q: queue.Queue[Any] = queue.Queue(maxsize=16)
    done = object()

    def decode() -> None:
        try:
            it = _frames(video, fps, cfg)
            while not stop.is_set():
                t = time.perf_counter()
                item = next(it, None)
                timings["decode"] += time.perf_counter() - t
                if item is None:
                    break
                q.put(item)
        except BaseException as exc:  # handed to the consuming side
            q.put(exc)
        finally:
            q.put(done)

    thread = threading.Thread(target=decode, name="motionctl-decode", daemon=True)
    thread.start()
    while True:
        item = q.get()
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def analyse_motion(video: Path | None, fps: float, cfg: EngineConfig, keep_previews: bool, out: Any,
                   image_job: ImageJob | None = None) -> None:
    """Child process body: the character image's perception first (when asked), then the driver's
    tracked poses (when given), into ``out`` (anything with ``put``)."""
    from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator

    timings = {"decode": 0.0, "pose": 0.0}
    stop = threading.Event()
    tracker = MotionTracker(fps, smooth_sigma=cfg.smooth_sigma)
    size = (1, 1)
    try:
        if image_job is not None:
            out.put(perceive_image(image_job))
        if video is None:
            out.put(MotionEnd(None, timings))
            return
        faces_cm = FaceMeshEstimator(tracking=True) if cfg.face_mesh else contextlib.nullcontext()
        with PoseEstimator(tracking=True, max_side=cfg.pose_side, largest_person=True) as poses, faces_cm as faces:
            previews: dict[int, np.ndarray] = {}
            last_posed = -cfg.pose_stride
            head: Pose | None = None  # the latest pose found: where the face mesh looks between poses
            for frame in _decoded(video, fps, cfg, timings, stop):
                t = time.perf_counter()
                skipped = frame.repeat or frame.index - last_posed < cfg.pose_stride
                last_posed = last_posed if skipped else frame.index
                found = None if skipped else poses.estimate(frame.rgb, at=frame.time)
                pose = found.pose if found else None
                head = pose if pose is not None else (head if skipped else None)
                timings["pose"] += time.perf_counter() - t
                # The face is read on every frame (pro): a mouth moves faster than the limbs. Read at
                # the poses' 15 Hz, the presenter's mouth r (motionctl eval) was 0.65 / 0.69 (elf,
                # orientation video / image), on every frame 0.70 / 0.80 (one generation each).
                face = None
                if faces is not None and not frame.repeat:
                    t = time.perf_counter()
                    face = _face_crop_params(faces, frame.large, head, frame.rgb.shape)
                    timings["face"] = timings.get("face", 0.0) + time.perf_counter() - t
                thumb = cv2.resize(cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2GRAY), (64, 36), interpolation=cv2.INTER_AREA)
                size = (frame.rgb.shape[1], frame.rgb.shape[0])
                if keep_previews and frame.index % PREVIEW_EVERY == 0:
                    previews[frame.index] = frame.rgb
                final = tracker.push(Observation(frame.index, frame.time, pose, thumb, face, skipped=skipped))
                if final:
                    out.put(MotionBatch(final, size, {i: previews.pop(i) for i in list(previews)
                                                      if i <= final[-1].index}))
                if tracker.stopped:
                    break
        stop.set()
        final = tracker.finish()
        if final:
            out.put(MotionBatch(final, size, previews))
        timings["motion_cpu"] = time.process_time()  # the whole child: imports, models, decode, pose
        out.put(MotionEnd(tracker.end_reason, timings))
    except BaseException as exc:
        stop.set()
        out.put(MotionFailed(portable_error(exc, "driver analysis" if video is not None else "image perception")))


# -- the parent -------------------------------------------------------------------------------------
class MotionProcess:
    """Runs ``analyse_motion`` in a child Python process (core/child.py); iterate ``batches()``.

    Use as a context manager: leaving it (normally, by error or cancellation) never leaves the child
    running. The child starts on entering and loads mediapipe while it waits for its job, so the
    caller can enter before checking the inputs and ``begin()`` once they pass: the child's start-up
    then overlaps the checks. Given at construction, the job is sent on entering."""

    def __init__(self, video: Path | None = None, fps: float = 30.0, cfg: EngineConfig | None = None,
                 keep_previews: bool = False, image_job: ImageJob | None = None) -> None:
        self._args = None if video is None else (Path(video), fps, cfg or EngineConfig(), keep_previews, image_job)
        self._child: Child | None = None
        self._what = "driver analysis"  # what the child does, for its error messages
        self.end: MotionEnd | None = None

    def __enter__(self) -> MotionProcess:
        self._child = start_child("motionctl.engine.motion_process")
        if self._args is not None:
            self.begin(*self._args)
        return self

    def begin(self, video: Path | None, fps: float, cfg: EngineConfig, keep_previews: bool = False,
              image_job: ImageJob | None = None) -> None:
        """Send the child its job: the character image to look at, then the driver (either optional)."""
        stdin = self._child.proc.stdin if self._child is not None else None
        if self._child is None or stdin is None or stdin.closed:
            raise RuntimeError("MotionProcess.begin outside its with-block, or twice")
        self._what = "driver analysis" if video is not None else "image perception"
        with stdin:
            try:
                send(stdin, (None if video is None else Path(video), fps, cfg, keep_previews, image_job))
            except BrokenPipeError:  # it died before its job: its log says why
                raise InternalError(self._child.died(self._what)) from None

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

    def image_perception(self) -> ImagePerception:
        """The character image as the detectors see it (the first message, when an image job was given)."""
        msg = self._next()
        if not isinstance(msg, ImagePerception):
            raise InternalError(f"driver analysis: expected the image's perception first, got {type(msg).__name__}")
        return msg

    def batches(self) -> Iterator[MotionBatch]:
        """Yield the child's batches until its end message; raise its error if it failed."""
        while True:
            msg = self._next()
            if isinstance(msg, MotionBatch):
                yield msg
            elif isinstance(msg, MotionEnd):
                self.end = msg
                return

    def _next(self) -> Any:
        """The child's next message; its failure raised as the error it reported."""
        if self._child is None or self._child.answers.closed:
            raise RuntimeError("MotionProcess used outside its with-block")
        try:
            msg = receive(self._child.answers)
        except EOFError:
            raise InternalError(self._child.died(self._what)) from None
        if isinstance(msg, MotionFailed):
            raise msg.error
        return msg


class _PipeWriter:
    """The child's end of the pipe, with the ``put`` that analyse_motion writes to."""

    def __init__(self) -> None:
        self._f = answer_pipe()

    def put(self, msg: object) -> None:
        send(self._f, msg)


def _child_main() -> None:
    from motionctl.engine.perception.solutions import solution

    for name in ("pose", "face_mesh"):  # load mediapipe while the caller still checks the inputs
        solution(name)
    try:
        video, fps, cfg, keep_previews, image_job = receive(sys.stdin.buffer)
    except EOFError:  # the caller gave up before sending a job (its inputs were rejected)
        sys.exit(0)
    out = _PipeWriter()
    try:
        analyse_motion(video, fps, cfg, keep_previews, out, image_job)
    except BrokenPipeError:  # the parent stopped listening (it failed or was cancelled)
        sys.exit(1)


if __name__ == "__main__":
    # Run the copy imported under the package name, so the messages pickle as
    # motionctl.engine.motion_process.* and not as __main__.*.
    from motionctl.engine.motion_process import _child_main as main

    main()
