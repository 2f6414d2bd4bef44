"""Arms separated from the body behind them by their appearance (graph cut seeded by the bones).

The bone capsules of layers.py take every pixel near an arm's bones. Where the arm lies on the body
in the image — hands on the hips, arms hanging along the body with the hands on the shorts, hair
falling over the shoulder — the capsule also takes the body under it, and the arm, raised, carries
a piece of shorts, dress or hair with it. The colours along the arm's bones (its core, which is the
arm wherever the pose is right) and those of the body and background around it are learned by
OpenCV's grabCut (Gaussian mixtures + a min-cut that keeps edges on colour changes); pixels of the
capsule the cut gives to the body go back to the torso layer, which is completed behind the arm
anyway. ``benchmarks/character_survey.py`` measures what stays foreign on the arm layers.
"""

from __future__ import annotations

import cv2
import numpy as np

# The arm's core: within this share of the body's size of its upper arm's and forearm's bones, and
# within CORE_RADIUS of the arm's own radius (a thin arm's core stays on the arm).
CORE_SHARE, CORE_RADIUS = 0.025, 0.4
CUT_SIDE = 200  # the cut runs on the arm's box at most this long side (the colours' model is coarse)
ITERATIONS = 3
# A cut that keeps less than this share of the capsule found no arm to learn (a pose off its limb,
# an arm the colour of the body): the capsule is kept as it was.
LEAST_KEPT = 0.3


# The stretch of each bone the core covers (from its root joint): hair and collars fall over the
# shoulder, and the wrist lies on the body it rests on; the bone's middle is the arm itself. The
# hand's point is the knuckles' middle, at the hand's far edge: its core stops halfway there.
CORE_SPAN, HAND_SPAN = (0.15, 0.85), (0.0, 0.5)


def arm_core(shape: tuple[int, int], a: np.ndarray, b: np.ndarray, radius: float, body_scale: float,
             span: tuple[float, float] = CORE_SPAN) -> np.ndarray:
    """The thin band along the middle of the bone from ``a`` to ``b`` that is the arm wherever its pose is right."""
    core = np.zeros(shape, np.uint8)
    width = max(1, int(round(min(CORE_SHARE * body_scale, CORE_RADIUS * radius))))
    t0, t1 = span
    pa, pb = (tuple(int(round(v)) for v in a + t * (b - a)) for t in (t0, t1))
    cv2.line(core, pa, pb, 1, 2 * width + 1)
    return core.astype(bool)


def cut_arm(image: np.ndarray, fg: np.ndarray, own: np.ndarray, core: np.ndarray, keep_out: np.ndarray
            ) -> np.ndarray:
    """The part of ``own`` (the arm's capsule pixels) that looks like the arm's ``core`` rather than the
    body and background around it; ``keep_out`` (the head) is never the arm. Returns ``own`` unchanged
    when the cut cannot tell."""
    core = core & own & ~keep_out
    if core.sum() < 20 or own.sum() < 50:
        return own
    ys, xs = np.nonzero(own)
    h, w = own.shape
    pad = max(8, int(0.25 * max(ys.ptp(), xs.ptp())))
    y0, y1 = max(0, ys.min() - pad), min(h, ys.max() + pad + 1)
    x0, x1 = max(0, xs.min() - pad), min(w, xs.max() + pad + 1)
    scale = min(1.0, CUT_SIDE / max(y1 - y0, x1 - x0))
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))

    def small(m: np.ndarray) -> np.ndarray:
        return cv2.resize(m[y0:y1, x0:x1].astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)

    crop = cv2.resize(image[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)
    s_own, s_core, s_fg, s_out = small(own), small(core), small(fg), small(keep_out)
    # The arm's colours are learned from its core alone: the rest of the capsule starts as probably
    # not the arm, so what the capsule took of the body (hair over the shoulder, the dress under a
    # hand) teaches the body's model, and the cut gives the arm whatever looks like its core.
    mask = np.full(s_own.shape, cv2.GC_PR_BGD, np.uint8)
    mask[~s_fg] = cv2.GC_BGD
    mask[s_core] = cv2.GC_FGD
    mask[s_out] = cv2.GC_BGD
    if not (mask == cv2.GC_FGD).any() or not np.isin(mask, (cv2.GC_BGD, cv2.GC_PR_BGD)).any():
        return own
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(np.ascontiguousarray(crop[..., ::-1]), mask, None, bgd, fgd, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    arm = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    arm = _touching(arm, s_core).astype(np.uint8)
    full = np.zeros_like(own)
    full[y0:y1, x0:x1] = cv2.resize(arm, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST).astype(bool)
    # The cut's edge is as coarse as its grid: the arm keeps a pixel more than it, or the arm's own
    # edge, left with the body, is an outline of the arm that stays where the arm lay.
    grid = int(np.ceil(1.0 / scale - 1.0))
    kept = own & (cv2.dilate(full.astype(np.uint8), np.ones((2 * grid + 1,) * 2, np.uint8)) > 0 if grid else full)
    if kept.sum() < LEAST_KEPT * own.sum():
        return own
    return kept


def _touching(mask: np.ndarray, core: np.ndarray) -> np.ndarray:
    """The pieces of ``mask`` that hold some of ``core`` (a speck the cut kept elsewhere is not the arm)."""
    n, comp = cv2.connectedComponents(mask, connectivity=8)
    if n <= 2:
        return mask.astype(bool)
    held = np.unique(comp[core & (mask > 0)])
    return np.isin(comp, held[held > 0])
