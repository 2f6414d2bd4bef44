"""The messages between the pipeline and its analysis processes (engine/analysis_process.py).

Each child process gets one job on its stdin and answers on a private pipe (core/child.py), both
pickled. An image-analysis process gets an ``ImageJob`` and answers one ``ImagePerception``. A
driver-analysis process gets a ``DriverJob`` and answers any number of ``MotionBatch``, then one
``MotionEnd``. Either answers ``AnalysisFailed`` instead, at any point, and says nothing after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from motionctl.core.types import Pose
from motionctl.engine.config import EngineConfig
from motionctl.engine.motion import DriverFrame


# -- jobs (parent -> child) -------------------------------------------------------------------------
@dataclass(frozen=True)
class ImageJob:
    """Look at the character image: its pose, segmentation and (pro) face mesh."""

    image: Path
    max_side: int  # the image's pose is estimated at this longer side
    given_pose: Pose | None  # from --joints: where the face mesh looks, when the detector cannot say
    face: bool  # pro: also the face mesh


@dataclass(frozen=True)
class DriverJob:
    """Decode the driving video, estimate and track its pose, at the output's frame rate."""

    video: Path
    fps: float
    config: EngineConfig = field(default_factory=EngineConfig)
    keep_previews: bool = False  # also send every PREVIEW_EVERY-th driver frame (debug pictures)


Job = ImageJob | DriverJob


# -- replies (child -> parent) ----------------------------------------------------------------------
@dataclass(frozen=True)
class ImagePerception:
    """What the detectors see in the character image."""

    pose: Pose | None  # detected, in image pixels (None: no person found)
    mask: np.ndarray | None  # segmentation, float32 in [0, 1], image size
    face: np.ndarray | None  # (478, 3) face-mesh points in image pixels (x, y, depth)
    doubt: str | None = None  # why the pose is uncertain (image_perception.pose_doubt), None when sure


@dataclass(frozen=True)
class MotionBatch:
    """Driver frames whose pose is final: tracked, gap-filled, smoothed."""

    frames: list[DriverFrame]
    driver_size: tuple[int, int]  # (w, h) of the pixel space of the frames' points
    previews: dict[int, np.ndarray] = field(default_factory=dict)  # frame index -> driver RGB (debug)


@dataclass(frozen=True)
class MotionEnd:
    """The driver is analysed: nothing follows."""

    reason: str | None  # why the usable motion ended before the clip did, if it did
    timings: dict[str, float]


@dataclass(frozen=True)
class AnalysisFailed:
    """The job failed: ``error`` as the parent raises it (core/child.portable_error)."""

    error: BaseException


Reply = ImagePerception | MotionBatch | MotionEnd | AnalysisFailed
