"""Posed frames in order, each with its eased sideways move (orientation video; puppet/framing.py)."""

from __future__ import annotations

from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.framing import FAST_STEPS, LOOK_AHEAD, SidewaysMove
from motionctl.engine.puppet.retarget import Posed, Retargeter

# orientation video: the figure's sideways move to keep its hands inside the picture changes by at most
# this share of the picture's short side a frame (framing.hands_inside).
SHIFT_STEP = 0.01

class PoseStream:
    """Driver frames posed in order, each released with its eased sideways move (orientation video;
    framing.SidewaysMove), which looks ahead: a frame comes out LOOK_AHEAD frames after it went in,
    the rest at ``flush``. (The step is per frame, not per second: frames between poses repeat their
    pose's time.)"""

    def __init__(self, retarget: Retargeter, look_ahead: int = LOOK_AHEAD, fast_steps: float = FAST_STEPS) -> None:
        self.retarget = retarget
        self._move: SidewaysMove[tuple[DriverFrame, Posed]] = SidewaysMove(
            SHIFT_STEP * min(retarget.character.size), look_ahead, fast_steps)

    def push(self, frame: DriverFrame) -> list[tuple[DriverFrame, Posed]]:
        posed = self.retarget.pose(frame)
        return [(f, p.moved(dx)) for (f, p), dx in self._move.push((frame, posed), posed.room)]

    def flush(self) -> list[tuple[DriverFrame, Posed]]:
        return [(f, p.moved(dx)) for (f, p), dx in self._move.flush()]
