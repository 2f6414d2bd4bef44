"""Where a forearm is drawn, read off its silhouette: the turn between the detector's bone and the picture.

The detector's elbow and wrist are a guess where it is unsure (e.g. dark forearms on a dark background,
elbows cut by the picture's bottom edge). Its elbow -> wrist line then lies well off the forearm the picture
shows, and the puppet turns the picture's forearm by the driver's direction minus the detector's line: a
forearm drawn that far off the driver's, in every frame. A straight forearm's silhouette says where it
points: the middle line of its layer (the mask thinned to one pixel) runs along it. Where that line is
straight and long enough, the forearm's axis is taken halfway between the two (DRAWN_SHARE), and the
retargeter turns the driver's direction by the difference (puppet/retarget.py); where the line bends or is
short (a forearm folded against its upper arm, raised hands) the detector's bone stands.
benchmarks/spread.py measures the choice of DRAWN_SHARE over renders of slightly moved images.
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.engine.puppet.rig import Joints

# The middle line between these shares of the detector's elbow -> wrist (the elbow's end is where
# the upper arm's middle line joins; past the wrist the hand's begins), within this share of its length
# either side of it.
SPAN, ACROSS = (0.2, 0.95), 0.5
# Trusted when it is straight (its spread across its own direction at most STRAIGHT of the bone's
# length) and covers at least COVER of the bone's length; the turn taken is at most MAX_TURN.
STRAIGHT, COVER, MAX_TURN = 0.04, 0.5, np.radians(20.0)
# Neither the detector's bone nor the silhouette's middle line is the forearm's bone: the detector
# guesses where it cannot see, and a sleeve, a bracer or the arm's perspective shape the silhouette.
DRAWN_SHARE = 0.5
# The arm's mask is thinned at a scale where the detector's forearm is at most this long (px): the
# thinning's cost grows with the mask's area times its thickness, and it runs before the first frame
# (benchmarks/element_speed.py); the straightness and cover tests are shares of the bone's length and
# read the same at any scale.
THIN_LENGTH = 128.0


def middle_line(mask: np.ndarray) -> np.ndarray:
    """(N, 2) pixel positions (x, y) of the mask's middle line (its thinning to one pixel)."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return np.zeros((0, 2))
    h, w = mask.shape
    # A pixel of background around the mask, except where the picture's edge cuts the limb: the
    # thinning leaves a crop's outermost pixels alone, so there the line runs on to the edge, as
    # the limb does beyond it, instead of forking towards the cut's corners. The cut itself, left
    # standing along the edge, is not part of the line.
    x0, y0 = max(int(xs.min()) - 1, 0), max(int(ys.min()) - 1, 0)
    x1, y1 = min(int(xs.max()) + 2, w), min(int(ys.max()) + 2, h)
    crop = np.ascontiguousarray(mask[y0:y1, x0:x1]).astype(np.uint8) * 255
    ty, tx = np.nonzero(cv2.ximgproc.thinning(crop))
    line = np.stack([tx + x0, ty + y0], axis=1)
    inside = (line[:, 0] > 0) & (line[:, 0] < w - 1) & (line[:, 1] > 0) & (line[:, 1] < h - 1)
    return line[inside].astype(np.float64)


def drawn_turn(line: np.ndarray, a: np.ndarray, b: np.ndarray) -> float | None:
    """Radians from the bone a -> b to the straight middle line along it, or None where the line
    there is not straight or long enough to say."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    ab = b - a
    length = float(np.linalg.norm(ab))
    if length < 1.0 or len(line) == 0:
        return None
    rel = line - a
    t = rel @ ab / length**2
    across = np.abs(rel @ np.array([-ab[1], ab[0]])) / length
    near = line[(t > SPAN[0]) & (t < SPAN[1]) & (across < ACROSS * length)]
    if len(near) < COVER * length:  # one pixel of middle line per pixel along a straight limb
        return None
    centre = near.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov((near - centre).T))
    axis = vectors[:, 1] if vectors[:, 1] @ ab >= 0 else -vectors[:, 1]
    extent = np.ptp((near - centre) @ axis)
    if np.sqrt(max(values[0], 0.0)) > STRAIGHT * length or extent < COVER * length:
        return None
    turn = float(np.arctan2(axis[1], axis[0]) - np.arctan2(ab[1], ab[0]))
    turn = float(np.angle(np.exp(1j * turn)))
    return turn if abs(turn) <= MAX_TURN else None


def forearm_turns(labels: np.ndarray, fg: np.ndarray, joints: Joints, limbs: list[str]) -> dict[str, float]:
    """Bone name -> the turn from the detector's forearm to the forearm's axis (DRAWN_SHARE of the way
    to the drawn one), for the arms whose drawn forearm is straight enough to read (labels: 0 torso,
    i + 1 limb i)."""
    turns: dict[str, float] = {}
    for i, limb in enumerate(limbs):
        side, kind = limb.split("_")
        if kind != "arm":
            continue
        elbow, wrist = (np.asarray(joints[f"{side}_{j}"], np.float64) for j in ("elbow", "wrist"))
        mask = (labels == i + 1) & fg
        scale = min(1.0, THIN_LENGTH / max(float(np.linalg.norm(wrist - elbow)), 1.0))
        if scale < 1.0:  # pixel centres move as cv2.resize moves them
            mask = cv2.resize(mask.astype(np.uint8) * 255, None, fx=scale, fy=scale,
                              interpolation=cv2.INTER_AREA) >= 128
            elbow, wrist = (elbow + 0.5) * scale - 0.5, (wrist + 0.5) * scale - 0.5
        turn = drawn_turn(middle_line(mask), elbow, wrist)
        if turn is not None:
            turns[f"{side}_forearm"] = DRAWN_SHARE * turn
    return turns
