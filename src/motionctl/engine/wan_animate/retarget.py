"""The driver's pose with the character's bone lengths, placed on the character (orientation ``image``).

As Wan-Animate's animate mode with retargeting (Wan2.2 ``preprocess/retarget_pose.py``): each bone's
length ratio, character over driver, is measured once — the character image against the driver's
first frame — and symmetric bones share the mean of their two ratios (a bone seen on one side only
takes the other's). Each frame is then rebuilt from the neck outwards, every bone the driver's
direction at the character's length, the whole scaled by the body's size ratio and moved so that on the
first frame the anchor lies where the character's does: the feet (lowest ankle, between the hips) when
both bodies show them, else the neck. A bone neither body shows takes the shoulders' ratio.
Hands follow their wrist at the forearm's ratio. Arrays as in ``keypoints``.
"""

from __future__ import annotations

import numpy as np

from motionctl.engine.wan_animate.draw import LIMBS
from motionctl.engine.wan_animate.keypoints import BODY

SEEN = 0.5
# Limbs (indices into draw.LIMBS) that mirror each other.
_PAIRS = ((0, 1), (2, 4), (3, 5), (6, 9), (7, 10), (8, 11), (13, 15), (14, 16), (17, 18))
_SHOULDERS = (0, 1)
_TORSO = (6, 9)  # neck to hips
_FOREARMS = {0: 5, 1: 3}  # hand (0 left, 1 right) -> its forearm's limb


def _length(body: np.ndarray, limb: tuple[int, int]) -> float | None:
    a, b = body[limb[0]], body[limb[1]]
    if a[2] < SEEN or b[2] < SEEN:
        return None
    return float(np.hypot(a[0] - b[0], a[1] - b[1])) or None


def bone_ratios(driver: np.ndarray, character: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-limb length ratios (character / driver) and the body's size ratio."""
    ratios = np.full(len(LIMBS), np.nan)
    for i, limb in enumerate(LIMBS):
        d, c = _length(driver, limb), _length(character, limb)
        if d is not None and c is not None:
            ratios[i] = c / d
    for a, b in _PAIRS:
        pair = ratios[[a, b]]
        if np.isfinite(pair).any():
            ratios[[a, b]] = np.nanmean(pair)
    core = ratios[list(_SHOULDERS + _TORSO)]
    scale = float(np.nanmean(core)) if np.isfinite(core).any() else 1.0
    shoulders = ratios[list(_SHOULDERS)]
    fallback = float(np.nanmean(shoulders)) if np.isfinite(shoulders).any() else scale
    ratios[~np.isfinite(ratios)] = fallback
    return ratios, scale


def _rebuild(body: np.ndarray, ratios: np.ndarray, scale: float) -> np.ndarray:
    out = body.copy()
    neck = BODY["neck"]
    out[neck, :2] = body[neck, :2] * scale
    for i, (parent, child) in enumerate(LIMBS):
        out[child, :2] = out[parent, :2] + ratios[i] * (body[child, :2] - body[parent, :2])
    return out


def _anchor(body: np.ndarray, feet: bool) -> np.ndarray:
    if feet:
        hips_x = (body[BODY["left_hip"], 0] + body[BODY["right_hip"], 0]) / 2
        ground = max(body[BODY["left_ankle"], 1], body[BODY["right_ankle"], 1])
        return np.array([hips_x, ground])
    return body[BODY["neck"], :2].copy()


def _shows_feet(body: np.ndarray) -> bool:
    return bool(np.all(body[[BODY["left_ankle"], BODY["right_ankle"], BODY["left_hip"], BODY["right_hip"]], 2] >= SEEN))


def retarget(driver: np.ndarray, hands: np.ndarray, character: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 20, 3) driver bodies and (N, 2, 21, 3) hands -> the same on the character's proportions
    and place. The first frame is the reference the ratios and the anchor are measured on."""
    ratios, scale = bone_ratios(driver[0], character)
    feet = _shows_feet(driver[0]) and _shows_feet(character)
    shift = _anchor(character, feet) - _anchor(_rebuild(driver[0], ratios, scale), feet)
    bodies, new_hands = driver.copy(), hands.copy()
    for t in range(len(driver)):
        body = _rebuild(driver[t], ratios, scale)
        body[:, :2] += shift
        bodies[t] = body
        for h, forearm in _FOREARMS.items():
            wrist = BODY["left_wrist"] if h == 0 else BODY["right_wrist"]
            new_hands[t, h, :, :2] = body[wrist, :2] + ratios[forearm] * (hands[t, h, :, :2] - driver[t, wrist, :2])
    return bodies, new_hands
