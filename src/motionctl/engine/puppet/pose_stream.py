"""The render thread's poses in order: each driver frame checked (engine/pose_guard.py), retargeted,
then framed with what the frames ahead need (the sideways move of orientation video, puppet/framing.py;
the scale and move of orientation image, puppet/image_fit.py)."""

from __future__ import annotations

from motionctl.core.types import Orientation
from motionctl.engine.motion import DriverFrame
from motionctl.engine.pose_guard import PoseGuard
from motionctl.engine.puppet.character import body_scale
from motionctl.engine.puppet.framing import FAST_STEPS, LOOK_AHEAD, SidewaysMove
from motionctl.engine.puppet.image_fit import ImageFit, Outline
from motionctl.engine.puppet.retarget import Posed, Retargeter
from motionctl.engine.puppet.rig import rig_joints

# orientation video: the figure's sideways move to keep its hands inside the picture changes by at most
# this share of the picture's short side a frame (framing.hands_inside).
SHIFT_STEP = 0.01


class PoseStream:
    """Driver frames posed in order, each released with its eased sideways move (orientation video;
    framing.SidewaysMove) or its eased scale and move (orientation image; image_fit.ImageFit), which
    look ahead: a frame comes out LOOK_AHEAD frames after it went in, the rest at ``flush``. (The steps
    are per frame, not per second: frames between poses repeat their pose's time.)"""

    def __init__(self, retarget: Retargeter, look_ahead: int = LOOK_AHEAD, fast_steps: float = FAST_STEPS) -> None:
        self.retarget = retarget
        self.guard = PoseGuard()  # broken driver frames are held, not drawn
        self._move: SidewaysMove[tuple[DriverFrame, Posed]] = SidewaysMove(
            SHIFT_STEP * min(retarget.character.size), look_ahead, fast_steps)
        self._outline = Outline(retarget.character) if retarget.orientation == Orientation.IMAGE else None
        self._fit: ImageFit[tuple[DriverFrame, Posed]] | None = None
        if self._outline is not None:
            self._fit = ImageFit(self._outline)

    def push(self, frame: DriverFrame) -> list[tuple[DriverFrame, Posed]]:
        frame = self.guard.check(frame)
        posed = self.retarget.pose(frame)
        if self._fit is not None and self._outline is not None:
            ext = self._outline.extent(posed.affines, posed.joints[self.retarget.root_name()])
            size = body_scale(rig_joints(frame.points))
            return [(f, p.fitted(fit)) for (f, p), fit in self._fit.push((frame, posed), ext, size)]
        return [(f, p.moved(dx)) for (f, p), dx in self._move.push((frame, posed), posed.room)]

    def flush(self) -> list[tuple[DriverFrame, Posed]]:
        if self._fit is not None:
            return [(f, p.fitted(fit)) for (f, p), fit in self._fit.flush()]
        return [(f, p.moved(dx)) for (f, p), dx in self._move.flush()]
