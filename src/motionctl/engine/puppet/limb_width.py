"""How thick a limb is, read off the character's silhouette along its bone.

The matte's distance transform at a bone is the limb's half-width when the limb stands free. An arm
that lies on the body is not free: the nearest background is the body's far edge, and a capsule that
wide takes the dress or the jacket with the arm, which then flies off with it. The side of an arm
away from the spine is its own outline wherever the arm hangs at the body's side, so the distance to
the background that way bounds the half-width too; the thinner of the two readings stands. An arm
lying across the body shows neither side: its capsule is a typical arm's width, not the body's.
benchmarks/character_survey.py (``arms``: the share of the silhouette the arm layers take) and
benchmarks/matrix.py measure the choice.
"""

from __future__ import annotations

import numpy as np

from motionctl.engine.puppet.rig import axial_param

SAMPLES = np.linspace(0.3, 0.7, 7)  # where along the bone the width is read (shares of its length)
SLACK = 1.35  # a capsule this much wider than the half-width read holds the limb's soft edge too
# Where neither side of an arm can be read (it lies across the body), its capsule is no wider than a
# typical arm's (the fallback, a share of the body's size) by this much, as a leg's always is.
UNREAD_MOST = 1.3


def limb_radius(dist: np.ndarray, a: np.ndarray, b: np.ndarray, fallback: float, most: float = 2.5) -> float:
    """Half the limb's thickness, read off the matte's distance transform along the bone."""
    h, w = dist.shape
    samples = []
    for t in SAMPLES:
        x, y = (a + t * (b - a)).astype(int)
        if 0 <= x < w and 0 <= y < h and dist[y, x] > 0:
            samples.append(dist[y, x])
    if not samples:
        return fallback
    return float(np.clip(SLACK * np.median(samples), 0.5 * fallback, most * fallback))


def outer_half_width(fg: np.ndarray, a: np.ndarray, b: np.ndarray, spine: tuple[np.ndarray, np.ndarray],
                     reach: float) -> float | None:
    """The median distance, across the bone a -> b on the side away from the spine, to the first
    background pixel, or None where the silhouette goes on past ``reach`` pixels that way at most
    sample points (the arm lies across the body, or hair hangs beside it)."""
    h, w = fg.shape
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    along = b - a
    length = float(np.linalg.norm(along))
    if length < 2.0:
        return None
    normal = np.array([-along[1], along[0]]) / length
    spine_a, spine_b = (np.asarray(v, np.float64) for v in spine)
    steps = np.arange(1.0, max(reach, 2.0))
    found = []
    for t in SAMPLES:
        p = a + t * along
        along_spine = float(np.clip(axial_param(p[None], spine_a, spine_b)[0], 0.0, 1.0))
        away = p - (spine_a + along_spine * (spine_b - spine_a))
        side = normal if float(normal @ away) >= 0 else -normal
        xs = np.round(p[0] + side[0] * steps).astype(int)
        ys = np.round(p[1] + side[1] * steps).astype(int)
        inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        if not inside.all():  # the picture's edge comes first: the limb may go on beyond it
            continue
        out = np.nonzero(~fg[ys, xs])[0]
        if len(out):
            found.append(float(steps[out[0]]))
    if len(found) * 2 < len(SAMPLES):
        return None
    return float(np.median(found))


def arm_radius(dist: np.ndarray, fg: np.ndarray, a: np.ndarray, b: np.ndarray,
               spine: tuple[np.ndarray, np.ndarray], fallback: float, most: float = 2.5) -> float:
    """An arm bone's capsule radius: the distance transform's reading (limb_radius), no wider than
    the outline on the arm's outer side says where that side can be read (outer_half_width)."""
    r = limb_radius(dist, a, b, fallback, most)
    outer = outer_half_width(fg, a, b, spine, reach=most * fallback)
    if outer is None:
        return min(r, UNREAD_MOST * fallback)
    return float(min(r, max(SLACK * outer, 0.5 * fallback)))

