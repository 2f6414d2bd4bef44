"""Broken frames: pictures a viewer reads as a torn or upside-down character, whatever the pose says.

A frame is broken when any of these holds (each from the output's re-detected pose and silhouette):
- flipped: the torso axis (mid-shoulders to mid-hips) is more than FLIP_DEG from the driver's at
  the nearest time (upside down, or torn so that the detector reads the body inverted); where either
  does not show its hips (a half-body character), the neck axis (nose to mid-shoulders) is compared;
- torso hole: more than HOLE_SHARE of the torso (silhouette.torso_hole_share) is background, and
  HOLE_MARGIN more than in the image itself (a segmentation that never covers a dark shirt reads the
  same in the image and is not the engine's doing); or more than HOLE_SHARE of it shows the image's
  background colours beyond what the image's own torso shows (colour_holes: the segmentation often
  reads a torn body whole);
- detached: the silhouette has more loose pieces near the character than the image's has
  (silhouette.loose_pieces: a limb drawn apart from its joint, a dress torn into strips).
A frame's reading can be a re-detection's or a segmentation's slip (a dark forearm over a dark
background lost for a frame or two); a defect a viewer sees lasts, so a frame counts only inside a run
of at least MIN_RUN scanned frames flagged for the same reason.
Tests: tests/eval/test_broken.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motionctl.core.types import JOINT
from motionctl.eval.tracks import PoseTrack, match_by_time

VISIBLE = 0.5
FLIP_DEG = 90.0
HOLE_SHARE = 0.15
HOLE_MARGIN = 0.10
MIN_RUN = 3
LS, RS, LH, RH, NOSE = (JOINT[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "nose"))


def torso_axes(track: PoseTrack) -> np.ndarray:
    """(T,) angle (radians) of mid-shoulders -> mid-hips, NaN where the four joints are not visible."""
    a = (track.points[:, LS] + track.points[:, RS]) / 2
    b = (track.points[:, LH] + track.points[:, RH]) / 2
    v = b - a
    ok = (track.visibility[:, [LS, RS, LH, RH]] >= VISIBLE).all(axis=1) & np.isfinite(v).all(axis=1)
    return np.where(ok, np.arctan2(v[:, 1], v[:, 0]), np.nan)


def neck_axes(track: PoseTrack) -> np.ndarray:
    """(T,) angle (radians) of nose -> mid-shoulders (points down the body, like the torso axis)."""
    v = (track.points[:, LS] + track.points[:, RS]) / 2 - track.points[:, NOSE]
    ok = (track.visibility[:, [LS, RS, NOSE]] >= VISIBLE).all(axis=1) & np.isfinite(v).all(axis=1)
    return np.where(ok, np.arctan2(v[:, 1], v[:, 0]), np.nan)


def _off(out: np.ndarray, drv: np.ndarray) -> np.ndarray:
    diff = np.abs(np.degrees(np.angle(np.exp(1j * (np.nan_to_num(out) - np.nan_to_num(drv))))))
    return np.where(np.isfinite(out) & np.isfinite(drv), diff, np.nan)


def flipped_frames(output: PoseTrack, driver: PoseTrack) -> np.ndarray:
    """(T,) True where the output's torso axis (else its neck axis) is more than FLIP_DEG from the driver's."""
    period = float(np.median(np.diff(driver.times))) if len(driver) > 1 else 1.0
    idx = match_by_time(output.times, driver.times, tolerance=0.5 * period + 1e-6)
    at = np.maximum(idx, 0)
    torso = _off(torso_axes(output), np.where(idx >= 0, torso_axes(driver)[at], np.nan))
    neck = _off(neck_axes(output), np.where(idx >= 0, neck_axes(driver)[at], np.nan))
    off = np.where(np.isfinite(torso), torso, neck)
    return np.nan_to_num(off) > FLIP_DEG


def lasting(flags: np.ndarray, min_run: int = MIN_RUN) -> np.ndarray:
    """Flags kept only inside runs of at least ``min_run`` flagged frames."""
    f = np.asarray(flags, bool)
    out = np.zeros_like(f)
    start = None
    for i, flag in enumerate([*f, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= min_run:
                out[start:i] = True
            start = None
    return out


@dataclass
class BrokenFrames:
    frames: int  # output frames scanned
    broken: int  # frames with any lasting defect below
    flipped: int
    torso_holes: int
    detached: int
    first_broken_s: float | None  # the time of the first broken frame

    @property
    def share(self) -> float:
        return self.broken / self.frames if self.frames else 0.0


def broken_frames(output: PoseTrack, driver: PoseTrack, holes: list[float | None], pieces: list[int],
                  image_holes: float | None, image_pieces: int, colour_holes: list[float | None] | None = None
                  ) -> BrokenFrames:
    """Combine the per-frame readings (one per output frame, in order) into the broken-frame counts."""
    flipped = lasting(flipped_frames(output, driver))
    limit = max(HOLE_SHARE, (image_holes or 0.0) + HOLE_MARGIN)
    by_colour = colour_holes if colour_holes is not None else [None] * len(holes)
    holed = lasting(np.array([(h is not None and h > limit) or (c is not None and c > HOLE_SHARE)
                              for h, c in zip(holes, by_colour, strict=True)], bool))
    detached = lasting(np.array([p > image_pieces for p in pieces], bool))
    n = min(len(output), len(holed), len(detached))
    any_ = flipped[:n] | holed[:n] | detached[:n]
    first = float(output.times[int(np.argmax(any_))]) if any_.any() else None
    return BrokenFrames(n, int(any_.sum()), int(flipped[:n].sum()), int(holed[:n].sum()), int(detached[:n].sum()),
                        first)
