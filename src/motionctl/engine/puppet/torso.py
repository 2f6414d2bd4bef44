"""How far the character's torso turns: the driver's spine, with its shoulder and hip lines where they
are seen across the body.

The character is a flat cut-out facing the viewer; the driver turns in depth. Its spine (hips ->
shoulders) says how the torso leans in the picture whichever way the driver faces. Its shoulder line
adds the tilt across the body, but only as a line: seen from behind the driver's left shoulder lies
on the picture's left, so the line's direction turns half a turn while the body does not (taken as a
turn, it drew a man walking in seen from behind, and the fashion model's back view, upside down with
the legs still upright: benchmarks/pose_sanity.py's "flipped" frames). Seen from the side the
line shrinks towards a point and its direction is noise, so it counts less as it shortens against
the spine, and the spine alone decides in profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motionctl.engine.puppet.plane import angle_of, wrapped
from motionctl.engine.puppet.rig import Joints, smoothstep

# The line's length against the spine's, as a share of the character's own proportion: below the
# first the driver is side-on and the spine decides alone; above the second the line decides its tilt.
LINE_SEEN = (0.25, 0.5)


def half_wrapped(angle: float) -> float:
    """``angle`` modulo half a turn, in [-pi/2, pi/2): the turn of a line, which has no direction."""
    return float((angle + np.pi / 2) % np.pi - np.pi / 2)


def spine_turn(cj: Joints, dj: Joints) -> float:
    """The driver's spine against the character's (radians, clockwise on screen)."""
    return wrapped(angle_of(dj["mid_shoulder"] - dj["mid_hip"]) - angle_of(cj["mid_shoulder"] - cj["mid_hip"]))


def line_turn(cj: Joints, dj: Joints, left: str, right: str, spine_seen: bool = True) -> float:
    """The turn of the torso part that carries the ``left`` - ``right`` line (shoulders or hips): the
    spine's turn plus the line's own tilt off it, taken modulo half a turn (a back view reverses the
    line, not the body), weighted by how square-on the line is seen. With ``spine_seen`` False (the
    driver's hips are guesses outside its picture) the line decides alone, as the turn nearest the
    spine's."""
    spine = spine_turn(cj, dj)
    line_c, line_d = cj[left] - cj[right], dj[left] - dj[right]
    off = half_wrapped(angle_of(line_d) - angle_of(line_c) - spine)
    if not spine_seen:
        return spine + off
    spine_c = float(np.linalg.norm(cj["mid_shoulder"] - cj["mid_hip"]))
    spine_d = float(np.linalg.norm(dj["mid_shoulder"] - dj["mid_hip"]))
    own = float(np.linalg.norm(line_c)) / max(spine_c, 1e-6)
    seen = float(np.linalg.norm(line_d)) / max(spine_d, 1e-6) / max(own, 1e-6)
    weight = float(smoothstep(LINE_SEEN[0], LINE_SEEN[1], np.array(seen)))
    return spine + weight * off


@dataclass(frozen=True)
class TorsoTurns:
    """How far the driver turns the character's spine, shoulder line, hip line and neck (radians)."""

    spine: float = 0.0
    shoulders: float = 0.0
    hips: float = 0.0
    neck: float = 0.0

    def __sub__(self, other: TorsoTurns) -> TorsoTurns:
        return TorsoTurns(wrapped(self.spine - other.spine), wrapped(self.shoulders - other.shoulders),
                          wrapped(self.hips - other.hips), wrapped(self.neck - other.neck))


def torso_turns(cj: Joints, dj: Joints, spine_seen: bool) -> TorsoTurns:
    """The turns that bring the character's torso and neck (``cj``) to the driver's (``dj``)."""
    neck = wrapped(angle_of(dj["head"] - dj["mid_shoulder"]) - angle_of(cj["head"] - cj["mid_shoulder"]))
    return TorsoTurns(spine_turn(cj, dj), line_turn(cj, dj, "left_shoulder", "right_shoulder", spine_seen),
                      line_turn(cj, dj, "left_hip", "right_hip", spine_seen), neck)
