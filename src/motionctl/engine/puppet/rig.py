"""The puppet's skeleton: rig joints derived from a pose, bone frames, and skinning weights.

A bone maps its source frame (origin a, axis towards b) onto a destination frame with a rotation,
a translation and an axial stretch (an upper arm shortened to keep the hand in the picture).
Each layer is skinned to a few bones; weights are analytic functions of the source position, so
the same formula serves the forward map (bounding boxes) and the inverse map (rendering).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motionctl.core.types import JOINT

Joints = dict[str, np.ndarray]  # rig joint name -> (2,) float32 position
ARM_CHAIN = ("shoulder", "elbow", "wrist", "hand")  # a limb's joints, root to tip
LEG_CHAIN = ("hip", "knee", "ankle", "toe")


def rig_joints(points: np.ndarray) -> Joints:
    """Rig joints from BlazePose's 33 points (any pixel space)."""
    p = {name: points[i].astype(np.float32) for name, i in JOINT.items()}
    out: Joints = {}
    for side in ("left", "right"):
        for j in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle"):
            out[f"{side}_{j}"] = p[f"{side}_{j}"]
        out[f"{side}_hand"] = (p[f"{side}_index"] + p[f"{side}_pinky"]) / 2
        out[f"{side}_toe"] = p[f"{side}_foot_index"]
    out["mid_shoulder"] = (p["left_shoulder"] + p["right_shoulder"]) / 2
    out["mid_hip"] = (p["left_hip"] + p["right_hip"]) / 2
    out["head"] = (p["left_ear"] + p["right_ear"] + p["nose"]) / 3
    out["left_ear"], out["right_ear"] = p["left_ear"], p["right_ear"]
    return out


@dataclass(frozen=True)
class BoneFrame:
    """origin + unit axis (+ the perpendicular, axis rotated +90°)."""

    origin: np.ndarray
    axis: np.ndarray

    @staticmethod
    def between(a: np.ndarray, b: np.ndarray) -> BoneFrame:
        d = np.asarray(b, np.float64) - np.asarray(a, np.float64)
        n = float(np.linalg.norm(d))
        axis = d / n if n > 1e-6 else np.array([0.0, -1.0])
        return BoneFrame(np.asarray(a, np.float64), axis)

    @property
    def basis(self) -> np.ndarray:
        ax = self.axis
        return np.array([[ax[0], -ax[1]], [ax[1], ax[0]]])  # columns: axis, perpendicular


def bone_affine(src: BoneFrame, dst: BoneFrame, along: float = 1.0, across: float = 1.0) -> np.ndarray:
    """2x3 affine taking source points to destination points."""
    lin = dst.basis @ np.diag([along, across]) @ src.basis.T
    t = dst.origin - lin @ src.origin
    return np.hstack([lin, t[:, None]])


def invert_affine(m: np.ndarray) -> np.ndarray:
    a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    det = a * d - b * c
    lin = np.array([[d, -b], [-c, a]]) / det
    return np.hstack([lin, (-lin @ m[:, 2])[:, None]])


def apply_affine(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """pts (..., 2) -> (..., 2)."""
    return pts @ m[:, :2].T.astype(pts.dtype) + m[:, 2].astype(pts.dtype)


def segment_distance(pts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a.astype(pts.dtype)
    ab = b.astype(pts.dtype) - a
    denom = float(ab @ ab) or 1e-9
    rel = pts - a
    t = np.clip((rel @ ab) / denom, 0.0, 1.0)
    dx = rel[..., 0] - t * ab[0]
    dy = rel[..., 1] - t * ab[1]
    return np.sqrt(dx * dx + dy * dy)


def axial_param(pts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Position of each point along a->b: 0 at a, 1 at b (unclamped)."""
    a = a.astype(pts.dtype)
    ab = b.astype(pts.dtype) - a
    return ((pts - a) @ ab) / (float(ab @ ab) or 1e-9)


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


# Exponent of the chain weights' fall-off with the distance to each bone. Soft weights (4) split the
# pixels of a limb folded in the image (forearm raised beside the upper arm) between both bones, so
# an unfolded arm shows two half-transparent copies; too sharp, and joints kink (re-detected fidelity
# per exponent: benchmarks/run.py). Sharper weights also make smaller copies to warp.
CHAIN_SHARPNESS = 16


@dataclass
class Skin:
    """How a layer's pixels follow its bones.

    kind "chain": weights fall off with the distance to each bone's source segment (limbs);
    kind "torso": weights follow the position along the spine and the neck (torso with head).
    """

    kind: str
    bones: list[str]
    segments: list[tuple[np.ndarray, np.ndarray]]
    blend: float  # pixels: how wide the blend across a joint is

    def weights(self, pts: np.ndarray) -> np.ndarray:
        """(N, 2) source points -> (N, n_bones) weights summing to 1."""
        if self.kind == "torso":
            return self._torso_weights(pts)
        d = np.stack([segment_distance(pts, a, b) for a, b in self.segments], axis=-1) + self.blend
        # (nearest / own)^p rather than 1/d^p: the same weights once normalised, without underflow.
        w = (d.min(axis=-1, keepdims=True) / np.maximum(d, 1e-6)) ** CHAIN_SHARPNESS
        return w / w.sum(axis=-1, keepdims=True)

    def _torso_weights(self, pts: np.ndarray) -> np.ndarray:
        (hip, shoulder), (_, _), (neck, head) = self.segments
        s = axial_param(pts, hip, shoulder)
        h = axial_param(pts, neck, head)
        w_head = smoothstep(0.15, 0.55, h) if len(self.bones) == 3 else np.zeros(len(pts))
        w_upper = (1 - w_head) * smoothstep(0.25, 0.75, s)
        w_lower = (1 - w_head) - w_upper
        cols = [w_lower, w_upper] + ([w_head] if len(self.bones) == 3 else [])
        return np.stack(cols, axis=-1)
