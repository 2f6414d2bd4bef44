"""Keeping the character's hands in the picture: the room its arms need, where a hand is drawn.

The retargeter follows the driver's bone directions with the character's bone lengths, so a
character whose arms are long for the picture reaches past its edges where the driver's hands stay
inside its own. Orientation image draws such a bust smaller about its head (``arm_fit``); orientation
video shortens the upper arm to keep a hand above the bottom edge (``upper_arm_share``) and moves the
figure sideways to keep it off the sides (``hands_inside``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.rig import ARM_CHAIN, apply_affine

# Hands are kept this far inside the canvas (share of its short side), easing in over the knee; the
# upper arm is shortened for it, never below MIN_UPPER_ARM of its length.
HAND_MARGIN, HAND_KNEE, MIN_UPPER_ARM = 0.01, 0.05, 0.8
FINGERS = 1.6  # fingertips lie this many wrist -> knuckle lengths beyond the wrist
# orientation image keeps the image's framing, but a bust whose elbows the image's bottom edge cuts
# would move its forearms along that edge, half out of the picture; such a character is drawn smaller,
# about its head, just so far that an arm hanging straight down ends inside (never below MIN_FIT).
MIN_FIT = 0.75
# The sideways move looks this many frames ahead (1 s at 30 fps): time to start early for a move of
# 30 steps (benchmarks/hand_edges.py --look-ahead).
LOOK_AHEAD = 30
# The move changes faster than its step, up to this many steps a frame, only where a fingertip would
# otherwise pass the margin: a figure stepping aside while its arms swing across can ask the move to
# turn faster than the step lets it (benchmarks/hand_edges.py --fast-steps counts the frames with a
# hand past a side).
FAST_STEPS = 2.0

T = TypeVar("T")


def arm_fit(character: Character) -> float:
    """The scale about the head at which each arm, hanging straight down (upper arm, forearm, hand
    to the knuckles), ends above the picture's bottom edge: 1 when it already does (a full-body
    character), at least MIN_FIT (e.g. a bust whose elbows the bottom edge cuts). The fidelity it
    buys is measured by ``motionctl eval`` (benchmarks/run.py, orientation image)."""
    j = character.joints
    height = character.size[1]
    room = height * (1 - HAND_MARGIN) - float(j["head"][1])
    fit = 1.0
    for side in ("left", "right"):
        if f"{side}_arm" not in character.limbs:
            continue
        pts = [j[f"{side}_{n}"] for n in ARM_CHAIN]
        length = sum(float(np.linalg.norm(b - a)) for a, b in zip(pts[:-1], pts[1:], strict=True))
        reach = float(pts[0][1] - j["head"][1]) + length
        if reach > 0 and room > 0:
            fit = min(fit, room / reach)
    return float(np.clip(fit, MIN_FIT, 1.0))


def hand_outlines(character: Character) -> dict[str, np.ndarray]:
    """Side -> the outline points of the arm layer's hand (mostly skinned to the hand bone), in the
    image's pixels: where the hand's fingertips are, which its knuckle joint does not say."""
    edges = {}
    for layer in character.layers:
        side, _, kind = layer.name.partition("_")
        if kind != "arm" or f"{side}_hand" not in layer.skin.bones:
            continue
        weight = layer.skin.weights(layer.outline)[:, layer.skin.bones.index(f"{side}_hand")]
        edges[side] = layer.outline[weight > 0.5]
    return edges


def upper_arm_share(size: tuple[int, int], shoulder: np.ndarray, vectors: list[np.ndarray]) -> float:
    """How much of the upper arm to keep so the hand stays above the picture's bottom edge: an
    upper-body character's elbows sit near it, and a forearm pointing down or across from there
    put the hand under the edge, where neither a viewer nor a detector can follow it. Shortened,
    the upper arm reads as reaching towards the camera. A soft knee keeps the factor smooth as
    the hand nears the edge. Only the bottom edge: for the sides hands_inside moves the figure, which
    keeps spread arms their length. Only with orientation video, which follows the driver's framing,
    where the hands are in the picture; orientation image keeps the image's framing, where a
    shortened arm would push its hands up (benchmarks/run.py measures both)."""
    width, height = size
    margin, knee = HAND_MARGIN * min(width, height), HAND_KNEE * min(width, height)
    down = float(vectors[0][1])  # only the bottom edge
    if down <= 1e-6:
        return 1.0
    base = float(shoulder[1] + vectors[1][1] + FINGERS * vectors[2][1])  # fingertips, upper arm aside
    limit = height - margin
    if base + down <= limit - knee:
        return 1.0
    allowed = limit - knee + knee * float(np.tanh((base + down - (limit - knee)) / knee))
    return float(np.clip((allowed - base) / down, MIN_UPPER_ARM, 1.0))


@dataclass(frozen=True)
class Room:
    """The sideways moves (px) of one posed frame: ``wanted``, the move that keeps each hand, as drawn,
    out of the soft knee by its side (0 when both are clear of it), and the moves from ``least`` to
    ``most``, which keep every fingertip inside the margin (least > most: the hands spread wider)."""

    wanted: float = 0.0
    least: float = -np.inf
    most: float = np.inf


def hands_inside(size: tuple[int, int], hand_edges: dict[str, np.ndarray], affines: dict[str, np.ndarray]) -> Room:
    """The sideways moves of the figure (Room) that keep each hand, as drawn, inside the picture's
    sides: the driver's hands are inside its picture, while a character whose arms are long for the
    picture's width would reach past its edges. The figure moves rather than its arm being shortened, so
    every bone keeps the driver's direction; a soft knee as the hand nears the edge keeps the move
    smooth."""
    width, height = size
    margin, knee = HAND_MARGIN * min(width, height), HAND_KNEE * min(width, height)
    xs = [apply_affine(affines[f"{side}_hand"], edge)[:, 0] for side, edge in hand_edges.items()
          if f"{side}_hand" in affines and len(edge)]
    if not xs:
        return Room()
    tips = np.concatenate(xs)
    left, right = float(tips.min()), float(tips.max())

    def inward(over: float) -> float:  # how far a tip ``over`` px into the knee zone comes back
        return over - knee * float(np.tanh(over / knee)) if over > 0 else 0.0

    wanted = inward(margin + knee - left) - inward(right - (width - margin - knee))
    return Room(wanted, margin - left, width - margin - right)


class SidewaysMove(Generic[T]):
    """The figure's sideways move, eased and started ahead of need: each frame's move changes by at
    most ``step`` from the last frame's, and reaches what a frame ahead wants by the time it is
    drawn. Followed at once, a hand swung out fast would jerk the whole figure sideways from one frame
    to the next; eased without looking ahead, the move lags the swing and the fingers meet the edge
    (benchmarks/hand_edges.py). Items are held until LOOK_AHEAD frames after them are known (``push``);
    ``flush`` releases the rest at the end.

    The move aimed at is the least one that keeps to the step and meets every frame's wish ahead (a
    cone of slope ``step`` under each wish), rightwards and leftwards apart (a wish both ways at once
    leaves their sum). Where that move would put a fingertip past the margin, now or in a frame
    ahead it could not then reach in time, it moves just enough, by up to FAST_STEPS steps a frame;
    where the hands spread wider than the picture, both sides are cut alike."""

    def __init__(self, step: float, ahead: int = LOOK_AHEAD, fast_steps: float = FAST_STEPS) -> None:
        self.step, self.ahead, self.fast_steps = step, ahead, fast_steps
        self._window: deque[tuple[T, Room]] = deque()
        self._last: float | None = None

    def push(self, item: T, room: Room) -> list[tuple[T, float]]:
        self._window.append((item, room))
        return self._release(keep=self.ahead)

    def flush(self) -> list[tuple[T, float]]:
        return self._release(keep=0)

    def _release(self, keep: int) -> list[tuple[T, float]]:
        released = []
        while len(self._window) > keep:
            rooms = [room for _, room in self._window]
            wishes = np.array([room.wanted for room in rooms])
            least, most = np.array([r.least for r in rooms]), np.array([r.most for r in rooms])
            reach = self.step * np.arange(len(rooms))  # how far the move can still come by each frame
            aim = max(0.0, float((wishes - reach).max())) + min(0.0, float((wishes + reach).min()))
            last = aim if self._last is None else self._last
            move = last + float(np.clip(aim - last, -self.step, self.step))
            fast = self.fast_steps * self.step
            move = float(np.clip(move, *_room_ahead(least, most, fast)))
            if self._last is not None:
                move = float(np.clip(move, self._last - fast, self._last + fast))
            self._last = move
            item, _ = self._window.popleft()
            released.append((item, move))
        return released


def _room_ahead(least: np.ndarray, most: np.ndarray, step: float) -> tuple[float, float]:
    """The moves now from which each frame ahead's room can be reached, a move changing by at most
    ``step`` a frame, over as many frames ahead as leave any (the nearest first); where even this
    frame's hands spread wider than the picture, the move that cuts both sides alike."""
    reach = step * np.arange(len(least))
    lo, hi = np.maximum.accumulate(least - reach), np.minimum.accumulate(most + reach)
    if lo[0] > hi[0]:
        middle = 0.5 * float(lo[0] + hi[0])
        return middle, middle
    far = int(np.argmax(lo > hi)) - 1 if bool((lo > hi).any()) else len(lo) - 1
    return float(lo[far]), float(hi[far])
