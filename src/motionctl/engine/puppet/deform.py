"""Per-frame deformation: linear blend skinning on a grid mesh, inverted for backward warping.

For each destination grid vertex q we look for the source point p with sum_i w_i(p) A_i(p) = q.
Each bone proposes c_i = A_i^-1(q); a few fixed-point steps p <- sum_i w_i(p) c_i settle the blend
(exact where one bone dominates, smooth across joints). The grid map is then upsampled to a
dense map and the layer is resampled once with bilinear filtering (anti-aliased edges).
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.engine.puppet.layers import Layer
from motionctl.engine.puppet.rig import apply_affine, invert_affine

GRID = 6  # pixels between mesh vertices


def forward_points(layer: Layer, affines: list[np.ndarray], pts: np.ndarray) -> np.ndarray:
    w = layer.skin.weights(pts)
    moved = np.stack([apply_affine(a, pts) for a in affines], axis=1)  # (N, B, 2)
    return (w[..., None] * moved).sum(axis=1)


def inverse_map(layer: Layer, affines: list[np.ndarray], q: np.ndarray, iterations: int = 2) -> np.ndarray:
    cands = np.stack([apply_affine(invert_affine(a), q) for a in affines], axis=1)  # (N, B, 2)
    n, b, _ = cands.shape
    # Start from each bone's own opinion of how much it owns its candidate.
    own = np.stack([layer.skin.weights(cands[:, i])[:, i] for i in range(b)], axis=1) + 1e-6
    p = (own[..., None] * cands).sum(axis=1) / own.sum(axis=1, keepdims=True)
    for _ in range(iterations):
        w = layer.skin.weights(p)
        p = (w[..., None] * cands).sum(axis=1)
    return p


def warp_layer(
    layer: Layer, affines: list[np.ndarray], canvas: tuple[int, int]
) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The layer drawn in the frame: a premultiplied RGBA patch and its top-left corner."""
    cw, ch = canvas
    fwd = forward_points(layer, affines, layer.outline)
    pad = GRID * 2
    x0, y0 = np.floor(fwd.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(fwd.max(axis=0)).astype(int) + pad
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, cw), min(y1, ch)
    w, h = x1 - x0, y1 - y0
    if w <= 1 or h <= 1:
        return None
    gw, gh = max(2, -(-w // GRID)), max(2, -(-h // GRID))
    # Grid positions chosen so cv2.resize(INTER_LINEAR) lands each vertex exactly on its pixel.
    xs = x0 + (np.arange(gw) + 0.5) * w / gw - 0.5
    ys = y0 + (np.arange(gh) + 0.5) * h / gh - 0.5
    gx, gy = np.meshgrid(xs, ys)
    q = np.stack([gx.ravel(), gy.ravel()], axis=-1).astype(np.float32)
    src = inverse_map(layer, affines, q) - np.array(layer.origin, np.float32)
    grid_map = src.reshape(gh, gw, 2).astype(np.float32)
    dense = cv2.resize(grid_map, (w, h), interpolation=cv2.INTER_LINEAR)
    patch = cv2.remap(layer.rgba, dense[..., 0], dense[..., 1], cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    return patch, (int(x0), int(y0))
