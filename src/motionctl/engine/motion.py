"""Motion analysis of the driving video, streamed: gaps, shot cuts, the usable segment, smoothing.

The tracker takes one observation per driver frame and hands back the frames whose driving pose
is final, so rendering can run while the rest of the clip is still being analysed. Rules:
- a frame is usable when a pose is found with both shoulders visible;
- gaps of at most ``max_gap_seconds`` are interpolated; a longer gap ends the run;
- a shot cut ends the run;
- a run must last ``min_seconds`` before any frame is emitted; a shorter run is dropped and the
  next one is tried; once a run has been emitted, whatever ends it ends the output (and says why);
- poses are smoothed over a window centred on each frame (engine/filters.py), so a frame is final
  once the few frames after it are known (or the run has ended).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motionctl.core.errors import ContentRejected
from motionctl.core.limits import MIN_USABLE_MOTION_SECONDS
from motionctl.core.types import JOINT, VISIBLE, Pose
from motionctl.engine.filters import CentredGaussian

CORE_JOINTS = (JOINT["left_shoulder"], JOINT["right_shoulder"])


@dataclass
class Observation:
    index: int
    time: float
    pose: Pose | None
    thumb: np.ndarray  # small grayscale frame (uint8) for shot-cut detection
    face: np.ndarray | None = None  # FaceParams.as_array(), pro only
    interpolated: bool = False
    skipped: bool = False  # pose deliberately not estimated on this frame (pose stride)


@dataclass
class DriverFrame:
    """The final, smoothed driving pose of one output frame (driver pixel coordinates)."""

    index: int
    time: float
    points: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    face: np.ndarray | None
    interpolated: bool = False
    # The head's yaw and pitch (FaceParams' last two), also on a frame whose face the mesh missed
    # between or beside frames where it read one (nearby_face); None where no face is near.
    turn: np.ndarray | None = None


def is_shot_cut(prev: np.ndarray, cur: np.ndarray) -> bool:
    """A cut changes the whole picture at once: both the histogram and the pixels jump."""
    h1 = np.bincount((prev >> 3).ravel(), minlength=32) / prev.size
    h2 = np.bincount((cur >> 3).ravel(), minlength=32) / cur.size
    hist_change = 0.5 * float(np.abs(h1 - h2).sum())
    pixel_change = float(np.mean(np.abs(prev.astype(np.int16) - cur.astype(np.int16))))
    return hist_change > 0.35 and pixel_change > 25.0


def nearby_face(span: list[Observation], i: int) -> np.ndarray | None:
    """The face parameters of ``span[i]``, whose face the mesh missed, from the nearest frames of
    ``span`` that have one: between two, interpolated; on one side only, that one's. The head's turn
    is taken from it (DriverFrame.turn): an element's face (engine/elements) keeps turning with the
    driver's through a frame or two the mesh loses (a fast turn, the first frame after the head was
    seen from behind) instead of falling back to the image's pose (benchmarks/element_yaw.py). The
    expression is not guessed: the face parameters of such a frame stay None."""
    seen = [(k, o.face) for k, o in enumerate(span) if o.face is not None]
    before = next(((k, f) for k, f in reversed(seen) if k < i), None)
    after = next(((k, f) for k, f in seen if k > i), None)
    if before is None or after is None:
        return after[1] if after is not None else before[1] if before is not None else None
    w = (i - before[0]) / (after[0] - before[0])
    return (1 - w) * before[1] + w * after[1]


def usable(pose: Pose | None) -> bool:
    return pose is not None and bool(np.all(pose.visibility[list(CORE_JOINTS)] >= VISIBLE))


class MotionTracker:
    def __init__(self, fps: float, min_seconds: float = MIN_USABLE_MOTION_SECONDS, max_gap_seconds: float = 0.5,
                 smooth_sigma: float = 1.0) -> None:
        self.fps = fps
        self.min_seconds = min_seconds
        self.min_frames = int(round(min_seconds * fps))
        self.max_gap = max(1, int(round(max_gap_seconds * fps)))
        self.run: list[Observation] = []  # current run: usable frames and interpolated gaps
        self.gap: list[Observation] = []  # unusable frames after the run's last usable one
        self.emitted = 0  # frames of the run already emitted
        self.confirmed = False
        self.stopped = False
        self.end_reason: str | None = None
        self.longest_run_seconds = 0.0
        self._prev_thumb: np.ndarray | None = None
        self._smooth = CentredGaussian(smooth_sigma)  # frames; see EngineConfig.smooth_sigma

    # -- input ---------------------------------------------------------------------------------
    def push(self, obs: Observation) -> list[DriverFrame]:
        if self.stopped:
            return []
        cut = self._prev_thumb is not None and is_shot_cut(self._prev_thumb, obs.thumb)
        self._prev_thumb = obs.thumb
        if cut:
            flushed = self._end_run(f"shot cut at {obs.time:.2f} s")
            if self.stopped:
                return flushed
        if usable(obs.pose):
            if self.run and self.gap:
                self._fill_gap(obs)
            self.gap = []
            self.run.append(obs)
        elif self.run:
            self.gap.append(obs)
            if len(self.gap) > self.max_gap:
                flushed = self._end_run(f"no usable pose from {self.gap[0].time:.2f} s")
                if self.stopped:
                    return flushed
        if not self.confirmed and len(self.run) >= self.min_frames:
            self.confirmed = True
        return self._emit(final=False) if self.confirmed else []

    def finish(self) -> list[DriverFrame]:
        """End of the clip: emit the rest, or reject a clip with too little usable motion."""
        if self.run and self.gap and all(g.skipped for g in self.gap):
            # The clip ended on frames skipped by the pose stride: hold the last pose over them.
            last = self.run[-1]
            self.run += [Observation(g.index, g.time, last.pose, g.thumb,
                                     last.face if g.face is None else g.face, interpolated=True)
                         for g in self.gap]
            self.gap = []
            self.confirmed = self.confirmed or len(self.run) >= self.min_frames
        out = self._emit(final=True) if self.confirmed and not self.stopped else []
        if not self.confirmed:
            self.longest_run_seconds = max(self.longest_run_seconds, len(self.run) / self.fps)
            raise ContentRejected(
                f"video_url: needs at least {self.min_seconds:g} s of continuous usable motion (one person, "
                f"shoulders visible, no cut) (got {self.longest_run_seconds:.1f} s at most)",
                field="video_url",
                rule=f"at least {self.min_seconds:g} s of continuous usable motion",
                value=round(self.longest_run_seconds, 2),
            )
        if self.gap and self.end_reason is None:
            self.end_reason = f"no usable pose from {self.gap[0].time:.2f} s"
        self.stopped = True
        return out

    # -- internals -----------------------------------------------------------------------------
    def _end_run(self, reason: str) -> list[DriverFrame]:
        """End the current run: the output ends with it once emitted (the rest is flushed), else
        the run is dropped and the next one is tried."""
        self.longest_run_seconds = max(self.longest_run_seconds, len(self.run) / self.fps)
        if self.confirmed:
            flushed = self._emit(final=True)
            self.end_reason = reason
            self.stopped = True
            return flushed
        self.run, self.gap = [], []
        return []

    def _fill_gap(self, nxt: Observation) -> None:
        prev = self.run[-1]
        p0, p1 = prev.pose, nxt.pose
        if p0 is None or p1 is None:  # usable() guarantees both poses; this keeps mypy sure too
            return
        n = len(self.gap) + 1
        for k, g in enumerate(self.gap, start=1):
            w = k / n
            pose = Pose(
                points=(1 - w) * p0.points + w * p1.points,
                visibility=np.minimum(p0.visibility, p1.visibility),
                z=(1 - w) * p0.z + w * p1.z,
            )
            face = g.face  # read between poses (pro), else interpolated
            if face is None and prev.face is not None and nxt.face is not None:
                face = (1 - w) * prev.face + w * nxt.face
            self.run.append(Observation(g.index, g.time, pose, g.thumb, face, interpolated=True))

    def _emit(self, final: bool) -> list[DriverFrame]:
        """The run's frames whose smoothing window is complete (all of them when ``final``)."""
        out = []
        ready = len(self.run) if final else len(self.run) - self._smooth.half
        while self.emitted < ready:
            i = self.emitted
            obs = self.run[i]
            self.emitted += 1
            pose = obs.pose
            if pose is None:
                continue
            # Every frame of a run has a pose (found or interpolated); the window is the run's.
            lo = max(0, i - self._smooth.half)
            span = self.run[lo : i + self._smooth.half + 1]
            window = [o.pose or pose for o in span]
            pts = self._smooth.at([p.points for p in window], i - lo)
            z = self._smooth.at([p.z for p in window], i - lo)
            faces = [o.face for o in span if o.face is not None]
            face = None
            if obs.face is not None:  # faces the mesh lost nearby: this frame's own, unsmoothed
                face = self._smooth.at(faces, i - lo) if len(faces) == len(span) else obs.face
            near = face if face is not None else nearby_face(span, i - lo)
            turn = near[4:6].astype(np.float32) if near is not None and len(near) >= 6 else None
            out.append(DriverFrame(obs.index, obs.time, pts.astype(np.float32), z.astype(np.float32),
                                   pose.visibility, face, obs.interpolated, turn))
        return out
