"""One streamed pose scan of a clip (the driver, or the output): per-frame pose, the character's area,
face crops and (pro) the mouth and head roll, all for eval/runner.py's metrics."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.errors import MediaRejected, rule_violation
from motionctl.core.types import Pose
from motionctl.engine.image_perception import shifted, shifted_pose
from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator, PoseObservation, face_params, head_crop
from motionctl.eval import image_metrics as im
from motionctl.eval.appearance import eyes_from_pose, face_crop, head_seen
from motionctl.eval.tracks import PoseTrack
from motionctl.media.decode import Frame, iter_frames

# Each pose scan's tracker first goes this many frames into the clip and back, unmeasured (_settled).
SETTLE_FRAMES = 30


@dataclass
class Scan:
    track: PoseTrack
    faces: list[np.ndarray]
    mouth: dict[float, float]  # time -> mouth opening
    roll: dict[float, float]  # time -> head roll (radians, the face mesh's eye line)
    area: np.ndarray | None = None  # union of the character's areas over the clip, dilated
    small_areas: list[np.ndarray] | None = None  # each frame's dilated area at 1/4 size (for "vacated")


def clip_frames(path: Path, field: str, max_fps: float, max_side: int | None, large_side: int | None = None
                ) -> Iterator[Frame]:
    """Decoded frames; media.decode raises MediaRejected naming ``field`` for a file that does not decode."""
    return iter_frames(path, max_fps=max_fps, max_side=max_side, field=field, large_side=large_side)


def _settled(frames: Iterator[Frame], settle: int) -> Iterator[tuple[Frame, float, bool]]:
    """The frames, each with the time the tracker sees it at and whether it is measured: first the
    clip's first ``settle`` + 1 frames forwards and back again, unmeasured, then the whole clip.

    Why: BlazePose starting cold places its first region from its person detector, and that region can be
    off for the first frames (forearms read far from where they are drawn, shoulders at the chin) until the
    landmarks it tracks pull it right. Come back to the first frame from the frames after it, the tracker
    reads it as it reads every later frame, from the last frame's landmarks, and still follows the person it
    picked at the first frame. (Starting cold at the settle's far end instead can pick a figure in the
    background and keep it to the end.) The driver's and the output's scans settle alike. The times run on,
    one frame apart where the way turns."""
    head = list(itertools.islice(frames, settle + 1))
    if len(head) < 2:  # nothing to settle on
        yield from ((frame, frame.time, True) for frame in itertools.chain(head, frames))
        return
    period = (head[-1].time - head[0].time) / (len(head) - 1)
    at = head[0].time
    way = [*head, *head[-2::-1]]  # forwards to the settle's end and back to the first frame
    for k, frame in enumerate(way):
        if k:
            at += max(abs(frame.time - way[k - 1].time), period)
        yield frame, at, False
    offset = at + period - head[0].time
    for frame in itertools.chain(head, frames):
        yield frame, frame.time + offset, True


def scan(path: Path, field: str, *, max_fps: float, max_side: int | None, segmentation: bool, mouth: bool,
         shift_px: int = 0, face_side: int | None = None, settle: int = SETTLE_FRAMES,
         on_frame: Callable[[np.ndarray, Pose | None, np.ndarray | None], None] | None = None) -> Scan:
    """One streamed pass: pose per frame (+ character area union), face crops, mouth opening. With
    ``shift_px`` the frames are moved that far right first (a rescan; the poses are moved back); with
    ``face_side`` the face mesh reads the head in the frame at that size (the pose, at ``max_side``).
    The tracker settles on ``settle`` frames first (_settled). The face mesh needs no frame times:
    its graph has no landmark smoothing, unlike BlazePose's. ``on_frame`` is given each measured frame
    with its pose and segmentation (the viewer measures read them in this pass)."""
    seen = _Seen(segmentation)
    mesh = FaceMeshEstimator() if mouth else None
    try:
        with PoseEstimator(tracking=True, segmentation=segmentation, largest_person=True) as estimator:
            for frame, at, measured in _settled(clip_frames(path, field, max_fps, max_side, face_side), settle):
                # Each frame at its own time: BlazePose's landmark smoothing is tuned by it (unstamped,
                # mediapipe takes every call for 1/30 s, and a 24 fps clip for 30 fps).
                obs = estimator.estimate(shifted(frame.rgb, shift_px), at=at)
                if not measured:
                    continue
                if obs is not None and shift_px:
                    obs = dataclasses.replace(obs, pose=shifted_pose(obs.pose, -shift_px))
                seen.add(frame, obs, mesh)
                if on_frame is not None:
                    on_frame(frame.rgb, obs.pose if obs else None, obs.mask if obs else None)
    finally:
        if mesh is not None:
            mesh.close()
    if not seen.times:
        raise rule_violation(MediaRejected, field, "must contain at least one video frame", str(path))
    return seen.scan()


@dataclass
class _Seen:
    """What a scan has seen so far, frame by frame."""

    segmentation: bool
    times: list[float] = field(default_factory=list)
    poses: list[Pose | None] = field(default_factory=list)
    faces: list[np.ndarray] = field(default_factory=list)
    mouths: dict[float, float] = field(default_factory=dict)
    rolls: dict[float, float] = field(default_factory=dict)
    area: np.ndarray | None = None
    small_areas: list[np.ndarray] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)

    def add(self, frame: Frame, obs: PoseObservation | None, mesh: FaceMeshEstimator | None) -> None:
        h, w = frame.rgb.shape[:2]
        self.size = (w, h)
        self.times.append(frame.time)
        self.poses.append(obs.pose if obs else None)
        if self.segmentation:
            self._add_area(obs, h, w)
        eyes = eyes_from_pose(obs.pose.points, obs.pose.visibility) if obs else None
        if eyes is not None:
            self.faces.append(face_crop(frame.rgb, *eyes))
        big = frame.large if frame.large is not None else frame.rgb
        head = (head_crop(big, obs.pose.points, big.shape[1] / w)
                if mesh and obs and head_seen(obs.pose.points, obs.pose.visibility) else None)
        if mesh is not None and head is not None:
            landmarks = mesh.estimate(head)
            if landmarks is not None:
                params = face_params(landmarks)
                self.mouths[frame.time] = params.mouth_open
                self.rolls[frame.time] = params.roll

    def _add_area(self, obs: PoseObservation | None, h: int, w: int) -> None:
        # Undilated here; the union is dilated once at the end (dilation distributes over union).
        here = im.character_area(
            (h, w),
            obs.pose.points if obs else None,
            obs.pose.visibility if obs else None,
            obs.mask if obs else None,
            dilate_frac=0.0,
        )
        self.area = here if self.area is None else self.area | here
        small = cv2.resize(here.astype(np.uint8), (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA) > 0
        self.small_areas.append(im.dilate(small))

    def scan(self) -> Scan:
        area = im.dilate(self.area) if self.area is not None else None
        return Scan(PoseTrack.from_poses(self.times, self.poses, self.size), self.faces, self.mouths, self.rolls,
                    area, self.small_areas if self.segmentation else None)
