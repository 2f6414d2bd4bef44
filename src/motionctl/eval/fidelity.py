"""Motion fidelity: does the output's re-detected pose point its bones where the driver's do?

Definitions (the engine's acceptance thresholds are quoted against exactly these):

- A bone's direction is the 2D angle of child joint minus parent joint, in pixels. It does not change
  with translation or scale, so the character's framing (orientation ``image``) does not matter.
- A bone is visible in a pose when both its joints have visibility >= 0.5.
- A comparison is one (output frame, bone) where the driver's bone is visible in the driver frame
  nearest in time. Its error is the absolute angle between the two directions (0-180 deg); when the
  output has no person or does not show the bone, the comparison counts as a miss with error 180 deg,
  so hiding a limb can never improve the score.
- A comparison is "moving" when the driver's bone is more than 20 deg from its usual direction (its
  circular mean over the clip): those are the instances where following the motion matters.
- Left and right compare same-name: the character faces the camera like the driver, so the driver's
  left arm drives the character's left arm (no mirroring).
- Wrist bends (pro's hand orientation) are scored apart, not in the limb figures above: a hand's bend
  is the angle of wrist -> knuckles (the mean of BlazePose's index and pinky points) against elbow ->
  wrist, so a hand that only follows its forearm keeps one bend; "moving" and misses as for bones.
  BlazePose's knuckles are unsure on a small or blurred hand, so this reads coarser than the limbs.
- The frozen baseline holds the output's first pose for the whole clip (per bone: its direction in
  the first output frame that shows it) and is scored the same way, so a reader sees what "not moving
  at all" scores on this clip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from motionctl.core.types import BONES, JOINT, VISIBLE
from motionctl.eval.tracks import PoseTrack, match_by_time

AngleFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (points, visibility) -> (T, columns) radians
MOVING_DEG = 20.0
WITHIN_DEG = 20.0
MISS_DEG = 180.0
LIMB_BONES: tuple[str, ...] = tuple(name for name, _, _ in BONES if name not in ("shoulders", "hips"))
BONE_NAMES: tuple[str, ...] = tuple(name for name, _, _ in BONES)
HANDS: tuple[str, ...] = ("left", "right")


def wrist_bends(points: np.ndarray, visibility: np.ndarray, threshold: float = VISIBLE) -> np.ndarray:
    """(T, 33, 2) points and (T, 33) visibility -> (T, 2) left and right wrist bends in radians, NaN
    where the elbow, wrist, index or pinky is not visible."""
    columns = []
    for side in HANDS:
        e, w, i, p = (JOINT[f"{side}_{j}"] for j in ("elbow", "wrist", "index", "pinky"))
        forearm = points[:, w] - points[:, e]
        hand = (points[:, i] + points[:, p]) / 2 - points[:, w]
        bend = np.arctan2(hand[:, 1], hand[:, 0]) - np.arctan2(forearm[:, 1], forearm[:, 0])
        seen = visibility[:, [e, w, i, p]].min(axis=1) >= threshold
        seen &= (np.linalg.norm(forearm, axis=-1) > 0) & (np.linalg.norm(hand, axis=-1) > 0)
        columns.append(np.where(seen, np.angle(np.exp(1j * bend)), np.nan))
    return np.stack(columns, axis=-1)


def bone_angles(points: np.ndarray, visibility: np.ndarray, threshold: float = VISIBLE) -> np.ndarray:
    """(T, 33, 2) points and (T, 33) visibility -> (T, n_bones) angles in radians, NaN where not visible."""
    parents = np.array([JOINT[p] for _, p, _ in BONES])
    children = np.array([JOINT[c] for _, _, c in BONES])
    vec = points[:, children] - points[:, parents]
    angles = np.arctan2(vec[..., 1], vec[..., 0])
    visible = (visibility[:, parents] >= threshold) & (visibility[:, children] >= threshold)
    visible &= np.isfinite(angles) & (np.linalg.norm(vec, axis=-1) > 0)
    return np.where(visible, angles, np.nan)


def angle_error_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Absolute difference of two angles (radians), wrapped, in degrees in [0, 180]."""
    d = np.angle(np.exp(1j * (np.asarray(a) - np.asarray(b))))
    return np.abs(np.degrees(d))


def circular_mean(angles: np.ndarray) -> np.ndarray:
    """Circular mean along axis 0 ignoring NaN; NaN for a column with no value."""
    finite = np.isfinite(angles)
    s = np.where(finite, np.sin(angles), 0.0).sum(axis=0)
    c = np.where(finite, np.cos(angles), 0.0).sum(axis=0)
    return np.where(finite.any(axis=0), np.arctan2(s, c), np.nan)


def moving_mask(driver_angles: np.ndarray, threshold_deg: float = MOVING_DEG) -> np.ndarray:
    """(T, B) True where the driver's bone is visible and > threshold from its circular mean direction."""
    mean = circular_mean(driver_angles)
    finite = np.isfinite(driver_angles) & np.isfinite(mean)[None, :]
    err = angle_error_deg(np.where(finite, driver_angles, 0.0), np.where(np.isfinite(mean), mean, 0.0))
    return finite & (err > threshold_deg)


