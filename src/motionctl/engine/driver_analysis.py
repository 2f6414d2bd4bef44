"""The driver's motion, analysed in its own process: decode -> pose (-> face) -> tracker.

Why a process: pose estimation and rendering are the two largest costs, and in one process they
contend for the GIL. This process sends only what the renderer needs — tracked, smoothed poses, a few
hundred bytes a frame (``MotionBatch``) — so the pipe stays tiny and the child never holds the
parent's frames. The pipe is the bound: a slow renderer holds the child back instead of filling
memory. engine/analysis_process.py runs it; engine/process_messages.py lists its messages.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from motionctl.core.child import portable_error
from motionctl.core.types import Pose
from motionctl.engine.config import EngineConfig
from motionctl.engine.motion import MotionTracker, Observation
from motionctl.engine.process_messages import AnalysisFailed, DriverJob, MotionBatch, MotionEnd, Reply
from motionctl.media.decode import Frame, iter_frames

PREVIEW_EVERY = 8  # keep every n-th driver frame for the debug pictures


class ReplySink(Protocol):
    """Where an analysis writes its replies: the pipe to the parent, or a benchmark's list."""

    def put(self, reply: Reply) -> None: ...


def _frames(video: Path, fps: float, cfg: EngineConfig) -> Iterator[Frame]:
    """Driver frames at pose size, with a larger copy for face tracking (pro: ``Frame.large``)."""
    # Frames between poses are needed only as thumbnails (shot cuts): the decoder may drop the ones
    # no other frame refers to, and the pose goes to the next decoded one. Not with the face tracked
    # (pro): the face is read on every frame. Both sizes are scaled from the decoded picture, so pro's
    # poses see the pictures std's do.
    disposable = cfg.pose_stride > 1 and not cfg.face_side
    return iter_frames(video, max_fps=fps, max_side=cfg.pose_side, field="video",
                       skip_disposable=disposable, large_side=cfg.face_side or None)


def _face_crop_params(faces: Any, big: np.ndarray | None, pose: Pose | None,
                      small_shape: tuple[int, ...]) -> np.ndarray | None:
    """Face expression parameters from a crop around the driver's head (pro)."""
    from motionctl.engine.perception import face_params, head_crop

    if big is None or pose is None:
        return None
    crop = head_crop(big, pose.points, big.shape[1] / small_shape[1])
    if crop is None:
        return None
    pts = faces.estimate(crop)
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


class _Observer:
    """One tracker Observation per decoded driver frame: the pose on every ``pose_stride``-th frame,
    the face (pro) on every frame, a thumbnail for shot cuts."""

    def __init__(self, cfg: EngineConfig, poses: Any, faces: Any, timings: dict[str, float]) -> None:
        self.cfg, self.poses, self.faces, self.timings = cfg, poses, faces, timings
        self.last_posed = -cfg.pose_stride
        self.head: Pose | None = None  # the latest pose found: where the face mesh looks between poses

    def observe(self, frame: Frame) -> Observation:
        t = time.perf_counter()
        skipped = frame.repeat or frame.index - self.last_posed < self.cfg.pose_stride
        self.last_posed = self.last_posed if skipped else frame.index
        found = None if skipped else self.poses.estimate(frame.rgb, at=frame.time)
        pose = found.pose if found else None
        self.head = pose if pose is not None else (self.head if skipped else None)
        self.timings["pose"] += time.perf_counter() - t
        # The face is read on every frame (pro): a mouth moves faster than the limbs (the mouth
        # correlation of motionctl eval measures it).
        face = None
        if self.faces is not None and not frame.repeat:
            t = time.perf_counter()
            face = _face_crop_params(self.faces, frame.large, self.head, frame.rgb.shape)
            self.timings["face"] = self.timings.get("face", 0.0) + time.perf_counter() - t
        thumb = cv2.resize(cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2GRAY), (64, 36), interpolation=cv2.INTER_AREA)
        return Observation(frame.index, frame.time, pose, thumb, face, skipped=skipped)


def analyse_driver(job: DriverJob, out: ReplySink) -> None:
    """The driver's tracked poses into ``out``: MotionBatch as frames become final, then MotionEnd;
    AnalysisFailed instead if anything fails."""
    from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator

    cfg = job.config
    timings = {"decode": 0.0, "pose": 0.0}
    stop = threading.Event()
    tracker = MotionTracker(job.fps, smooth_sigma=cfg.smooth_sigma)
    size = (1, 1)
    previews: dict[int, np.ndarray] = {}
    try:
        faces_cm = FaceMeshEstimator(tracking=True) if cfg.expressions else contextlib.nullcontext()
        with PoseEstimator(tracking=True, max_side=cfg.pose_side, largest_person=True) as poses, faces_cm as faces:
            observer = _Observer(cfg, poses, faces, timings)
            for frame in _decoded(job.video, job.fps, cfg, timings, stop):
                size = (frame.rgb.shape[1], frame.rgb.shape[0])
                if job.keep_previews and frame.index % PREVIEW_EVERY == 0:
                    previews[frame.index] = frame.rgb
                final = tracker.push(observer.observe(frame))
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
        out.put(AnalysisFailed(portable_error(exc, "driver analysis")))
