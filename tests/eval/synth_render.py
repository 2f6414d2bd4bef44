"""Synthetic character pictures for the viewer measures' tests: a figure painted from a pose.

The figure: a head, a torso (the shoulders-hips quadrilateral, widened), sleeves on the upper arms,
skin on the forearms and hands, trousers on the legs, each a thick line with a dark outline, over a
textured background. ``paint`` returns the picture and its silhouette (what a segmenter would find).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from motionctl.core.types import JOINT

SIZE = 1000
SKIN = (230, 185, 150)
SLEEVE = (40, 110, 200)
SHIRT = (200, 60, 60)
TROUSERS = (70, 70, 70)
OUTLINE = (20, 20, 20)
LIMB_WIDTH = 44


@dataclass
class Look:
    """Colours of each part (RGB); a test changes one to paint a defect."""

    upper_arm: tuple[int, int, int] = SLEEVE
    forearm: tuple[int, int, int] = SKIN
    leg: tuple[int, int, int] = TROUSERS
    torso: tuple[int, int, int] = SHIRT
    gaps: dict[str, float] = field(default_factory=dict)  # limb -> px the limb is drawn away from its joint
    limb_width: int = LIMB_WIDTH


def background(seed: int = 0) -> np.ndarray:
    """A smooth, lightly textured background (no strong edges); a fresh copy each call."""
    return _background(seed).copy()


@lru_cache(maxsize=4)
def _background(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    base = np.stack([120 + 40 * np.sin(xx / 170), 160 + 30 * np.cos(yy / 210), 110 + 20 * np.sin((xx + yy) / 300)],
                    axis=-1)
    noise = cv2.resize(rng.normal(0, 5, (SIZE // 8, SIZE // 8, 3)).astype(np.float32), (SIZE, SIZE),
                       interpolation=cv2.INTER_CUBIC)
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def raised_arms(points: np.ndarray, degrees: float = 100.0) -> np.ndarray:
    """``points`` with both upper arms turned up and out by ``degrees``, the forearms carried along."""
    out = points.copy()
    for side, sign in (("left", -1.0), ("right", 1.0)):
        s, e, w = (JOINT[f"{side}_{j}"] for j in ("shoulder", "elbow", "wrist"))
        a = np.radians(sign * degrees)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        out[e] = points[s] + rot @ (points[e] - points[s])
        out[w] = out[e] + rot @ (points[w] - points[e])
    return out


def _p(points: np.ndarray, name: str) -> tuple[int, int]:
    x, y = points[JOINT[name]]
    return int(round(x)), int(round(y))


def _limb(img: np.ndarray, mask: np.ndarray, a: tuple[int, int], b: tuple[int, int], colour: tuple[int, int, int],
          width: int = LIMB_WIDTH) -> None:
    cv2.line(img, a, b, OUTLINE, width + 6)
    cv2.line(img, a, b, colour, width)
    cv2.line(mask, a, b, (1,), width + 6)


def _moved(a: tuple[int, int], b: tuple[int, int], gap: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """The segment a -> b moved ``gap`` px along itself, away from a (a limb torn off its joint)."""
    d = np.subtract(b, a).astype(float)
    d *= gap / max(1e-6, float(np.linalg.norm(d)))
    return (int(a[0] + d[0]), int(a[1] + d[1])), (int(b[0] + d[0]), int(b[1] + d[1]))


def paint(points: np.ndarray, look: Look | None = None, bg: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """The figure in pose ``points`` (33 x 2, SIZE x SIZE pixels): (RGB picture, silhouette bool)."""
    look = look or Look()
    img = background() if bg is None else bg.copy()
    mask = np.zeros(img.shape[:2], np.uint8)
    quad = np.array([_p(points, n) for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip")])
    centre = quad.mean(axis=0)
    wide = np.round(centre + 1.25 * (quad - centre)).astype(np.int32)
    cv2.fillConvexPoly(mask, wide, (1,))
    cv2.polylines(img, [wide], True, OUTLINE, 6)
    cv2.fillConvexPoly(img, wide, look.torso)
    nose = _p(points, "nose")
    for side in ("left", "right"):
        for part, (a, b), colour in (
            ("thigh", ("hip", "knee"), look.leg), ("shin", ("knee", "ankle"), look.leg),
            ("upper_arm", ("shoulder", "elbow"), look.upper_arm), ("forearm", ("elbow", "wrist"), look.forearm),
        ):
            pa, pb = _p(points, f"{side}_{a}"), _p(points, f"{side}_{b}")
            pa, pb = _moved(pa, pb, look.gaps.get(f"{side}_{part}", 0.0))
            _limb(img, mask, pa, pb, colour, look.limb_width)
    neck = ((quad[0] + quad[1]) // 2).astype(int)
    _limb(img, mask, nose, (int(neck[0]), int(neck[1])), SKIN, 50)
    cv2.circle(img, nose, 62, OUTLINE, -1)
    cv2.circle(img, nose, 56, SKIN, -1)
    cv2.circle(mask, nose, 62, (1,), -1)
    return img, mask.astype(bool)
