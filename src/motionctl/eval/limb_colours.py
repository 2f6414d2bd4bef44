"""Limb appearance: do the output's limbs carry the colours of the same limbs in the image?

A limb layer that took the wrong pixels (an arm carrying the shorts it rested on, a forearm folded into
a strip of background) follows the motion well enough for a pose detector, yet a viewer sees at once
that the arm is black or smeared. This compares colours, not shapes:

- A bone's colour profile: SAMPLES places evenly spaced from 20% to 80% of the way from its parent
  joint to its child (the ends are left out: joints are where layers overlap and blend), at each the
  mean colour of a small square on the bone's line, in CIELAB; in the output also of squares ACROSS
  to either side of the line.
- The image's profile comes from the image's joints (detected, or given with --joints); the output's
  from the pose re-detected in each output frame.
- A bone-frame (one limb bone in one output frame where both the image and the output show it)
  matches when the median, over the places along the output's bone, of the smallest colour distance
  between its squares and the image's at the same place or one step along is at most MATCH_DELTA_E.
  The steps along and across absorb the few pixels a re-detected joint wanders (a thin forearm's line
  otherwise falls on the background beside it); the image's side stays on its line, so that a dark
  limb over a dark background does not lend the background's colour to an output limb painted dark
  (benchmarks/viewer_validation.py reads both on real renders).
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
ACROSS = 0.08  # the squares beside the line sit this share of the bone's length to either side
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
    """(SAMPLES, 3 squares, 3) mean colours along a -> b (work pixels), on the line and across it to
    either side; NaN where a square leaves the picture."""
    h, w = lab.shape[:2]
    length = float(np.linalg.norm(b - a))
    half = max(1, round(SQUARE_FRAC * length))
    normal = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-6) * ACROSS * length
    out = np.full((SAMPLES, 3, 3), np.nan, np.float32)
    for i, t in enumerate(np.linspace(*SPAN, SAMPLES)):
        for k, side in enumerate((0.0, -1.0, 1.0)):
            x, y = np.round(a + t * (b - a) + side * normal).astype(int)
            if half <= x < w - half and half <= y < h - half:
                out[i, k] = lab[y - half : y + half + 1, x - half : x + half + 1].reshape(-1, 3).mean(axis=0)
    return out


def _shows(points: np.ndarray, visibility: np.ndarray, p: int, c: int) -> bool:
    return bool(visibility[p] >= VISIBLE and visibility[c] >= VISIBLE and np.isfinite(points[[p, c]]).all()
                and np.linalg.norm(points[c] - points[p]) >= 2.0)


def profile_distance(reference: np.ndarray, found: np.ndarray) -> float | None:
    """Median over the places along ``found`` of the smallest distance between its squares there and
    ``reference``'s squares at most one step along; None when fewer than half the places compare."""
    dists = []
    for i in range(SAMPLES):
        here = found[i][np.isfinite(found[i]).all(axis=1)]
        near = reference[max(0, i - 1) : i + 2].reshape(-1, 3)
        near = near[np.isfinite(near).all(axis=1)]
        if len(here) and len(near):
            dists.append(float(np.linalg.norm(here[:, None] - near[None], axis=-1).min()))
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
                if np.isfinite(prof[:, 0]).all(axis=1).sum() * 2 >= SAMPLES:
                    profiles[name] = prof[:, :1]  # the image's own line only (module docstring)
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
