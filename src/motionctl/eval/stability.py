"""Temporal stability: keypoint jitter of a pose track and flicker of static background pixels."""

from __future__ import annotations

import numpy as np

from motionctl.core.types import JOINT, VISIBLE

# The joints that carry the motion (face points excluded: they jitter with the face, not the body).
JITTER_JOINTS: tuple[int, ...] = tuple(
    JOINT[n]
    for n in (
        "nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
        "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    )
)  # fmt: skip


def body_scale(points: np.ndarray, visibility: np.ndarray) -> float | None:
    """Median over frames of the diagonal of the visible body joints' bounding box (pixels).

    Normalising by the body rather than the frame makes the driver (a real person filling a 1080p
    frame) and the output (a character framed like the image) comparable.
    """
    pts = points[:, JITTER_JOINTS]
    vis = visibility[:, JITTER_JOINTS] >= VISIBLE
    diags = []
    for p, v in zip(pts, vis, strict=True):
        if v.sum() < 3:
            continue
        q = p[v]
        diags.append(float(np.linalg.norm(q.max(axis=0) - q.min(axis=0))))
    positive = [d for d in diags if d > 0]
    return float(np.median(positive)) if positive else None


def keypoint_jitter(points: np.ndarray, visibility: np.ndarray) -> float | None:
    """Mean |second difference| of body-normalised keypoints, over joints visible in 3 consecutive frames.

    A constant pose scores 0; steady motion (constant velocity) scores 0; noise and shaking score high.
    Units: fraction of the body's size per frame squared.
    """
    if points.shape[0] < 3:
        return None
    scale = body_scale(points, visibility)
    if scale is None:
        return None
    pts = points[:, JITTER_JOINTS] / scale
    vis = visibility[:, JITTER_JOINTS] >= VISIBLE
    second = pts[2:] - 2 * pts[1:-1] + pts[:-2]
    ok = vis[2:] & vis[1:-1] & vis[:-2] & np.isfinite(second).all(axis=-1)
    if not ok.any():
        return None
    return float(np.linalg.norm(second[ok], axis=-1).mean())


class FlickerMeter:
    """Mean absolute frame-to-frame difference (grey levels 0-255) over a fixed static-pixel mask.

    Fed one frame at a time so a long clip never sits in memory.
    """

    def __init__(self, static_mask: np.ndarray) -> None:
        self.mask = static_mask.astype(bool)
        self._prev: np.ndarray | None = None
        self._total = 0.0
        self._pairs = 0

    def add(self, gray: np.ndarray) -> None:
        values = gray[self.mask].astype(np.float32)
        if self._prev is not None and values.size:
            self._total += float(np.abs(values - self._prev).mean())
            self._pairs += 1
        self._prev = values

    @property
    def value(self) -> float | None:
        return self._total / self._pairs if self._pairs else None
