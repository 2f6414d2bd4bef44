"""Per-frame sanity of the driver's pose before it is drawn: broken frames are held, not drawn.

The tracker follows one person and smooths their joints, but a detector can still, for a frame or a
few, read someone upside down, swap to another person, or throw a limb across the picture. Drawn, such
a frame turns the character over or tears a limb off for a moment. A frame is broken when, against
the last good frame, its spine (hips -> shoulders) turns by more than FLIP_DEG, a shoulder or hip
moves by more than CORE_JUMP torso lengths, or the torso's length changes by more than RESIZE (a
different person); a limb alone is broken when its elbow, wrist, knee or ankle moves by more than
LIMB_JUMP torso lengths. A broken frame draws the last good pose (a broken limb: the last good limb,
carried with its shoulder or hip); the frame after a hold blends back over BLEND frames. A break that
lasts longer than MAX_HOLD frames is taken as the new truth (the driver did turn over; the person did
change), blended in the same way. On the shared drivers' tracked motion the largest changes a frame
are 5° of spine, 0.20 torso lengths of a shoulder or hip, 0.39 of a limb joint and 4% of the torso's
length (benchmarks/pose_sanity.py drivers, 6 s each), so the guard holds none of their frames.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from motionctl.core.types import joint_indices
from motionctl.engine.motion import DriverFrame

FLIP_DEG = 45.0
CORE_JUMP = 0.6
RESIZE = 0.35
LIMB_JUMP = 1.5  # a straight arm swung from hanging to level in one frame (1.2) is drawn as it comes
MAX_HOLD = 8
BLEND = 3
SHOULDERS, HIPS = joint_indices("left_shoulder", "right_shoulder"), joint_indices("left_hip", "right_hip")
CORE = SHOULDERS + HIPS
# Each limb's root (which carries the limb when it is held) -> the limb's joints past it.
LIMBS = {
    root: joint_indices(*(f"{side}_{j}" for j in joints))
    for side in ("left", "right")
    for root, joints in (
        (joint_indices(f"{side}_shoulder")[0], ("elbow", "wrist", "pinky", "index", "thumb")),
        (joint_indices(f"{side}_hip")[0], ("knee", "ankle", "heel", "foot_index")),
    )
}


def _spine(points: np.ndarray) -> np.ndarray:
    return points[SHOULDERS].mean(axis=0) - points[HIPS].mean(axis=0)


def _turn_deg(a: np.ndarray, b: np.ndarray) -> float:
    return abs(float(np.degrees(np.angle(np.exp(1j * (np.arctan2(a[1], a[0]) - np.arctan2(b[1], b[0])))))))


class PoseGuard:
    """Checks each driver frame against the last good one; hands back the frame to draw."""

    def __init__(self) -> None:
        self._good: np.ndarray | None = None  # the last good frame's points (held limbs included)
        self._shown: np.ndarray | None = None  # what was drawn last
        self._held: dict[int, int] = {}  # 0: the whole frame; a limb's root: that limb -> frames held running
        self._blend = 0
        self.held_frames = 0  # frames drawn with the whole pose or a limb held

    def check(self, frame: DriverFrame) -> DriverFrame:
        pts = np.asarray(frame.points, np.float64)
        good = self._good
        if good is None:
            self._good = self._shown = pts
            return frame
        torso = max(float(np.linalg.norm(_spine(good))), 1e-6)
        jump = np.linalg.norm(pts - good, axis=1) / torso
        broken = (_turn_deg(_spine(pts), _spine(good)) > FLIP_DEG or float(jump[CORE].max()) > CORE_JUMP
                  or abs(float(np.linalg.norm(_spine(pts))) / torso - 1) > RESIZE)
        if broken and self._hold(0):
            self.held_frames += 1
            return self._drawn(frame, good)
        was_held = bool(self._held.pop(0, 0))
        drawn = pts.copy()
        for root, joints in LIMBS.items():
            if not broken and float(jump[joints].max()) > LIMB_JUMP and self._hold(root):
                drawn[joints] = good[joints] + (pts[root] - good[root])
                was_held = True
            elif self._held.pop(root, 0):
                was_held = True  # back from a hold (or a hold given up): eased like the whole pose
        self.held_frames += int(bool(set(self._held) & set(LIMBS)))
        self._good = drawn
        self._blend = BLEND if was_held else max(self._blend - 1, 0)
        if self._blend and self._shown is not None:  # back from a hold: eased over BLEND frames
            drawn = self._shown + (drawn - self._shown) / (self._blend + 1)
        return self._drawn(frame, drawn)

    def _hold(self, key: int) -> bool:
        """Hold ``key`` (the whole pose or a limb) one more frame, unless it has been held MAX_HOLD running."""
        self._held[key] = self._held.get(key, 0) + 1
        return self._held[key] <= MAX_HOLD

    def _drawn(self, frame: DriverFrame, points: np.ndarray) -> DriverFrame:
        self._shown = points
        return dataclasses.replace(frame, points=points.astype(np.float32))
