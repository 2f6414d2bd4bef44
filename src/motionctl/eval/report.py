"""The evaluation report: plain dataclasses, their JSON form, and the engine's acceptance targets."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from motionctl.eval.fidelity import FidelityReport
from motionctl.eval.viewer import ViewerReport

# Issue 2's acceptance thresholds, computed on exactly the fidelity definitions in eval/fidelity.py.
TARGET_MOVING_WITHIN_20 = 0.85
TARGET_MOVING_MEDIAN_DEG = 10.0
TARGET_DETECTION_RATE = 0.95


@dataclass
class BackgroundReport:
    orientation: str  # the metric means most for "image", where the framing is the image's
    psnr_db: float | None
    ssim: float | None
    static_share: float  # share of the frame counted as background (outside every character area)
    frames: int
    # Where the image's character was but the output's no longer is: SSIM to the image there. High
    # (towards 1) = the original pose still shows (a ghost); a filled-in background scores low.
    vacated_ssim: float | None = None
    vacated_share: float = 0.0  # mean share of the frame that area covers


@dataclass
class StabilityReport:
    jitter_output: float | None
    jitter_driver: float | None
    jitter_ratio: float | None  # output / driver: < 1 smoother than the driver's detected pose
    flicker: float | None  # mean |frame difference| in grey levels over static background pixels


@dataclass
class AppearanceReport:
    face_ssim: float | None  # eye-aligned face crops of output frames vs the image's face
    face_ssim_driver: float | None  # the same against the driver's (another person's) face, for scale
    face_frames: int
    mouth_correlation: float | None  # pro only: output mouth opening vs driver's, Pearson
    head_roll_correlation: float | None = None  # pro only: output head roll (face mesh) vs driver's, Pearson


@dataclass
class Rescan:
    """The moving-limb figures of one re-detection of the output, its frames shifted ``shift_px``."""

    shift_px: int
    moving_within_20: float | None
    moving_median_deg: float | None


@dataclass
class Repeatability:
    """The fidelity figures over several re-detections of the same output, each with its frames shifted
    by a pixel or two: BlazePose's tracking carries each frame's reading into the next one's search
    region, so a shift no viewer would notice moves "moving limbs within 20°" by several points. The
    first scan is the report's own (no shift); the mean over all is the steadier estimate."""

    scans: list[Rescan]
    mean_within_20: float | None
    min_within_20: float | None
    max_within_20: float | None
    mean_median_deg: float | None
    max_median_deg: float | None

    @classmethod
    def of(cls, scans: list[Rescan]) -> Repeatability:
        shares = [s.moving_within_20 for s in scans if s.moving_within_20 is not None]
        medians = [s.moving_median_deg for s in scans if s.moving_median_deg is not None]
        return cls(scans,
                   sum(shares) / len(shares) if shares else None, min(shares, default=None),
                   max(shares, default=None), sum(medians) / len(medians) if medians else None,
                   max(medians, default=None))  # fmt: skip


@dataclass
class Target:
    name: str
    value: float | None
    threshold: float
    higher_is_better: bool

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.threshold if self.higher_is_better else self.value <= self.threshold


@dataclass
class EvalReport:
    image: str
    video: str
    output: str
    orientation: str
    mode: str
    output_frames: int
    output_fps: float
    output_size: tuple[int, int]
    driver_frames: int
    detection_rate: float
    fidelity: FidelityReport
    background: BackgroundReport
    stability: StabilityReport
    appearance: AppearanceReport
    targets: list[Target] = field(default_factory=list)
    repeatability: Repeatability | None = None  # only when asked for rescans (measure(rescans=N))
    viewer: ViewerReport | None = None  # limb appearance, broken frames, ghosts, framing (eval/viewer.py)

    def to_dict(self) -> dict[str, Any]:
        out = _finite(asdict(self))
        out["targets"] = [
            {"name": t.name, "value": _finite(t.value), "threshold": t.threshold,
             "higher_is_better": t.higher_is_better, "passed": t.passed}
            for t in self.targets
        ]  # fmt: skip
        return out


def targets_for(fidelity: FidelityReport, detection_rate: float) -> list[Target]:
    return [
        Target("moving limbs within 20 deg", fidelity.moving.within_20, TARGET_MOVING_WITHIN_20, True),
        Target("moving limbs median error (deg)", fidelity.moving.median_deg, TARGET_MOVING_MEDIAN_DEG, False),
        Target("person detected in output frames", detection_rate, TARGET_DETECTION_RATE, True),
    ]


def _finite(value: Any) -> Any:
    """JSON has no NaN/inf: replace them with None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
