"""Engine settings per mode: what std and pro trade between speed and detail."""

from __future__ import annotations

from dataclasses import dataclass

from motionctl.core.types import Mode


@dataclass(frozen=True)
class EngineConfig:
    pose_side: int = 384  # driver frames are decoded at this longer side for pose estimation
    # Pose on every n-th driver frame; the tracker interpolates between (body motion is smooth at
    # 8-10 Hz, and pose estimation is the largest single cost on a CPU). Measured on the dance (std):
    # every 3rd frame scored 82% of moving limbs within 20°, every 2nd 81%, and saved ~1.5 CPU-s of 20.
    pose_stride: int = 3
    face_side: int = 0  # > 0: also decode at this size and track the driver's face (pro)
    image_pose_side: int = 1024
    crf: int = 23
    preset: str = "superfast"
    fill_quality: str = "std"
    expressions: bool = False  # mouth, eyes and head roll from the driver's face mesh
    hand_orientation: bool = False
    # Decode+pose, rendering and encoding run in three processes on (typically) two cores: thread
    # pools inside each one then only add synchronisation cost (measured: x264 with 2 threads used
    # 25% more CPU than with 1 on the 720p dance output).
    encode_threads: int = 1
    render_threads: int = 1  # OpenCV's pool in the rendering process (cv2.setNumThreads)

    @staticmethod
    def for_mode(mode: Mode) -> EngineConfig:
        if mode == Mode.PRO:
            return EngineConfig(pose_stride=1, face_side=960, crf=20, preset="veryfast", fill_quality="pro",
                                expressions=True, hand_orientation=True)
        return EngineConfig()
