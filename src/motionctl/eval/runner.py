"""Measure a generated video against its inputs: decode, re-detect, then the pure metrics.

The pose scans are eval/scan.py's, the background pass eval/background.py's. Steps:
 1. check_inputs: the three files exist.
 2. The image: pose + segmentation (the character's area in the image) and its eye-aligned face.
 3. The driver, streamed: pose (tracking), face crops (the "another person's face" baseline), mouth and
    head roll (pro).
 4. The output, pass 1, streamed: pose + segmentation, the union of the character's areas, face crops,
    mouth and head roll (pro).
 5. The output, pass 2, streamed: background PSNR/SSIM against the image and flicker, outside the union;
    on sampled frames, the "vacated" area (the image's character silhouette minus where the character is
    now) compared with the image: a ghost of the original pose left behind scores high there.
 6. Fidelity, jitter and the acceptance targets from the pose tracks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.core.types import Mode, Orientation
from motionctl.eval import image_metrics as im
from motionctl.eval.appearance import pearson
from motionctl.eval.background import OUTPUT_SIDE, background, image_character
from motionctl.eval.fidelity import FidelityReport, fidelity
from motionctl.eval.image_side import image_side
from motionctl.eval.report import (
    AppearanceReport,
    EvalReport,
    Repeatability,
    Rescan,
    StabilityReport,
    Target,
    targets_for,
)
from motionctl.eval.scan import SETTLE_FRAMES, Scan, scan
from motionctl.eval.stability import keypoint_jitter
from motionctl.eval.tracks import PoseTrack
from motionctl.eval.viewer import ViewerScan, viewer_targets
from motionctl.media.decode import load_image

DRIVER_SIDE = 640  # BlazePose sees a 256 px crop; 640 px keeps its region finder as accurate as full size
# pro: the face mesh needs the driver's face at a usable size; the pose still reads the 640 px picture,
# so std and pro are scored against the same driver poses.
DRIVER_FACE_SIDE = 1280
# Horizontal shifts (px, at the scanned size) of the output's frames for the extra re-detections that
# measure(rescans=N) runs: the first N are used.
RESCAN_SHIFTS = (2, -2, 1, -1, 3, -3)


@dataclass
class Measurement:
    """Everything measured, kept for pictures (contact sheets) as well as the report."""

    report: EvalReport
    driver: PoseTrack
    output: PoseTrack


def check_inputs(image: Path, video: Path, output: Path) -> None:
    for field, path in (("image", image), ("video", video), ("output", output)):
        if not path.is_file():
            raise rule_violation(InvalidInput, field, "must be an existing file", str(path))


def _face_similarity(reference: np.ndarray | None, crops: list[np.ndarray]) -> float | None:
    if reference is None or not crops:
        return None
    values = [im.ssim(reference, c) for c in crops]
    return float(np.mean([v for v in values if v is not None]))


def _correlation(out: dict[float, float], drv: dict[float, float], tolerance: float) -> float | None:
    """Pearson correlation of a per-frame value of the output with the driver's at the nearest time."""
    if not out or not drv:
        return None
    drv_times = np.array(sorted(drv))
    a, b = [], []
    for t, value in out.items():
        j = int(np.argmin(np.abs(drv_times - t)))
        if abs(drv_times[j] - t) <= tolerance:
            a.append(value)
            b.append(drv[float(drv_times[j])])
    return pearson(np.array(a), np.array(b))


def scan_driver(video: Path, mode: Mode | str, *, max_fps: float = 30.0, settle: int = SETTLE_FRAMES) -> Scan:
    """The driver's pose scan (and, in pro, its mouth and head roll), as measure() reads it."""
    pro = Mode(mode) == Mode.PRO
    return scan(video, "video", max_fps=max_fps, max_side=DRIVER_SIDE, segmentation=False, mouth=pro,
                face_side=DRIVER_FACE_SIDE if pro else None, settle=settle)


DriverScan = Scan


