"""What one frame's silhouette (the person segmentation, > 0.5) says about how the character is drawn.

- torso holes: the share of the torso (the quadrilateral of the shoulders and hips, shrunk towards its
  centre so that its rim, where a soft matte and a loose re-detection disagree, is left out) that is
  background: a body torn open shows the plate through it;
- loose pieces: parts of the silhouette, near the character and not joined to its largest part, of at
  least PIECE_SHARE of that part's area: a limb drawn apart from its joint, a skirt torn into strips;
- edges touched: which sides of the picture the silhouette reaches (framing compares them with the
  image's).
Work size: the mask is taken at WORK_SIDE on its longer side. Tests: tests/eval/test_silhouette.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from motionctl.core.types import JOINT

WORK_SIDE = 320
VISIBLE = 0.5
TORSO = tuple(JOINT[n] for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip"))
TORSO_SHRINK = 0.7  # the torso quadrilateral scaled about its centre by this much
PIECE_SHARE = 0.03  # a loose piece is at least this share of the largest part's area
# Before parts are counted, gaps narrower than twice this share of the picture's longer side are closed:
# a thin wrist or a finger the segmentation loses at the work size is not a limb torn off its joint.
CLOSE_FRAC = 0.01
NEAR_FRAC = 0.25  # "near the character": within this share of its body size of its visible joints
EDGE_BAND = 2  # px at WORK_SIDE: the silhouette reaches a side when it has pixels this close to it
EDGE_MIN_PX = 3  # ... and at least this many of them
BODY_JOINTS = tuple(JOINT[n] for n in (
    "nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
))  # fmt: skip
SIDES = ("top", "bottom", "left", "right")


def work_mask(mask: np.ndarray) -> tuple[np.ndarray, float]:
    """A float or bool mask as bool at WORK_SIDE (never enlarged), and the scale applied."""
    h, w = mask.shape[:2]
    s = min(1.0, WORK_SIDE / max(h, w))
    m = mask.astype(np.float32)
    if s < 1:
        m = cv2.resize(m, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return m > 0.5, s


def torso_polygon(points: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    """(4, 2) shoulders and hips, shrunk about their centre; None unless all four are visible."""
    idx = list(TORSO)
    if (visibility[idx] < VISIBLE).any() or not np.isfinite(points[idx]).all():
        return None
    quad = points[idx].astype(np.float64)
    centre = quad.mean(axis=0)
    return centre + TORSO_SHRINK * (quad - centre)


PELVIS_DOWN = 0.2  # the pelvis reaches this share of the way down each thigh
PELVIS_SHRINK = 0.7  # ... and is narrowed to this share of its width about its centre


def pelvis_polygon(points: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    """(4, 2) the hips and a point a little way down each thigh, narrowed; None unless hips and
    knees are visible. A torn body often opens here, between the jacket and the trousers."""
    idx = [JOINT[n] for n in ("left_hip", "right_hip", "left_knee", "right_knee")]
    if (visibility[idx] < VISIBLE).any() or not np.isfinite(points[idx]).all():
        return None
    lh, rh, lk, rk = (points[i].astype(np.float64) for i in idx)
    quad = np.array([lh, rh, rh + PELVIS_DOWN * (rk - rh), lh + PELVIS_DOWN * (lk - lh)])
    centre = quad.mean(axis=0)
    return centre + np.array([PELVIS_SHRINK, 1.0]) * (quad - centre)


def torso_hole_share(mask: np.ndarray, points: np.ndarray, visibility: np.ndarray) -> float | None:
    """Share of the (shrunk) torso that is background; ``points`` in ``mask`` pixels."""
    quad = torso_polygon(points, visibility)
    if quad is None:
        return None
    inside = np.zeros(mask.shape, np.uint8)
    cv2.fillConvexPoly(inside, np.round(quad).astype(np.int32), (1,))
    area = int(inside.sum())
    if area < 20:  # too small to read at the work size
        return None
    return float((inside.astype(bool) & ~mask).sum() / area)


def body_size(points: np.ndarray, visibility: np.ndarray) -> float | None:
    """Diagonal of the visible body joints' bounding box (pixels), None with fewer than 3."""
    idx = [j for j in BODY_JOINTS if visibility[j] >= VISIBLE and np.isfinite(points[j]).all()]
    if len(idx) < 3:
        return None
    q = points[idx]
    return float(np.linalg.norm(q.max(axis=0) - q.min(axis=0)))


