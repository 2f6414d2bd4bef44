"""Engine settings per mode: what std and pro trade between speed and detail."""

from __future__ import annotations

from dataclasses import dataclass

from motionctl.core.types import Mode
from motionctl.engine.puppet.framing import FAST_STEPS, LOOK_AHEAD


@dataclass(frozen=True)
class EngineConfig:
    pose_side: int = 384  # driver frames are decoded at this longer side for pose estimation
    # Pose on every n-th driver frame; the tracker interpolates between (pose estimation is the
    # largest single cost on a CPU). Quick hand gestures fall between poses taken every 3rd frame;
    # every frame costs twice the pose calls for no better fidelity (benchmarks/run.py, motionctl eval).
    pose_stride: int = 2
    # The driver's poses are smoothed over a centred window of this sigma (frames, engine/filters.py):
    # no lag, unlike a causal filter. 1 halves the joints' jitter and still follows quick moves; 2
    # steadies more but lags them (benchmarks/smoothing.py).
    smooth_sigma: float = 1.0
    face_side: int = 0  # > 0: also decode at this size and track the driver's face (pro)
    image_pose_side: int = 1024
    crf: int = 23
    # x264's fastest preset with B-frames back (they are cheap and the background is still): less
    # encoding CPU than superfast for a larger file. pro keeps this preset at a lower crf, which
    # gives more PSNR than veryfast for less CPU and a larger file (benchmarks/encoder.py compares them).
    preset: str = "ultrafast"
    x264_params: str = "bframes=3"
    expressions: bool = False  # mouth, eyes and head roll from the driver's face mesh
    element_face: bool = False  # an element's face is drawn: the face mesh is read in std too
    hand_orientation: bool = False  # hands bend at the wrist as the driver's (puppet/retarget.py)
    # orientation video: how many frames the figure's sideways move looks ahead, and how many of its
    # steps a frame it may change to keep a fingertip inside the picture (puppet/framing.py)
    hand_look_ahead: int = LOOK_AHEAD
    hand_fast_steps: float = FAST_STEPS
    # Image analysis, driver analysis, rendering and encoding run in four processes on (typically)
    # two cores: thread pools inside each one then only add synchronisation cost (benchmarks/ab.py).
    encode_threads: int = 1
    render_threads: int = 1  # OpenCV's pool in the rendering process (cv2.setNumThreads)
    # Posed frames drawn at once, on threads of the rendering process: one warp call at a time holds
    # each thread, and once the driver is analysed drawing is all that is left for the caller's core
    # while the other encodes (benchmarks/run.py).
    render_workers: int = 2

    @property
    def face_mesh(self) -> bool:
        """Whether the face mesh is read on the image and the driver."""
        return self.expressions or self.element_face

    @staticmethod
    def for_mode(mode: Mode) -> EngineConfig:
        if mode == Mode.PRO:
            return EngineConfig(face_side=960, crf=18, expressions=True, hand_orientation=True)
        return EngineConfig()
