"""Wan-Animate's inputs from ours: the character image fitted to the generation size, the driver's pose
video and face video at 30 fps.

The perception is the puppet engine's (engine/analysis_process.py: BlazePose tracked, gap-filled and
smoothed, in a child process; the character image's pose in another), with the pose estimated on every
driver frame. ``character_orientation`` maps onto Wan's animate mode two ways:
- ``image``: the driver's pose retargeted to the character's bone lengths and placed on the character
  (Wan's animate mode with ``retarget_flag``), drawn on the generation canvas;
- ``video``: the driver's pose as it is, drawn on a canvas of the driver's size and fitted into the
  generation size with black bars (Wan's animate mode without retargeting): the character follows the
  driver's placement.
Wan's replace mode (the character put into the driver's own footage, lit as it) has no counterpart in
the motion-control API, which always keeps the image's background; it is not offered.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motionctl.core.errors import ContentRejected, InvalidInput, rule_violation
from motionctl.core.types import GenerationSpec, Orientation, Pose
from motionctl.engine.analysis_process import DriverAnalysisProcess, ImageAnalysisProcess
from motionctl.engine.config import EngineConfig
from motionctl.engine.motion import DriverFrame
from motionctl.engine.process_messages import DriverJob, ImageJob
from motionctl.engine.puppet.character import pose_from_joints
from motionctl.engine.wan_animate.draw import pose_frame
from motionctl.engine.wan_animate.face import FaceBoxes, face_crop, landmark_box
from motionctl.engine.wan_animate.keypoints import wan_body, wan_hands
from motionctl.engine.wan_animate.retarget import retarget
from motionctl.engine.wan_animate.sizing import fit_padded, padding_transform, resample_indices
from motionctl.media.decode import LoadedImage, iter_frames, scaled_size
from motionctl.media.probe import VideoInfo
from motionctl.media.validate import check_video_end

# Every driver frame posed (the puppet's std poses every second one and interpolates): the pose
# video is the model's only view of the body's motion.
PERCEPTION = EngineConfig(pose_stride=1)
FACE_DECODE_SIDE = 1920  # face crops are cut from the driver decoded at most this large


@dataclass
class Perceived:
    character: Pose | None  # in image pixels; None for orientation video (not needed)
    frames: list[DriverFrame]  # on the driver's own frame grid (at most 30 fps)
    driver_size: tuple[int, int]  # (w, h) of the frames' point coordinates
    end_reason: str | None


@dataclass
class Conditioning:
    bodies: np.ndarray  # (N, 20, 3) at 30 fps, in the canvas's pixels
    hands: np.ndarray  # (N, 2, 21, 3)
    canvas: tuple[int, int]  # (w, h) the poses are drawn at
    gen_size: tuple[int, int]  # (w, h) of the generation; the canvas is fitted into it
    faces: list[np.ndarray]  # N 512x512 RGB crops
    start_time: float  # the driver's time of the first frame (where the audio starts)

    def pose_frames(self, start: int, end: int) -> list[np.ndarray]:
        """Frames ``start``..``end`` of the pose video, drawn now (a whole 30 s video would be GBs)."""
        out = []
        for t in range(start, end):
            picture = pose_frame(self.canvas, self.bodies[t], self.hands[t])
            if self.canvas != self.gen_size:
                picture = fit_padded(picture, *self.gen_size)
            out.append(picture)
        return out


def perceive(spec: GenerationSpec, video: VideoInfo, fps: float, image_size: tuple[int, int]) -> Perceived:
    """The driver's tracked poses and, for orientation image, the character's pose."""
    want_character = spec.orientation == Orientation.IMAGE
    given = pose_from_joints(spec.joints, image_size) if spec.joints and want_character else None
    looker = ImageAnalysisProcess() if want_character else contextlib.nullcontext(None)
    with looker as image, DriverAnalysisProcess() as driver:
        if image is not None:
            image.begin(ImageJob(spec.image, PERCEPTION.image_pose_side, given, False))
        driver.begin(DriverJob(spec.video, fps, PERCEPTION))
        check_video_end(video, "video")
        character = None
        if image is not None:
            character = given or image.perception().pose
            if character is None or not np.all(character.visibility[[11, 12]] >= 0.5):
                raise rule_violation(ContentRejected, "image", "must show a person with head and shoulders "
                                     "visible (or give its joints: motionctl generate --joints)", "no person detected")
        frames: list[DriverFrame] = []
        size = (1, 1)
        for batch in driver.batches():
            frames.extend(batch.frames)
            size = batch.driver_size
        reason = driver.end.reason if driver.end else None
    return Perceived(character, frames, size, reason)


def condition(spec: GenerationSpec, seen: Perceived, video: VideoInfo, fps: float, image: LoadedImage,
              gen_size: tuple[int, int]) -> Conditioning:
    """Pose keypoints and face crops at 30 fps, in the canvas the orientation asks for."""
    frames = [seen.frames[i] for i in resample_indices(len(seen.frames), fps)]
    full_w, full_h = scaled_size(video.width, video.height, FACE_DECODE_SIDE)
    scale = full_w / seen.driver_size[0]
    points = [f.points * scale for f in frames]
    bodies = np.stack([wan_body(p, f.visibility) for p, f in zip(points, frames, strict=True)])
    hands = np.stack([wan_hands(p, f.visibility) for p, f in zip(points, frames, strict=True)])
    boxes = FaceBoxes([landmark_box(p, f.visibility) for p, f in zip(points, frames, strict=True)], full_w, full_h)
    faces = _face_crops(spec.video, fps, [f.index for f in frames], boxes)
    if seen.character is not None:
        s, dx, dy = padding_transform((image.width, image.height), gen_size)
        char_points = seen.character.points * s + np.array([dx, dy])
        bodies, hands = retarget(bodies, hands, wan_body(char_points, seen.character.visibility))
        canvas = gen_size
    else:
        canvas = (full_w, full_h)
    return Conditioning(bodies, hands, canvas, gen_size, faces, frames[0].time if frames else 0.0)


def _face_crops(video: Path, fps: float, grid: list[int], boxes: FaceBoxes) -> list[np.ndarray]:
    """The face crop of each output frame (``grid``: the driver frame it shows), cut while decoding:
    only 512x512 crops are kept, never the driver's frames."""
    wanted: dict[int, list[int]] = {}
    for k, index in enumerate(grid):
        wanted.setdefault(index, []).append(k)
    crops: list[np.ndarray | None] = [None] * len(grid)
    for frame in iter_frames(video, max_fps=fps, max_side=FACE_DECODE_SIDE, field="video"):
        for k in wanted.pop(frame.index, ()):
            crops[k] = face_crop(frame.rgb, boxes[k])
        if not wanted:
            break
    if wanted:
        raise rule_violation(InvalidInput, "video", "must decode to the frames its poses came from",
                             f"frames {sorted(wanted)[:3]} missing")
    return [c for c in crops if c is not None]
