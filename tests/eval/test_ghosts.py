"""Ghost outlines on painted figures: a clean fill reads ~0, the old arms' outline left behind reads high."""

from __future__ import annotations

import cv2
import numpy as np
from tests.eval.synth import pose_points
from tests.eval.synth_render import LIMB_WIDTH, OUTLINE, background, paint, raised_arms

from motionctl.core.types import JOINT
from motionctl.eval.ghosts import GHOST_STRENGTH, GhostReference

VIS = np.ones(33)


def _with_outlines(bg: np.ndarray, points: np.ndarray, opacity: float) -> np.ndarray:
    """``bg`` with the outline (not the fill) of the arms in pose ``points`` drawn at ``opacity``."""
    ring = np.zeros(bg.shape[:2], np.uint8)
    for side in ("left", "right"):
        for a, b in (("shoulder", "elbow"), ("elbow", "wrist")):
            pa = tuple(int(v) for v in points[JOINT[f"{side}_{a}"]])
            pb = tuple(int(v) for v in points[JOINT[f"{side}_{b}"]])
            cv2.line(ring, pa, pb, (1,), LIMB_WIDTH + 6)
    inner = cv2.erode(ring, np.ones((7, 7), np.uint8))
    edge = (ring > 0) & (inner == 0)
    out = bg.astype(np.float32)
    out[edge] = (1 - opacity) * out[edge] + opacity * np.array(OUTLINE, np.float32)
    return out.astype(np.uint8)


def _reference() -> GhostReference:
    image, _ = paint(pose_points())
    return GhostReference(image, pose_points(), VIS)


def test_a_clean_fill_where_the_arms_were_reads_no_ghost() -> None:
    frame, _ = paint(raised_arms(pose_points()))
    strength = _reference().strength(frame, raised_arms(pose_points()), VIS)
    assert strength is not None and strength < GHOST_STRENGTH


def test_the_old_arms_outline_left_on_the_background_reads_a_ghost() -> None:
    bg = _with_outlines(background(), pose_points(), opacity=0.6)
    frame, _ = paint(raised_arms(pose_points()), bg=bg)
    strength = _reference().strength(frame, raised_arms(pose_points()), VIS)
    assert strength is not None and strength >= GHOST_STRENGTH


def test_a_faint_outline_reads_weaker_than_a_strong_one() -> None:
    ref, pose = _reference(), raised_arms(pose_points())
    faint = ref.strength(paint(pose, bg=_with_outlines(background(), pose_points(), 0.25))[0], pose, VIS)
    strong = ref.strength(paint(pose, bg=_with_outlines(background(), pose_points(), 0.9))[0], pose, VIS)
    assert faint is not None and strong is not None and faint < strong


def test_limbs_that_have_not_moved_say_nothing() -> None:
    image, _ = paint(pose_points())
    assert _reference().strength(image, pose_points(), VIS) is None  # nothing vacated
