"""Per-frame deformation: skinning by blending each bone's rigid copy of the layer.

Each layer carries, per bone, its texture weighted by that bone's skinning weight (premultiplied
RGBA times w) and the weight itself, cropped to where the weight matters. A frame moves each copy
with its bone's affine (cv2.warpAffine, bilinear: anti-aliased) and normalises by the moved
weights: where several bones overlap (a joint) their copies blend smoothly; where only one lands,
its pixels show at full strength. Unlike inverting position-blended skinning, this never folds
or tears when a joint bends far, and it costs a handful of small warps per layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from motionctl.engine.puppet.layers import Layer, outline_points
from motionctl.engine.puppet.rig import apply_affine, smoothstep

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


Tile = tuple[tuple[int, int], np.ndarray]  # canvas position of the top-left, uint8 RGBA crop


@dataclass
class BoneCopy:
    # The colour: premultiplied RGBA times the weight (uint8), as a few crops around the content.
    # Bilinear warping is linear, so warping the pieces of a partition and summing them gives the
    # warp of the whole; a bent limb's copy fits a few bands far better than one bounding box.
    tiles: list[Tile]
    w_origin: tuple[int, int]  # canvas position of the weight crop's top-left (full-resolution pixels)
    weight: np.ndarray  # uint8, 255 = 1, at 1/WEIGHT_STEP resolution: weights are smooth, colour is not


WEIGHT_STEP = 2  # weights are warped at half resolution (a quarter of the pixels) and upsampled


TILE_COST = 4000  # pixels a warp call is worth in overhead, when deciding how many tiles to cut


def _empty_copy(origin: tuple[int, int]) -> BoneCopy:
    return BoneCopy([], origin, np.zeros((1, 1), np.uint8))


def _tiles(rgba: np.ndarray, origin: tuple[int, int]) -> list[Tile]:
    """Cut ``rgba`` into bands along its longer side, each cropped to its content; as many bands
    as pay for their extra warp call."""
    mask = rgba[..., 3] > 0
    h, w = mask.shape
    axis_len = max(h, w)
    best: tuple[float, list[tuple[int, int, int, int]]] = (float("inf"), [])
    for n in range(1, 7):
        edges = np.linspace(0, axis_len, n + 1).round().astype(int)
        boxes = []
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            band = mask[a:b] if h >= w else mask[:, a:b]
            ys, xs = np.nonzero(band)
            if len(xs) == 0:
                continue
            if h >= w:
                boxes.append((int(ys.min()) + a, int(ys.max()) + a + 1, int(xs.min()), int(xs.max()) + 1))
            else:
                boxes.append((int(ys.min()), int(ys.max()) + 1, int(xs.min()) + a, int(xs.max()) + a + 1))
        cost = sum((r1 - r0) * (c1 - c0) + TILE_COST for r0, r1, c0, c1 in boxes)
        if cost < best[0]:
            best = (cost, boxes)
    return [((origin[0] + c0, origin[1] + r0), np.ascontiguousarray(rgba[r0:r1, c0:c1]))
            for r0, r1, c0, c1 in best[1]]


@dataclass
class LayerPart:
    """A piece of a layer drawn in one pass: its per-bone copies and the outline bounding it."""

    copies: list[BoneCopy]
    outline: np.ndarray  # (K, 2) canvas points on the part's edge, for destination bounds
    outline_weights: np.ndarray  # (K, B) their skinning weights: fixed, so computed once, not per frame


# A limb is drawn as two parts, the distal one (forearm and hand, shin and foot) over the proximal
# one (upper arm, thigh), split by the proximal bone's share of the skinning weight. Blending all
# copies of a limb into one normalised sum averaged a forearm folded back over its upper arm with
# the upper arm (a hand raised to the shoulder became a translucent ghost of both); drawn over, the
# forearm stays solid. The parts overlap in a band around the joint where both draw the
# same blend, and the distal part fades out across it, so the straight limb shows no seam.
PROXIMAL_FROM = (0.2, 0.4)  # proximal share: the proximal part's colour fades in over this range
DISTAL_UNTIL = (0.5, 0.7)  # ... and the distal part's fades out over this one


def layer_parts(layer: Layer) -> list[LayerPart]:
    """The layer's parts, back to front (once per character)."""
    h, w = layer.rgba.shape[:2]
    x0, y0 = layer.origin
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32) + x0, np.arange(h, dtype=np.float32) + y0)
    weights = layer.skin.weights(np.stack([gx.ravel(), gy.ravel()], axis=-1)).reshape(h, w, -1)
    if layer.skin.kind != "chain" or weights.shape[-1] < 2:
        return [LayerPart(bone_copies(layer, weights), layer.outline, layer.skin.weights(layer.outline))]
    share = weights[..., 0]
    parts = []
    for (lo, hi), rising in ((PROXIMAL_FROM, True), (DISTAL_UNTIL, False)):
        ramp = smoothstep(lo, hi, share) if rising else 1.0 - smoothstep(lo, hi, share)
        region = share > lo if rising else share < hi
        copies = bone_copies(layer, weights * region[..., None], ramp.astype(np.float32))
        shown = (layer.rgba[..., 3] > 0) & (ramp > 0.02)
        if not shown.any():
            continue
        outline = outline_points(shown) + np.array([x0, y0])  # the crop's pixels -> the canvas's
        parts.append(LayerPart(copies, outline, layer.skin.weights(outline)))
    return parts