GAP_BACKGROUND = 0.5  # a piece is apart when at least this share of the gap to the body shows background colours


def _gap_shows_background(labels: np.ndarray, main: int, piece: int, background: np.ndarray) -> bool:
    """Does the straight way from ``piece`` to the largest part cross the image's background colours?

    The segmentation loses a dark forearm over a dark background and leaves the hand apart, though a
    viewer sees the arm whole: there the gap holds the limb's own colours, not the background's."""
    dist, nearest = cv2.distanceTransformWithLabels((labels != main).astype(np.uint8), cv2.DIST_L2, 5,
                                                    labelType=cv2.DIST_LABEL_PIXEL)
    inside = labels == piece
    ys, xs = np.nonzero(inside)
    k = int(np.argmin(dist[ys, xs]))
    start = np.array([xs[k], ys[k]], float)
    zeros = np.argwhere(labels == main)  # DIST_LABEL_PIXEL numbers the zero pixels in row-major order
    end = zeros[nearest[ys[k], xs[k]] - 1][::-1].astype(float)
    steps = max(2, int(np.ceil(np.linalg.norm(end - start))))
    line = np.round(start + np.linspace(0.0, 1.0, steps)[:, None] * (end - start)).astype(int)
    gap = [(x, y) for x, y in line if labels[y, x] == 0]
    return bool(gap) and float(np.mean([background[y, x] for x, y in gap])) >= GAP_BACKGROUND


def loose_pieces(mask: np.ndarray, points: np.ndarray | None, visibility: np.ndarray | None,
                 background: np.ndarray | None = None) -> int:
    """How many silhouette parts apart from the largest are large enough and near the character (and,
    given ``background`` — where the frame shows the image's background colours, at ``mask``'s size —
    apart from it by background)."""
    r = max(1, round(CLOSE_FRAC * max(mask.shape)))
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    if n <= 2:
        return 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    main = 1 + int(np.argmax(areas))
    big = [k for k in range(1, n) if k != main and stats[k, cv2.CC_STAT_AREA] >= PIECE_SHARE * areas.max()]
    if not big or points is None or visibility is None:  # without a pose, nearness is unknown
        return 0
    size = body_size(points, visibility)
    if size is None:
        return 0
    near = np.zeros(mask.shape, np.uint8)
    for j in BODY_JOINTS:
        if visibility[j] >= VISIBLE and np.isfinite(points[j]).all():
            cv2.circle(near, tuple(int(v) for v in np.round(points[j])), max(1, round(NEAR_FRAC * size)), (1,), -1)
    loose = [k for k in big if (near.astype(bool) & (labels == k)).any()]
    if background is not None:
        loose = [k for k in loose if _gap_shows_background(labels, main, k, background)]
    return len(loose)


def edges_touched(mask: np.ndarray) -> frozenset[str]:
    """The sides of the picture the silhouette reaches."""
    bands = {"top": mask[:EDGE_BAND], "bottom": mask[-EDGE_BAND:], "left": mask[:, :EDGE_BAND],
             "right": mask[:, -EDGE_BAND:]}  # fmt: skip
    return frozenset(side for side, band in bands.items() if int(band.sum()) >= EDGE_MIN_PX)


@dataclass
class SilhouetteReading:
    """One frame's silhouette figures (None: not readable in this frame)."""

    torso_holes: float | None
    pieces: int
    edges: frozenset[str]


def read_silhouette(mask: np.ndarray, points: np.ndarray | None, visibility: np.ndarray | None,
                    background: Callable[[tuple[int, int]], np.ndarray] | None = None) -> SilhouetteReading:
    """``mask`` at any size (float or bool); ``points`` in the same pixels; ``background(shape)`` gives
    where the frame shows the image's background colours at the work size (colour_holes.ColourModel)."""
    m, s = work_mask(mask)
    pts = None if points is None else points * s
    holes = torso_hole_share(m, pts, visibility) if pts is not None and visibility is not None else None
    bg = background((m.shape[0], m.shape[1])) if background is not None else None
    return SilhouetteReading(holes, loose_pieces(m, pts, visibility, bg), edges_touched(m))
