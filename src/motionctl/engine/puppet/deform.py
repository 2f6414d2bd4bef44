"""Per-frame deformation: skinning by blending each bone's rigid copy of the layer.

Each layer carries, per bone, its texture weighted by that bone's skinning weight (premultiplied
RGBA times w) and the weight itself, cropped to where the weight matters. A frame moves each copy
with its bone's affine (cv2.warpAffine, bilinear: anti-aliased) and normalises by the moved
weights: where several bones overlap (a joint) their copies blend smoothly; where only one lands,
its pixels show at full strength. Unlike inverting position-blended skinning, this never folds
or tears when a joint bends far, and it costs a handful of small warps per layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from motionctl.engine.puppet.layers import Layer
from motionctl.engine.puppet.rig import apply_affine

GRID = 16  # pixels between the mesh lines drawn in the rig picture
MIN_WEIGHT = 0.02
# Below this summed weight a pixel is a bone's far tail (a ghost), not part of the joint blend.
SHOW_FROM, SHOW_FULL = 0.06, 0.3


def _normalise_table(size: int = 1024) -> np.ndarray:
    """scale(W) for a summed weight W (in 1/255 units): smoothstep fade-in divided by W."""
    wf = np.arange(size, dtype=np.float64) / 255.0
    t = np.clip((wf - SHOW_FROM) / (SHOW_FULL - SHOW_FROM), 0.0, 1.0)
    return ((t * t * (3 - 2 * t)) / np.maximum(wf, 1e-3)).astype(np.float32)


_NORMALISE = _normalise_table()


@dataclass
class BoneCopy:
    origin: tuple[int, int]  # canvas position of the crop's top-left
    rgba: np.ndarray  # uint8 (h, w, 4): premultiplied colour and alpha, times the weight
    weight: np.ndarray  # uint8 (h, w), 255 = 1


def bone_copies(layer: Layer) -> list[BoneCopy]:
    """Split a layer into weighted per-bone copies (once per character)."""
    h, w = layer.rgba.shape[:2]
    x0, y0 = layer.origin
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32) + x0, np.arange(h, dtype=np.float32) + y0)
    weights = layer.skin.weights(np.stack([gx.ravel(), gy.ravel()], axis=-1)).reshape(h, w, -1)
    rgba = layer.rgba.astype(np.float32)
    # Weights cover empty pixels too. Masking them to the layer's content made tighter (faster) copies
    # but measurably worse motion fidelity: dance std, moving limbs within 20°, 53% masked vs 64%.
    copies = []
    for i in range(weights.shape[-1]):
        wi = weights[..., i].astype(np.float32)
        ys, xs = np.nonzero(wi > MIN_WEIGHT)
        if len(xs) == 0:
            copies.append(BoneCopy((x0, y0), np.zeros((1, 1, 4), np.uint8), np.zeros((1, 1), np.uint8)))
            continue
        a0, a1, b0, b1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        wc = wi[a0:a1, b0:b1]
        # uint8 halves the memory traffic of every warp and uses OpenCV's fixed-point fast path.
        copies.append(BoneCopy((x0 + int(b0), y0 + int(a0)),
                               _to_u8(rgba[a0:a1, b0:b1] * wc[..., None]), _to_u8(wc * 255.0)))
    return copies


def _to_u8(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))


def forward_points(layer: Layer, affines: list[np.ndarray], pts: np.ndarray) -> np.ndarray:
    w = layer.skin.weights(pts)
    moved = np.stack([apply_affine(a, pts) for a in affines], axis=1)  # (N, B, 2)
    return (w[..., None] * moved).sum(axis=1)


def _shifted(affine: np.ndarray, src_origin: tuple[int, int], dst_origin: tuple[int, int]) -> np.ndarray:
    """The affine between crop pixel coordinates instead of canvas coordinates."""
    m = affine.astype(np.float64).copy()
    m[:, 2] = m[:, :2] @ np.array(src_origin, np.float64) + m[:, 2] - np.array(dst_origin, np.float64)
    return m


Box = tuple[int, int, int, int]


def _place(copy: BoneCopy, affine: np.ndarray, box: Box, with_weight: bool = False
           ) -> tuple[tuple[slice, slice], np.ndarray, np.ndarray | None] | None:
    """Warp one bone copy into the part of ``box`` it lands in: the cost follows the copy, not the
    layer. Returns the slice of the box, the moved RGBA and (optionally) the moved weight."""
    if copy.weight.size <= 1:
        return None
    x0, y0, x1, y1 = box
    ch, cw = copy.weight.shape
    corners = np.array([[0, 0], [cw, 0], [0, ch], [cw, ch]], np.float64) + copy.origin
    moved_c = corners @ affine[:, :2].T + affine[:, 2]
    bx0, by0 = np.maximum(np.floor(moved_c.min(axis=0)).astype(int) - 1, (x0, y0))
    bx1, by1 = np.minimum(np.ceil(moved_c.max(axis=0)).astype(int) + 2, (x1, y1))
    if bx1 <= bx0 or by1 <= by0:
        return None
    m = _shifted(affine, copy.origin, (int(bx0), int(by0)))
    size = (int(bx1 - bx0), int(by1 - by0))
    sub = (slice(int(by0 - y0), int(by1 - y0)), slice(int(bx0 - x0), int(bx1 - x0)))
    moved = cv2.warpAffine(copy.rgba, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    moved_w = None
    if with_weight:
        moved_w = cv2.warpAffine(copy.weight, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return sub, moved, moved_w


def warp_layer(
    layer: Layer, copies: list[BoneCopy], affines: list[np.ndarray], canvas: tuple[int, int]
) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The layer drawn in the frame: a premultiplied uint8 RGBA patch and its top-left corner."""
    cw, ch = canvas
    fwd = forward_points(layer, affines, layer.outline)
    pad = 8
    x0, y0 = np.floor(fwd.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(fwd.max(axis=0)).astype(int) + pad
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, cw), min(y1, ch)
    w, h = int(x1 - x0), int(y1 - y0)
    if w <= 1 or h <= 1:
        return None
    if layer.skin.kind == "torso":
        # The torso's bones differ by small turns and their weights sum to one, so the moved copies
        # tile the layer: a saturating sum is already the answer, no weight bookkeeping needed.
        out = np.zeros((h, w, 4), np.uint8)
        for copy, affine in zip(copies, affines, strict=True):
            placed = _place(copy, affine, (int(x0), int(y0), int(x1), int(y1)))
            if placed is not None:
                sub, moved, _ = placed
                cv2.add(out[sub], moved, dst=out[sub])
        return out, (int(x0), int(y0))
    acc = np.zeros((h, w, 4), np.uint16)
    wsum = np.zeros((h, w), np.uint16)
    for copy, affine in zip(copies, affines, strict=True):
        placed = _place(copy, affine, (int(x0), int(y0), int(x1), int(y1)), with_weight=True)
        if placed is not None:
            sub, moved, moved_w = placed
            acc[sub] += moved
            if moved_w is not None:
                wsum[sub] += moved_w
    # Normalise by the summed weight, fading out the far tails of single bones (ghosts); the summed
    # weight is an integer, so the whole per-pixel formula is one table lookup.
    scale = _NORMALISE[np.minimum(wsum, len(_NORMALISE) - 1)]
    patch = cv2.multiply(acc, cv2.merge([scale] * 4), dtype=cv2.CV_8U)
    return patch, (int(x0), int(y0))