def bone_copies(layer: Layer, weights: np.ndarray, colour_scale: np.ndarray | None = None) -> list[BoneCopy]:
    """Split a layer into weighted per-bone copies; ``colour_scale`` fades the colour (not the weights)."""
    h, w = layer.rgba.shape[:2]
    x0, y0 = layer.origin
    rgba = layer.rgba.astype(np.float32)
    if colour_scale is not None:
        rgba *= colour_scale[..., None]
    visible = rgba[..., 3] > 0.5
    # Weights cover empty pixels too: the moved weights normalise the blend wherever colour lands. (Masked
    # to the layer's content, they lose fidelity: benchmarks/run.py.) The colour copy, though, is zero
    # outside the content, so it is cropped to it: same sum, fewer pixels.
    copies = []
    for i in range(weights.shape[-1]):
        wi = weights[..., i].astype(np.float32)
        near = wi > MIN_WEIGHT
        ys, xs = np.nonzero(near)
        cys, cxs = np.nonzero(near & visible)
        if len(xs) == 0 or len(cxs) == 0:
            copies.append(_empty_copy((x0, y0)))
            continue
        a0, a1, b0, b1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        c0, c1, d0, d1 = cys.min(), cys.max() + 1, cxs.min(), cxs.max() + 1
        wc = wi[a0:a1, b0:b1] * 255.0
        small = cv2.resize(wc, ((b1 - b0 + 1) // WEIGHT_STEP, (a1 - a0 + 1) // WEIGHT_STEP),
                           interpolation=cv2.INTER_AREA) if min(a1 - a0, b1 - b0) >= 2 * WEIGHT_STEP else wc
        # uint8 halves the memory traffic of every warp and uses OpenCV's fixed-point fast path.
        colour = _to_u8(rgba[c0:c1, d0:d1] * wi[c0:c1, d0:d1, None])
        copies.append(BoneCopy(_tiles(colour, (x0 + int(d0), y0 + int(c0))),
                               (x0 + int(b0), y0 + int(a0)), _to_u8(small)))
    return copies


def _to_u8(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))


def moved_outline(part: LayerPart, affines: list[np.ndarray]) -> np.ndarray:
    """The part's outline points where the skinning moves them (each the weighted sum of its bones'
    moves). Far tails of one bone's copy that land outside are ghosts, and the box leaves them out."""
    moved = np.stack([apply_affine(a, part.outline) for a in affines], axis=1)  # (N, B, 2)
    return (part.outline_weights[..., None] * moved).sum(axis=1)


Box = tuple[int, int, int, int]


Affine = tuple[float, float, float, float, float, float]  # (a, b, c, d, e, f): x' = ax + by + c, y' = dx + ey + f


def _coefficients(affine: np.ndarray) -> Affine:
    (a, b, c), (d, e, f) = affine.tolist()
    return a, b, c, d, e, f


