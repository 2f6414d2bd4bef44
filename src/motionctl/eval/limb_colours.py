"""Limb appearance: do the output's limbs carry the colours of the same limbs in the image?

A limb layer that took the wrong pixels (an arm carrying the shorts it rested on, a forearm folded into
a strip of background) follows the motion well enough for a pose detector, yet a viewer sees at once
that the arm is black or smeared. This compares colours, not shapes:

- A bone's colour profile: SAMPLES points evenly spaced from 20% to 80% of the way from its parent
  joint to its child (the ends are left out: joints are where layers overlap and blend), each the
  mean colour of a small square around it, in CIELAB.
- The image's profile comes from the image's joints (detected, or given with --joints); the output's
  from the pose re-detected in each output frame.
- A bone-frame (one limb bone in one output frame where both the image and the output show it)
  matches when the median, over the output's samples, of each sample's colour distance to the nearest
  image sample at the same place or one step along (re-detected joints wander by a few pixels) is at
  most MATCH_DELTA_E.
The figure is the share of bone-frames that match. Its tests in tests/eval/test_limb_colours.py paint
synthetic limbs; benchmarks/matrix.py reports it over the broad set.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from motionctl.core.types import BONES, JOINT

SAMPLES = 7
SPAN = (0.2, 0.8)  # the stretch of each bone that is sampled, as shares of its length
# CIE76 distance in L*a*b* (0-100 lightness): H.264 and resampling move a colour by 2-5; skin against
# black shorts is ~50, a sleeve against the background it was cut from 20-60.
MATCH_DELTA_E = 15.0
WORK_SIDE = 640  # frames and the image are sampled at this longer side
SQUARE_FRAC = 0.035  # half side of each sample's square, as a share of the bone's length (at least 1 px)
VISIBLE = 0.5
LIMBS: tuple[tuple[str, int, int], ...] = tuple(
    (name, JOINT[p], JOINT[c]) for name, p, c in BONES if name not in ("shoulders", "hips")
)


def _to_work(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The picture at WORK_SIDE (never enlarged) in float CIELAB, and the scale applied."""
    h, w = rgb.shape[:2]
    s = min(1.0, WORK_SIDE / max(h, w))
    size = (max(1, round(w * s)), max(1, round(h * s)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if s < 1 else rgb
    lab = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    return lab, s


def _profile(lab: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(SAMPLES, 3) mean colours along a -> b (work pixels); NaN rows where a square leaves the picture."""
    h, w = lab.shape[:2]
    half = max(1, round(SQUARE_FRAC * float(np.linalg.norm(b - a))))
    out = np.full((SAMPLES, 3), np.nan, np.float32)
    for i, t in enumerate(np.linspace(*SPAN, SAMPLES)):
        x, y = np.round(a + t * (b - a)).astype(int)
        if half <= x < w - half and half <= y < h - half:
            out[i] = lab[y - half : y + half + 1, x - half : x + half + 1].reshape(-1, 3).mean(axis=0)
    return out


def _shows(points: np.ndarray, visibility: np.ndarray, p: int, c: int) -> bool:
    return bool(visibility[p] >= VISIBLE and visibility[c] >= VISIBLE and np.isfinite(points[[p, c]]).all()
                and np.linalg.norm(points[c] - points[p]) >= 2.0)


def profile_distance(reference: np.ndarray, found: np.ndarray) -> float | None:
    """Median over ``found``'s samples of the distance to the nearest ``reference`` sample at most one
    step away; None when fewer than half the samples can be compared."""
    dists = []
    for i in range(SAMPLES):
        if not np.isfinite(found[i]).all():
            continue
        near = reference[max(0, i - 1) : i + 2]
        near = near[np.isfinite(near).all(axis=1)]
        if len(near):
            dists.append(float(np.linalg.norm(near - found[i], axis=1).min()))
    return float(np.median(dists)) if len(dists) * 2 >= SAMPLES else None


@dataclass
class LimbReference:
    """The image's colour profile of each limb bone it shows."""

    profiles: dict[str, np.ndarray]

    @classmethod
    def from_image(cls, rgb: np.ndarray, points: np.ndarray, visibility: np.ndarray) -> LimbReference:
        lab, s = _to_work(rgb)
        profiles = {}
        for name, p, c in LIMBS:
            if _shows(points, visibility, p, c):
                prof = _profile(lab, points[p] * s, points[c] * s)
                if np.isfinite(prof).all(axis=1).sum() * 2 >= SAMPLES:
                    profiles[name] = prof
        return cls(profiles)

    def frame_matches(self, rgb: np.ndarray, points: np.ndarray | None, visibility: np.ndarray | None
                      ) -> dict[str, bool]:
        """Each limb bone both the image and this frame show -> whether its colours match."""
        if points is None or visibility is None or not self.profiles:
            return {}
        lab, s = _to_work(rgb)
        out = {}
        for name, p, c in LIMBS:
            if name in self.profiles and _shows(points, visibility, p, c):
                d = profile_distance(self.profiles[name], _profile(lab, points[p] * s, points[c] * s))
                if d is not None:
                    out[name] = d <= MATCH_DELTA_E
        return out


@dataclass
class LimbAppearance:
    """Share of bone-frames whose colours match the image's limb, over all limbs and per limb."""

    share: float | None
    bone_frames: int
    per_bone: dict[str, float | None]

    @classmethod
    def of(cls, frames: list[dict[str, bool]]) -> LimbAppearance:
        per: dict[str, list[bool]] = {name: [] for name, _, _ in LIMBS}
        for matches in frames:
            for name, ok in matches.items():
                per[name].append(ok)
        every = [ok for values in per.values() for ok in values]
        return cls(
            share=float(np.mean(every)) if every else None,
            bone_frames=len(every),
            per_bone={name: (float(np.mean(v)) if v else None) for name, v in per.items()},
        )
