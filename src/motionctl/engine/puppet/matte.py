"""The character's soft foreground matte."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.errors import ContentRejected, rule_violation
from motionctl.core.types import BONES, JOINT, VISIBLE, Pose


def refine_matte(image: np.ndarray, matte: np.ndarray) -> np.ndarray:
    """Snap a coarse matte to the image's edges with a guided filter (edge-aware smoothing)."""
    guide = image.astype(np.float32) / 255.0
    radius = max(2, int(0.004 * max(matte.shape)))
    try:
        refined = cv2.ximgproc.guidedFilter(guide, matte.astype(np.float32), radius, 1e-3)
    except AttributeError:  # opencv without contrib: keep the coarse matte
        refined = matte.astype(np.float32)
    refined = np.clip(refined, 0.0, 1.0)
    return keep_main_body(solid_inside(refined), seen=matte)


def solid_inside(matte: np.ndarray, ramp_frac: float = 0.006) -> np.ndarray:
    """Opaque inside the silhouette, soft only at its rim.

    Segmentation is unsure on dark clothing over a dark background (alpha well below 1): a limb cut out with
    that alpha turns half transparent the moment it moves over the pale body. Alpha rises from the matte's
    own value at the edge to 1 over ``ramp_frac`` of the image's longer side inside it.
    """
    inside = (matte > 0.5).astype(np.uint8)
    ramp = max(2.0, ramp_frac * max(matte.shape))
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    return np.maximum(matte, np.clip(depth / ramp, 0.0, 1.0)).astype(np.float32)


# A hole in the silhouette larger than this share of the image that the segmenter saw as background
# (mean below SEEN_EMPTY) is a gap, not a miss: hands on the hips enclose the background between arm
# and body, and filled, that piece of background was cut out with the arm and carried with it.
GAP_AREA, SEEN_EMPTY = 0.001, 0.2