def _place(tile: Tile, affine: Affine, box: Box) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """Warp one colour tile into the part of ``box`` it lands in: the cost follows the tile, not the
    layer. Returns the slice of the box and the moved RGBA.

    Called ~60 times a frame on two drawing threads, so the bookkeeping is plain float arithmetic:
    numpy on 4x2 arrays cost more time holding the GIL than the warps themselves (py-spy --gil)."""
    (ox, oy), rgba = tile
    x0, y0, x1, y1 = box
    ch, cw = rgba.shape[:2]
    a, b, c, d, e, f = affine
    corners = ((ox, oy), (ox + cw, oy), (ox, oy + ch), (ox + cw, oy + ch))
    xs = [a * x + b * y + c for x, y in corners]
    ys = [d * x + e * y + f for x, y in corners]
    bx0, by0 = max(math.floor(min(xs)) - 1, x0), max(math.floor(min(ys)) - 1, y0)
    bx1, by1 = min(math.ceil(max(xs)) + 2, x1), min(math.ceil(max(ys)) + 2, y1)
    if bx1 <= bx0 or by1 <= by0:
        return None
    # The affine between the tile's pixels and the destination crop's, instead of canvas coordinates.
    m = np.array([[a, b, a * ox + b * oy + c - bx0], [d, e, d * ox + e * oy + f - by0]])
    sub = (slice(by0 - y0, by1 - y0), slice(bx0 - x0, bx1 - x0))
    moved = cv2.warpAffine(rgba, m, (bx1 - bx0, by1 - by0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return sub, moved


def _normaliser(copies: list[BoneCopy], affines: list[Affine], box: Box) -> np.ndarray:
    """Per-pixel factor that normalises the summed colour copies over ``box`` (float32).

    The moved weights are warped and summed at 1/WEIGHT_STEP size, mapped through the table there,
    and only the (smooth) factor is upsampled."""
    x0, y0, x1, y1 = box
    s = WEIGHT_STEP
    small = ((x1 - x0 + s - 1) // s, (y1 - y0 + s - 1) // s)
    wsum = np.zeros((small[1], small[0]), np.uint16)
    half = (s - 1) / 2  # small pixel u sits at full-resolution s*u + half (pixel centres), and back
    for copy, (a, b, c, d, e, f) in zip(copies, affines, strict=True):
        if copy.weight.size <= 1:
            continue
        ux, uy = copy.w_origin[0] + half, copy.w_origin[1] + half
        m = np.array([[a, b, (a * ux + b * uy + c - x0 - half) / s], [d, e, (d * ux + e * uy + f - y0 - half) / s]])
        moved = cv2.warpAffine(copy.weight, m, small, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        cv2.add(wsum, moved, dst=wsum, dtype=cv2.CV_16U)
    # The summed weight is an integer, so the whole per-pixel formula is one table lookup; np.take
    # clipping to the last entry does it in one pass, without the clipped copy fancy indexing needs.
    scale = np.take(_NORMALISE, wsum, mode="clip")
    return cv2.resize(scale, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)


def warp_layer(
    layer: Layer, part: LayerPart, affines: list[np.ndarray], canvas: tuple[int, int]
) -> tuple[np.ndarray, tuple[int, int]] | None:
    """One part of the layer drawn in the frame: a premultiplied uint8 RGBA patch and its top-left corner."""
    cw, ch = canvas
    copies = part.copies
    fwd = moved_outline(part, affines)
    pad = 8
    x0, y0 = np.floor(fwd.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(fwd.max(axis=0)).astype(int) + pad
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, cw), min(y1, ch)
    w, h = int(x1 - x0), int(y1 - y0)
    if w <= 1 or h <= 1:
        return None
    coefficients = [_coefficients(a) for a in affines]
    if layer.skin.kind == "torso":
        # The torso's bones differ by small turns and their weights sum to one, so the moved copies
        # tile the layer: a saturating sum is already the answer, no weight bookkeeping needed.
        out = np.zeros((h, w, 4), np.uint8)
        for copy, affine in zip(copies, coefficients, strict=True):
            for tile in copy.tiles:
                placed = _place(tile, affine, (int(x0), int(y0), int(x1), int(y1)))
                if placed is not None:
                    sub, moved = placed
                    cv2.add(out[sub], moved, dst=out[sub])
        return out, (int(x0), int(y0))
    box = (int(x0), int(y0), int(x1), int(y1))
    acc = np.zeros((h, w, 4), np.uint16)
    for copy, affine in zip(copies, coefficients, strict=True):
        for tile in copy.tiles:
            placed = _place(tile, affine, box)
            if placed is not None:
                sub, moved = placed
                cv2.add(acc[sub], moved, dst=acc[sub], dtype=cv2.CV_16U)
    # Normalise by the summed weight, fading out the far tails of single bones (ghosts).
    scale = _normaliser(copies, coefficients, box)
    # Where the summed weight falls short of the colour (at the seam of a limb's two parts, where
    # the weights are cut and warped at half size), the factor is capped at opaque: the colour keeps
    # its hue instead of clipping into a glowing band across the elbow.
    opaque = cv2.divide(255.0, cv2.extractChannel(acc, 3), dtype=cv2.CV_32F)  # a strided view costs a numpy copy
    patch = cv2.multiply(acc, cv2.merge([cv2.min(scale, opaque)] * 4), dtype=cv2.CV_8U)
    return patch, (int(x0), int(y0))
