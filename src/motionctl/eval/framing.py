"""Framing in orientation image: the character stays in the picture as the image frames it.

- Edge cuts: a frame's silhouette reaches a side of the picture that the image's silhouette does not
  reach (hair cut by the top edge, a hand past a side). A side the image already cuts the character
  at (a half-body portrait's bottom edge) is never counted.
- Scale: the figure's size (its torso: mid-shoulders to mid-hips, or the shoulders' width where the
  image does not show the hips: not seen, or outside the picture) relative to the image's, against
  the driver's size relative to its own first frames. The figure may grow or shrink as far as the
  driver does, and SCALE_TOLERANCE more for the re-detection's own noise; beyond that band the frame
  is mis-scaled.
Tests: tests/eval/test_framing.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motionctl.core.types import JOINT
from motionctl.eval.tracks import PoseTrack, match_by_time

VISIBLE = 0.5
SCALE_TOLERANCE = 1.25
START_FRAMES = 3  # the driver's own size at the start: the median over its first readable frames
LS, RS, LH, RH = (JOINT[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))


def figure_sizes(points: np.ndarray, visibility: np.ndarray, torso: bool) -> np.ndarray:
    """(T, 33, 2), (T, 33) -> (T,) torso length (``torso``) or shoulder width, NaN where not shown."""
    if torso:
        idx = [LS, RS, LH, RH]
        a = (points[:, LS] + points[:, RS]) / 2
        b = (points[:, LH] + points[:, RH]) / 2
    else:
        idx = [LS, RS]
        a, b = points[:, LS], points[:, RS]
    ok = (visibility[:, idx] >= VISIBLE).all(axis=1)
    size = np.linalg.norm(b - a, axis=-1)
    return np.where(ok & np.isfinite(size) & (size > 0), size, np.nan)


@dataclass
class ScaleReading:
    mis_scaled: np.ndarray  # (T,) bool per output frame
    ratios: np.ndarray  # (T,) output size / image size (NaN where unread)
    driver_ratios: np.ndarray  # (T,) driver size / its start size, at the nearest driver frame


def scale_reading(output: PoseTrack, driver: PoseTrack, image_points: np.ndarray, image_visibility: np.ndarray,
                  image_size: tuple[int, int]) -> ScaleReading | None:
    """Per output frame: is the figure's size outside the band the driver's own change allows?"""
    w, h = image_size
    hips = image_points[[LH, RH]]
    hips_inside = bool(((hips >= 0) & (hips < np.array([w, h]))).all())
    # A hip the detector places below a half-body portrait's edge is a guess, not a hip it shows.
    torso = bool((image_visibility[[LS, RS, LH, RH]] >= VISIBLE).all()) and hips_inside
    img = figure_sizes(image_points[None], image_visibility[None], torso)[0]
    if not np.isfinite(img):
        return None
    img *= output.size[0] / image_size[0]  # the output keeps the image's aspect ratio
    out = figure_sizes(output.points, output.visibility, torso)
    drv = figure_sizes(driver.points, driver.visibility, torso)
    first = drv[np.isfinite(drv)][:START_FRAMES]
    if not len(first):
        return None
    period = float(np.median(np.diff(driver.times))) if len(driver) > 1 else 1.0
    idx = match_by_time(output.times, driver.times, tolerance=0.5 * period + 1e-6)
    drv_ratio = np.where(idx >= 0, drv[np.maximum(idx, 0)] / float(np.median(first)), np.nan)
    ratio = out / img
    lo = np.minimum(1.0, drv_ratio) / SCALE_TOLERANCE
    hi = np.maximum(1.0, drv_ratio) * SCALE_TOLERANCE
    read = np.isfinite(ratio) & np.isfinite(drv_ratio)
    bad = read & ((ratio < np.where(read, lo, 0)) | (ratio > np.where(read, hi, np.inf)))
    return ScaleReading(bad, ratio, drv_ratio)


def edge_cuts(frame_edges: list[frozenset[str]], image_edges: frozenset[str]) -> list[frozenset[str]]:
    """Per frame, the sides the silhouette reaches that the image's does not."""
    return [edges - image_edges for edges in frame_edges]