def direction_errors(output_angles: np.ndarray, driver_angles: np.ndarray) -> np.ndarray:
    """(T, B) errors in degrees: NaN where the driver's bone is not visible, 180 where the output misses."""
    driver_ok = np.isfinite(driver_angles)
    output_ok = np.isfinite(output_angles)
    err = angle_error_deg(np.where(output_ok, output_angles, 0.0), np.where(driver_ok, driver_angles, 0.0))
    err = np.where(output_ok, err, MISS_DEG)
    return np.where(driver_ok, err, np.nan)


@dataclass
class Summary:
    """Median error (deg), share of comparisons within 20 deg, and how many comparisons there were."""

    median_deg: float | None
    within_20: float | None
    comparisons: int
    misses: int


def summarize(errors: np.ndarray) -> Summary:
    values = errors[np.isfinite(errors)]
    if values.size == 0:
        return Summary(None, None, 0, 0)
    return Summary(
        median_deg=float(np.median(values)),
        within_20=float(np.mean(values <= WITHIN_DEG)),
        comparisons=int(values.size),
        misses=int(np.sum(values >= MISS_DEG)),
    )


@dataclass
class FidelityReport:
    """Aggregates over the limb bones (``all``: every comparison; ``moving``: moving instances only)."""

    all: Summary
    moving: Summary
    frozen_all: Summary
    frozen_moving: Summary
    per_bone: dict[str, dict[str, Summary]] = field(default_factory=dict)
    matched_frames: int = 0
    # Both hands' wrist bends: "all", "moving" and "frozen_moving", as for a bone.
    wrist_bends: dict[str, Summary] = field(default_factory=dict)


def paired_angles(output: PoseTrack, driver: PoseTrack, angles: AngleFn = bone_angles
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output angles, driver angles at the nearest driver time, and the driver clip's moving mask.

    Rows are output frames that have a driver frame within half a driver frame period.
    """
    drv_angles_all = angles(driver.points, driver.visibility)
    # "Usual direction" is over the whole driver clip, not just the part the output covers.
    moving_all = moving_mask(drv_angles_all)
    period = float(np.median(np.diff(driver.times))) if len(driver) > 1 else 1.0
    idx = match_by_time(output.times, driver.times, tolerance=0.5 * period + 1e-6)
    keep = idx >= 0
    out_angles = angles(output.points[keep], output.visibility[keep])
    return out_angles, drv_angles_all[idx[keep]], moving_all[idx[keep]]


def first_shown(angles: np.ndarray) -> np.ndarray:
    """(columns,) each column's value in the first row that has one (NaN if none does)."""
    shown = np.isfinite(angles)
    first = np.argmax(shown, axis=0)
    out = angles[first, np.arange(angles.shape[1])]
    return np.where(shown.any(axis=0), out, np.nan)


def wrist_bend_fidelity(output: PoseTrack, driver: PoseTrack) -> dict[str, Summary]:
    """Both hands' wrist bends, output against driver; the frozen baseline holds each hand's first bend
    (what a hand that keeps its image angle to the forearm scores, give or take the image's bend)."""
    out_bends, drv_bends, moving = paired_angles(output, driver, wrist_bends)
    errors = direction_errors(out_bends, drv_bends)
    frozen_out = np.broadcast_to(first_shown(wrist_bends(output.points, output.visibility)), out_bends.shape)
    return {
        "all": summarize(errors),
        "moving": summarize(np.where(moving, errors, np.nan)),
        "frozen_moving": summarize(np.where(moving, direction_errors(frozen_out, drv_bends), np.nan)),
    }


def first_directions(track: PoseTrack) -> np.ndarray:
    """(n_bones,) each bone's direction in the first frame that shows it (NaN if none does)."""
    return first_shown(bone_angles(track.points, track.visibility))


def _limb_columns() -> np.ndarray:
    return np.array([BONE_NAMES.index(n) for n in LIMB_BONES])


def fidelity(output: PoseTrack, driver: PoseTrack) -> FidelityReport:
    out_angles, drv_angles, moving = paired_angles(output, driver)
    errors = direction_errors(out_angles, drv_angles)

    frozen_errors = direction_errors(np.broadcast_to(first_directions(output), out_angles.shape), drv_angles)

    limbs = _limb_columns()
    per_bone: dict[str, dict[str, Summary]] = {}
    for b, name in enumerate(BONE_NAMES):
        per_bone[name] = {
            "all": summarize(errors[:, b]),
            "moving": summarize(np.where(moving[:, b], errors[:, b], np.nan)),
            "frozen_moving": summarize(np.where(moving[:, b], frozen_errors[:, b], np.nan)),
        }
    return FidelityReport(
        all=summarize(errors[:, limbs]),
        moving=summarize(np.where(moving[:, limbs], errors[:, limbs], np.nan)),
        frozen_all=summarize(frozen_errors[:, limbs]),
        frozen_moving=summarize(np.where(moving[:, limbs], frozen_errors[:, limbs], np.nan)),
        per_bone=per_bone,
        matched_frames=int(len(out_angles)),
        wrist_bends=wrist_bend_fidelity(output, driver),
    )
