"""Engine settings per mode: what std and pro trade between speed and detail."""

from __future__ import annotations

from dataclasses import dataclass

from motionctl.core.types import Mode


@dataclass(frozen=True)
class EngineConfig:
    pose_side: int = 384  # driver frames are decoded at this longer side for pose estimation
    # Pose on every n-th driver frame; the tracker interpolates between (pose estimation is the
    # largest single cost on a CPU). Every 3rd frame is plenty for the dance (87% of moving limbs
    # within 20°, against 82% at every 2nd: noise), but the presenter's quick hand gestures fall
    # between poses 8 Hz apart (67% at every 3rd, 78% every 2nd, 72% every frame); every 2nd costs
    # the dance ~0.5 s of its 8-9 s. pro too: posing every frame there gave the same figures (means
    # of 15 readings of 3 renders: elf image 81.4% vs 81.3% at every 2nd, elf video 82.9% vs 82.5%,
    # dance 94.3% vs 94.8% of 5) for twice the pose and face-mesh calls.
    pose_stride: int = 2
    # The driver's poses are smoothed over a centred window of this sigma (frames, engine/filters.py):
    # no lag, unlike a causal filter. On the presenter clip (benchmarks/smoothing.py, pose on every
    # frame) 1 halves the joints' jitter (1.38 -> 0.68 px) and keeps every moving limb frame within 20°
    # of the unsmoothed track (median 0.4°); 2 steadies more (0.40 px) but lags: 97% within 20°.
    smooth_sigma: float = 1.0
    face_side: int = 0  # > 0: also decode at this size and track the driver's face (pro)
    image_pose_side: int = 1024
    crf: int = 23
    # std: x264's fastest preset with B-frames back (they are cheap and the background is still):
    # on the 720p dance output 2.3 CPU-s against superfast's 4.0, a 1.6x larger file (3.3 MB for
    # 12 s, 2.2 Mbit/s) and 1.5 dB less PSNR (benchmarks/encoder.py).
    preset: str = "ultrafast"
    x264_params: str = "bframes=3"
    expressions: bool = False  # mouth, eyes and head roll from the driver's face mesh
    element_face: bool = False  # an element's face is drawn: the face mesh is read in std too
    hand_orientation: bool = False  # hands bend at the wrist as the driver's (puppet/retarget.py)
    # Decode+pose, rendering and encoding run in three processes on (typically) two cores: thread
    # pools inside each one then only add synchronisation cost (measured: x264 with 2 threads used
    # 25% more CPU than with 1 on the 720p dance output).
    encode_threads: int = 1
    render_threads: int = 1  # OpenCV's pool in the rendering process (cv2.setNumThreads)
    # Posed frames drawn at once, on threads of the rendering process: one warp call at a time holds
    # each thread, and with the driver analysed (the first third of a run) drawing is all that is
    # left for the caller's core while the other encodes. 2 drew the dance 1.4x faster than 1.
    render_workers: int = 2

    @property
    def face_mesh(self) -> bool:
        """Whether the face mesh is read on the image and the driver."""
        return self.expressions or self.element_face

    @staticmethod
    def for_mode(mode: Mode) -> EngineConfig:
        if mode == Mode.PRO:
            return EngineConfig(face_side=960, crf=20, preset="veryfast",
                                expressions=True, hand_orientation=True)
        return EngineConfig()
