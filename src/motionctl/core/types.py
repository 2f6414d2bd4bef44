"""Plain data passed between layers: enums, the skeleton, poses, motion, generation spec and result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np


class Orientation(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class Mode(StrEnum):
    STD = "std"
    PRO = "pro"


class Resolution(StrEnum):
    P720 = "720p"
    P1080 = "1080p"


# BlazePose's 33 landmarks, in its order; the canonical joint names of motionctl.
JOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip
JOINT = {name: i for i, name in enumerate(JOINT_NAMES)}
JOINT_COUNT = len(JOINT_NAMES)
# A landmark whose visibility (BlazePose's estimate that it is in view) reaches this counts as seen.
VISIBLE = 0.5


def joint_indices(*names: str) -> list[int]:
    """The named joints' indices, as a list (what numpy's fancy indexing takes)."""
    return [JOINT[name] for name in names]


# Bones the metrics and the retargeter reason about: (name, parent joint, child joint).
BONES: tuple[tuple[str, str, str], ...] = (
    ("left_upper_arm", "left_shoulder", "left_elbow"),
    ("left_forearm", "left_elbow", "left_wrist"),
    ("right_upper_arm", "right_shoulder", "right_elbow"),
    ("right_forearm", "right_elbow", "right_wrist"),
    ("left_thigh", "left_hip", "left_knee"),
    ("left_shin", "left_knee", "left_ankle"),
    ("right_thigh", "right_hip", "right_knee"),
    ("right_shin", "right_knee", "right_ankle"),
    ("shoulders", "right_shoulder", "left_shoulder"),
    ("hips", "right_hip", "left_hip"),
)


@dataclass
class Pose:
    """One person's pose in pixel coordinates of its frame.

    points: (33, 2) x, y in pixels; z: (33,) BlazePose relative depth (smaller = nearer the camera);
    visibility: (33,) in [0, 1].
    """

    points: np.ndarray
    visibility: np.ndarray
    z: np.ndarray = field(default_factory=lambda: np.zeros(JOINT_COUNT, dtype=np.float32))

    def joint(self, name: str) -> np.ndarray:
        return np.asarray(self.points[JOINT[name]])

    def visible(self, name: str, threshold: float = VISIBLE) -> bool:
        return bool(self.visibility[JOINT[name]] >= threshold)


@dataclass
class GenerationSpec:
    """What a user asks for: the engine's whole input."""

    image: Path
    video: Path
    orientation: Orientation = Orientation.IMAGE
    mode: Mode = Mode.STD
    resolution: Resolution | None = None  # None: the mode's default (std 720p, pro 1080p)
    keep_sound: bool = True
    watermark: bool = False
    joints: dict[str, tuple[float, float]] | None = None
    prompt: str = ""
    element: Path | None = None  # a face bank file (engine/elements/bank.py): the face drawn, any angle

    @property
    def effective_resolution(self) -> Resolution:
        if self.resolution is not None:
            return self.resolution
        return Resolution.P1080 if self.mode == Mode.PRO else Resolution.P720


@dataclass
class GenerationResult:
    output: Path
    watermark_output: Path | None
    duration: float
    frames: int
    fps: float
    width: int
    height: int
    wall_seconds: float
    shortened_reason: str | None = None  # set when the output is shorter than the driver
    has_audio: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)
    character_doubt: str | None = None  # why the character's detected pose is uncertain, if it is

    @property
    def realtime_factor(self) -> float:
        """Output seconds produced per wall-clock second (>= 1.0 is faster than real time)."""
        return self.duration / self.wall_seconds if self.wall_seconds > 0 else 0.0
