"""Orientation image: the figure's size follows the driver's, inside the picture as the image frames it.

The image's framing is the user's: a figure whose head, hands or feet are inside its picture stays
inside it. On top of the pose (the driver's bone directions at the character's lengths, placed with
the driver's root motion) two things change each frame: the figure grows and shrinks as the driver
does against its own start (someone walking towards the camera grows; someone standing still keeps
the image's size), and it is drawn smaller and moved, as little as keeps every part of its outline
inside each edge the image's own figure does not touch (hair buns raised past the top edge, arms
spread past the sides: benchmarks/pose_sanity.py "cut"). The scale eases, at most SCALE_STEP a frame,
and looks ahead so it shrinks before a hand swings out; the move keeps to the eased scale's room.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.rig import apply_affine

T = TypeVar("T")
EDGE_MARGIN = 0.01  # parts are kept this share of the picture's short side inside a free edge
TOUCHES = 0.01  # the image's figure within this share of the short side of an edge: the image cuts it there
SCALE_STEP = 0.005  # the scale changes by at most this much a frame where it can start early enough
LOOK_AHEAD = 30  # frames (framing.LOOK_AHEAD: the pose stream holds frames this long anyway)
SIZE_EASE = 0.15  # the driver's relative size is followed with this weight a frame (noise of the pose)
MIN_SCALE = 0.6  # never drawn smaller than this share of the image's size


@dataclass(frozen=True)
class Fit:
    scale: float = 1.0
    anchor: tuple[float, float] = (0.0, 0.0)  # the scale's fixed point (canvas px)
    shift: tuple[float, float] = (0.0, 0.0)  # then this move (canvas px)


@dataclass(frozen=True)
class Extent:
    """One posed frame's drawn outline about its anchor: the least and most offsets along x and y."""

    anchor: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


class Outline:
    """The character's layers' outlines with their skin weights, weighed once: drawn per frame as the
    renderer moves them (each point by its bones' affines, weighted)."""

    def __init__(self, character: Character) -> None:
        self._parts = [(layer.outline.astype(np.float64), layer.skin.bones, layer.skin.weights(layer.outline))
                       for layer in character.layers if len(layer.outline)]
        w, h = character.size
        touch, margin = TOUCHES * min(w, h), EDGE_MARGIN * min(w, h)
        rows, cols = np.nonzero(character.matte > 0.5)
        if not len(rows):
            rows, cols = np.array([0, h - 1]), np.array([0, w - 1])
        # Edges the image's figure touches are open (it is cut there already); the others hold parts inside.
        self.box_lo = np.array([-np.inf if cols.min() <= touch else margin,
                                -np.inf if rows.min() <= touch else margin])
        self.box_hi = np.array([np.inf if cols.max() >= w - 1 - touch else w - margin,
                                np.inf if rows.max() >= h - 1 - touch else h - margin])

    def extent(self, affines: dict[str, np.ndarray], anchor: np.ndarray) -> Extent:
        pts = []
        for outline, bones, weights in self._parts:
            moved = np.zeros_like(outline)
            for k, bone in enumerate(bones):
                if bone in affines:
                    moved += weights[:, k : k + 1] * apply_affine(affines[bone], outline)
            pts.append(moved)
        drawn = np.concatenate(pts) - anchor if pts else np.zeros((1, 2))
        return Extent(anchor, drawn.min(axis=0), drawn.max(axis=0))

    def largest_scale(self, ext: Extent) -> float:
        """The largest scale about the anchor at which some move keeps the outline inside the box."""
        room, span = self.box_hi - self.box_lo, np.maximum(ext.hi - ext.lo, 1e-6)
        limits = [float(r / s) for r, s in zip(room, span, strict=True) if np.isfinite(r)]
        return min(limits, default=np.inf)

    def shift(self, ext: Extent, scale: float) -> np.ndarray:
        """The least move that keeps the outline, scaled by ``scale`` about its anchor, inside the box."""
        lo = self.box_lo - (ext.anchor + scale * ext.lo)
        hi = self.box_hi - (ext.anchor + scale * ext.hi)
        return np.where(lo > hi, (lo + hi) / 2, np.clip(0.0, lo, hi))


class ImageFit(Generic[T]):
    """Each frame's scale and move (Fit), eased and started ahead of need; items come out LOOK_AHEAD
    frames after they went in (``flush`` releases the rest)."""

    def __init__(self, outline: Outline) -> None:
        self.outline = outline
        self._window: deque[tuple[T, Extent, float]] = deque()  # item, extent, the scale it may take
        self._last: float | None = None
        self._size: float | None = None  # the driver's size against its start, eased
        self._start: float | None = None

    def push(self, item: T, ext: Extent, driver_size: float) -> list[tuple[T, Fit]]:
        self._start = self._start or driver_size
        ratio = driver_size / self._start
        self._size = ratio if self._size is None else self._size + SIZE_EASE * (ratio - self._size)
        self._window.append((item, ext, min(self._size, self.outline.largest_scale(ext))))
        return self._release(keep=LOOK_AHEAD)

    def flush(self) -> list[tuple[T, Fit]]:
        return self._release(keep=0)

    def _release(self, keep: int) -> list[tuple[T, Fit]]:
        released = []
        while len(self._window) > keep:
            limits = np.array([limit for _, _, limit in self._window])
            # The most this frame may be drawn at so that every frame ahead can be reached in time, a
            # step a frame; it grows back a step a frame. A need closer than the steps allow drops faster.
            aim = float((limits + SCALE_STEP * np.arange(len(limits))).min())
            scale = aim if self._last is None else min(aim, self._last + SCALE_STEP)
            scale = max(scale, MIN_SCALE)
            self._last = scale
            item, ext, _ = self._window.popleft()
            move = self.outline.shift(ext, scale)
            released.append((item, Fit(scale, (float(ext.anchor[0]), float(ext.anchor[1])),
                                       (float(move[0]), float(move[1])))))
        return released