def keep_main_body(matte: np.ndarray, seen: np.ndarray | None = None) -> np.ndarray:
    """Drop stray blobs (keep components with at least 5% of the largest one's area) and fill
    holes inside the silhouette: a matte with holes would show the plate through the body. With
    ``seen`` (the segmenter's own mask), holes it saw as background are kept open (GAP_AREA)."""
    fg = (matte > 0.5).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if n <= 1:
        return matte.astype(np.float32)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, bool)
    keep[1:] = areas >= 0.05 * areas.max()
    main = keep[lab]
    near = cv2.dilate(main.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    out = np.where(near, matte, 0.0).astype(np.float32)
    holes = _holes(main)
    if seen is not None:
        holes = _unseen(holes, seen)
    out[holes] = 1.0
    return out


def _unseen(holes: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """The holes but those, larger than GAP_AREA, that ``seen`` holds to be background."""
    n, comp, stats, _ = cv2.connectedComponentsWithStats(holes.astype(np.uint8), connectivity=4)
    if n <= 1:
        return holes
    means = np.bincount(comp.ravel(), weights=seen.ravel(), minlength=n) / np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    gap = (stats[:, cv2.CC_STAT_AREA] > GAP_AREA * holes.size) & (means < SEEN_EMPTY)
    gap[0] = False
    return holes & ~gap[comp]


def _holes(mask: np.ndarray) -> np.ndarray:
    """Background pixels not connected to the image border."""
    padded = np.pad((~mask).astype(np.uint8), 1, constant_values=1)
    flood = np.zeros((padded.shape[0] + 2, padded.shape[1] + 2), np.uint8)
    cv2.floodFill(padded, flood, (0, 0), 0)
    return padded[1:-1, 1:-1].astype(bool)


# Keying: a pixel farther than KEY_FAR (RGB) from the border's median colour is the character's. A
# border with more than BUSY_BORDER of its own pixels that far is no plain paper: keyed against it, a
# drawing on a painted background (sky, trees, a room) takes the whole picture as the character, and
# the torso layer carries the background.
BUSY_BORDER, KEY_FAR = 0.25, 40.0


def color_key_matte(image: np.ndarray) -> np.ndarray:
    """Matte for a drawing on plain paper: pixels far from the border's colour are the character."""
    _, paper = _border(image)
    diff = np.linalg.norm(image.astype(np.float32) - paper, axis=-1)
    fg = (diff > KEY_FAR).astype(np.uint8)
    k = max(3, int(0.01 * max(image.shape[:2])) | 1)
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    matte = keep_main_body(fg.astype(np.float32))
    return cv2.GaussianBlur(matte, (3, 3), 0)


CUT_SIDE = 320  # px: GrabCut's working size (its cost grows with the pixels; the guided filter refines)
# Around the skeleton, in torso lengths (shoulders' middle to hips' middle): sure character along the
# bones and on the trunk, maybe character within PROBABLE_REACH (sleeves, hair, a gown's flare), sure
# background past BACKGROUND_REACH and along the picture's border.
SURE_WIDTH, PROBABLE_REACH, BACKGROUND_REACH = 0.08, 0.6, 1.2


def _border(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The picture's outermost pixels (N, 3) and their median colour."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]).astype(np.float32)
    return border, np.median(border, axis=0)


def busy_border(image: np.ndarray) -> bool:
    """Whether the picture's border is too varied to be the plain paper color_key_matte needs."""
    border, paper = _border(image)
    return bool((np.linalg.norm(border - paper, axis=-1) > KEY_FAR).mean() > BUSY_BORDER)


def drawing_matte(image: np.ndarray, bones: list[tuple[np.ndarray, np.ndarray]], trunk: np.ndarray) -> np.ndarray:
    """Matte for a character no segmenter reads (a drawing, given joints): colour keying on plain paper,
    else GrabCut seeded by the skeleton (``bones``: segments; ``trunk``: shoulders and hips, in image
    pixels), refined on the image's edges."""
    if not busy_border(image):
        return color_key_matte(image)
    h, w = image.shape[:2]
    s = min(1.0, CUT_SIDE / max(h, w))
    small = cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else image.copy()
    torso = s * float(np.linalg.norm(trunk[:2].mean(axis=0) - trunk[2:].mean(axis=0)))
    seeds = np.full(small.shape[:2], cv2.GC_BGD, np.uint8)
    hull = cv2.convexHull((s * trunk).astype(np.int32))
    for reach, value in ((BACKGROUND_REACH, cv2.GC_PR_BGD), (PROBABLE_REACH, cv2.GC_PR_FGD), (SURE_WIDTH, cv2.GC_FGD)):
        width = max(1, int(2 * reach * torso))
        for a, b in bones:
            cv2.line(seeds, tuple(int(v) for v in s * a), tuple(int(v) for v in s * b), value, width)
        cv2.fillConvexPoly(seeds, hull, value)
        if value != cv2.GC_FGD:
            cv2.polylines(seeds, [hull], True, value, width)
    edge = max(1, int(0.01 * max(small.shape[:2])))
    border = np.zeros(seeds.shape, bool)
    border[:edge], border[-edge:], border[:, :edge], border[:, -edge:] = True, True, True, True
    seeds[border & (seeds != cv2.GC_FGD)] = cv2.GC_BGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # the same matte for the same image
    cv2.grabCut(np.ascontiguousarray(small), seeds, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
    fg = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
    return refine_matte(image, cv2.resize(fg, (w, h), interpolation=cv2.INTER_LINEAR))


def character_matte(rgb: np.ndarray, alpha: np.ndarray | None, seg_mask: np.ndarray | None, pose: Pose) -> np.ndarray:
    """The character's matte at the image's size: its own alpha, else segmentation, else (a drawing)
    colour keying or the skeleton's GrabCut; ContentRejected when it leaves (almost) nothing."""
    if alpha is not None:
        matte = alpha.astype(np.float32) / 255.0
    elif seg_mask is not None:
        matte = refine_matte(rgb, seg_mask)
    else:
        matte = drawing_matte(rgb, *skeleton(pose))
    if (matte > 0.5).mean() < 0.005:
        raise rule_violation(ContentRejected, "image_url", "the character must be separable from its background",
                             f"{100 * (matte > 0.5).mean():.2f}% of the image")
    return matte


def skeleton(pose: Pose) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The pose's seen bones (and the neck, to the head) as segments, and its shoulders and hips."""
    p, seen = pose.points, pose.visibility >= VISIBLE
    bones = [(p[JOINT[a]], p[JOINT[b]]) for _, a, b in BONES if seen[JOINT[a]] and seen[JOINT[b]]]
    trunk = p[[JOINT[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]]
    if seen[JOINT["nose"]]:
        bones.append((trunk[:2].mean(axis=0), p[JOINT["nose"]]))
    return bones, trunk