def measure(
    image: Path,
    video: Path,
    output: Path,
    *,
    orientation: Orientation | str = Orientation.IMAGE,
    mode: Mode | str = Mode.STD,
    max_fps: float = 30.0,
    rescans: int = 0,
    settle: int = SETTLE_FRAMES,
    joints: dict[str, tuple[float, float]] | None = None,
    driver_scan: Scan | None = None,
) -> Measurement:
    """Score ``output`` (generated from ``image`` and ``video``); see the module docstring for the steps.

    ``rescans`` > 0 re-detects the output's pose that many more times, its frames shifted by a pixel
    or two (RESCAN_SHIFTS), and reports the spread of the fidelity figures (report.Repeatability).
    ``settle`` is how many frames each pose scan's tracker settles on first (0: it starts cold).
    ``joints`` are the image's joints where the user gave them (--joints); the viewer measures use them.
    ``driver_scan``: the driver already scanned (scan_driver, same mode, max_fps and settle), so that a
    benchmark scoring many outputs of one driver reads it once."""
    if not 0 <= rescans <= len(RESCAN_SHIFTS):
        raise rule_violation(InvalidInput, "rescans", f"must be between 0 and {len(RESCAN_SHIFTS)}", str(rescans))
    orientation, mode = Orientation(orientation), Mode(mode)
    check_inputs(image, video, output)
    pro = mode == Mode.PRO
    image_rgb = load_image(image, field="image").rgb
    character = image_character(image_rgb)
    drv = driver_scan or scan_driver(video, mode, max_fps=max_fps, settle=settle)
    viewer = ViewerScan(image_side(image_rgb, character.found, joints), orientation.value)
    out = scan(output, "output", max_fps=max_fps, max_side=OUTPUT_SIDE, segmentation=True, mouth=pro, settle=settle,
               on_frame=viewer.add)
    background_report, flicker = background(output, image_rgb, character, out, orientation.value, max_fps)

    jitter_out = keypoint_jitter(out.track.points, out.track.visibility)
    jitter_drv = keypoint_jitter(drv.track.points, drv.track.visibility)
    fid = fidelity(out.track, drv.track)
    period = float(np.median(np.diff(drv.track.times))) if len(drv.track) > 1 else 1.0
    nearest = 0.5 * period + 1e-6  # the driver's frame nearest an output frame's time, at most this far
    duration = float(out.track.times[-1] - out.track.times[0]) if len(out.track) > 1 else 0.0
    report = EvalReport(
        image=str(image), video=str(video), output=str(output),
        orientation=orientation.value, mode=mode.value,
        output_frames=len(out.track),
        output_fps=(len(out.track) - 1) / duration if duration > 0 else 0.0,
        output_size=out.track.size,
        driver_frames=len(drv.track),
        detection_rate=out.track.detection_rate,
        fidelity=fid,
        background=background_report,
        stability=StabilityReport(
            jitter_output=jitter_out, jitter_driver=jitter_drv,
            jitter_ratio=jitter_out / jitter_drv if jitter_out is not None and jitter_drv else None,
            flicker=flicker,
        ),
        appearance=AppearanceReport(
            face_ssim=_face_similarity(character.face, out.faces),
            face_ssim_driver=_face_similarity(character.face, drv.faces),
            face_frames=len(out.faces),
            mouth_correlation=_correlation(out.mouth, drv.mouth, nearest) if pro else None,
            head_roll_correlation=_correlation(out.roll, drv.roll, nearest) if pro else None,
        ),
        targets=targets_for(fid, out.track.detection_rate),
        viewer=viewer.report(out.track, drv.track),
        repeatability=_repeatability(output, drv, fid, rescans, max_fps, settle) if rescans else None,
    )  # fmt: skip
    report.targets += [Target(*t) for t in viewer_targets(report.viewer)] if report.viewer else []
    return Measurement(report, drv.track, out.track)


def _repeatability(output: Path, drv: Scan, first: FidelityReport, rescans: int, max_fps: float, settle: int
                   ) -> Repeatability:
    scans = [Rescan(0, first.moving.within_20, first.moving.median_deg)]
    for dx in RESCAN_SHIFTS[:rescans]:
        again = scan(output, "output", max_fps=max_fps, max_side=OUTPUT_SIDE, segmentation=False, mouth=False,
                      shift_px=dx, settle=settle)
        f = fidelity(again.track, drv.track)
        scans.append(Rescan(dx, f.moving.within_20, f.moving.median_deg))
    return Repeatability.of(scans)


def evaluate(image: Path, video: Path, output: Path, **kwargs: object) -> EvalReport:
    return measure(image, video, output, **kwargs).report  # type: ignore[arg-type]
