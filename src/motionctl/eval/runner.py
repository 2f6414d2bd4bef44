"""Measure a generated video against its inputs: decode, re-detect, then the pure metrics.

Steps:
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

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.errors import InvalidInput, MediaRejected, rule_violation
from motionctl.core.types import Mode, Orientation, Pose
from motionctl.engine.image_perception import shifted, shifted_pose
from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator, face_params
from motionctl.eval import image_metrics as im
from motionctl.eval.appearance import eyes_from_pose, face_crop, head_crop, pearson
from motionctl.eval.fidelity import FidelityReport, fidelity
from motionctl.eval.image_side import image_side
from motionctl.eval.report import (
    AppearanceReport,
    BackgroundReport,
    EvalReport,
    Repeatability,
    Rescan,
    StabilityReport,
    Target,
    targets_for,
)
from motionctl.eval.stability import FlickerMeter, keypoint_jitter
from motionctl.eval.tracks import PoseTrack
from motionctl.eval.viewer import ViewerScan, viewer_targets
from motionctl.media.decode import Frame, iter_frames, load_image

DRIVER_SIDE = 640  # BlazePose sees a 256 px crop; 640 px keeps its region finder as accurate as full size
# pro: the face mesh needs the driver's face at a usable size; the pose still reads the 640 px picture,
# so std and pro are scored against the same driver poses.
DRIVER_FACE_SIDE = 1280
OUTPUT_SIDE = 1280  # background metrics are computed at <= 1280 px on the long side
BACKGROUND_SAMPLES = 12
# Horizontal shifts (px, at the scanned size) of the output's frames for the extra re-detections that
# measure(rescans=N) runs: the first N are used.
RESCAN_SHIFTS = (2, -2, 1, -1, 3, -3)
# Each pose scan's tracker first goes this many frames into the clip and back, unmeasured (_settled).
SETTLE_FRAMES = 30


@dataclass
class Measurement:
    """Everything measured, kept for pictures (contact sheets) as well as the report."""

    report: EvalReport
    driver: PoseTrack
    output: PoseTrack


@dataclass
class _Pass:
    track: PoseTrack
    faces: list[np.ndarray]
    mouth: dict[float, float]  # time -> mouth opening
    roll: dict[float, float]  # time -> head roll (radians, the face mesh's eye line)
    area: np.ndarray | None = None  # union of the character's areas over the clip, dilated
    small_areas: list[np.ndarray] | None = None  # each frame's dilated area at 1/4 size (for "vacated")


def check_inputs(image: Path, video: Path, output: Path) -> None:
    for field, path in (("image", image), ("video", video), ("output", output)):
        if not path.is_file():
            raise rule_violation(InvalidInput, field, "must be an existing file", str(path))


def _frames(path: Path, field: str, max_fps: float, max_side: int | None, large_side: int | None = None
            ) -> Iterator[Frame]:
    """Decoded frames; media.decode raises MediaRejected naming ``field`` for a file that does not decode."""
    return iter_frames(path, max_fps=max_fps, max_side=max_side, field=field, large_side=large_side)


def _load_image(path: Path) -> np.ndarray:
    return load_image(path, field="image").rgb


def _settled(frames: Iterator[Frame], settle: int) -> Iterator[tuple[Frame, float, bool]]:
    """The frames, each with the time the tracker sees it at and whether it is measured: first the
    clip's first ``settle`` + 1 frames forwards and back again, unmeasured, then the whole clip.

    Why: BlazePose starting cold places its first region from its person detector, and on the elf's
    outputs that region is off for the first frames (her forearms read 30-50° from where they are
    drawn in frames 0-4; in another render her shoulders at her chin in frames 4-8) until the
    landmarks it tracks pull it right, by frame ~15. Come back to the first frame from the frames
    after it, the tracker reads it as it reads every later frame, from the last frame's landmarks,
    and still follows the person it picked at the first frame. (Starting cold at the settle's far
    end instead, on a pro elf output the tracker picked a figure in the dark trees and kept it to
    the end.) The driver's and the output's scans settle alike. The times run on, one frame apart
    where the way turns."""
    head = list(itertools.islice(frames, settle + 1))
    if len(head) < 2:  # nothing to settle on
        yield from ((frame, frame.time, True) for frame in itertools.chain(head, frames))
        return
    period = (head[-1].time - head[0].time) / (len(head) - 1)
    at = head[0].time
    way = [*head, *head[-2::-1]]  # forwards to the settle's end and back to the first frame
    for k, frame in enumerate(way):
        if k:
            at += max(abs(frame.time - way[k - 1].time), period)
        yield frame, at, False
    offset = at + period - head[0].time
    for frame in itertools.chain(head, frames):
        yield frame, frame.time + offset, True


def _scan(path: Path, field: str, *, max_fps: float, max_side: int | None, segmentation: bool, mouth: bool,
          shift_px: int = 0, face_side: int | None = None, settle: int = SETTLE_FRAMES,
          on_frame: Callable[[np.ndarray, Pose | None, np.ndarray | None], None] | None = None) -> _Pass:
    """One streamed pass: pose per frame (+ character area union), face crops, mouth opening. With
    ``shift_px`` the frames are moved that far right first (a rescan; the poses are moved back); with
    ``face_side`` the face mesh reads the head in the frame at that size (the pose, at ``max_side``).
    The tracker settles on ``settle`` frames first (_settled). The face mesh needs no frame times:
    its graph has no landmark smoothing, unlike BlazePose's. ``on_frame`` is given each measured frame
    with its pose and segmentation (the viewer measures read them in this pass)."""
    times: list[float] = []
    poses: list[Pose | None] = []
    faces: list[np.ndarray] = []
    mouths: dict[float, float] = {}
    rolls: dict[float, float] = {}
    area: np.ndarray | None = None
    small_areas: list[np.ndarray] = []
    size = (0, 0)
    mesh = FaceMeshEstimator() if mouth else None
    try:
        with PoseEstimator(tracking=True, segmentation=segmentation, largest_person=True) as estimator:
            for frame, at, measured in _settled(_frames(path, field, max_fps, max_side, face_side), settle):
                # Each frame at its own time: BlazePose's landmark smoothing is tuned by it (unstamped,
                # mediapipe takes every call for 1/30 s, and a 24 fps clip for 30 fps).
                obs = estimator.estimate(shifted(frame.rgb, shift_px), at=at)
                if not measured:
                    continue
                h, w = frame.rgb.shape[:2]
                size = (w, h)
                times.append(frame.time)
                if obs is not None and shift_px:
                    obs = dataclasses.replace(obs, pose=shifted_pose(obs.pose, -shift_px))
                poses.append(obs.pose if obs else None)
                if on_frame is not None:
                    on_frame(frame.rgb, obs.pose if obs else None, obs.mask if obs else None)
                if segmentation:
                    # Undilated here; the union is dilated once at the end (dilation distributes over union).
                    here = im.character_area(
                        (h, w),
                        obs.pose.points if obs else None,
                        obs.pose.visibility if obs else None,
                        obs.mask if obs else None,
                        dilate_frac=0.0,
                    )
                    area = here if area is None else area | here
                    small = (
                        cv2.resize(
                            here.astype(np.uint8), (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA
                        )
                        > 0
                    )
                    small_areas.append(im.dilate(small))
                eyes = eyes_from_pose(obs.pose.points, obs.pose.visibility) if obs else None
                if eyes is not None:
                    faces.append(face_crop(frame.rgb, *eyes))
                big = frame.large if frame.large is not None else frame.rgb
                head = (head_crop(big, obs.pose.points * (big.shape[1] / w), obs.pose.visibility)
                        if mesh and obs else None)
                if mesh is not None and head is not None:
                    landmarks = mesh.estimate(head)
                    if landmarks is not None:
                        params = face_params(landmarks)
                        mouths[frame.time] = params.mouth_open
                        rolls[frame.time] = params.roll
    finally:
        if mesh is not None:
            mesh.close()
    if not times:
        raise rule_violation(MediaRejected, field, "must contain at least one video frame", str(path))
    if area is not None:
        area = im.dilate(area)
    return _Pass(PoseTrack.from_poses(times, poses, size), faces, mouths, rolls, area,
                 small_areas if segmentation else None)


@dataclass
class _ImageCharacter:
    area: np.ndarray  # dilated segmentation + keypoint hull
    silhouette: np.ndarray  # segmentation > 0.5, undilated: where the character's pixels are
    face: np.ndarray | None  # eye-aligned face crop, None when no eyes are found
    found: tuple[Pose, np.ndarray | None] | None = None  # the pose and segmentation found, if any


def _image_character(rgb: np.ndarray) -> _ImageCharacter:
    with PoseEstimator(tracking=False, segmentation=True, complexity=1) as estimator:
        obs = estimator.estimate(rgb)
    h, w = rgb.shape[:2]
    if obs is None:
        return _ImageCharacter(np.zeros((h, w), bool), np.zeros((h, w), bool), None)
    area = im.character_area((h, w), obs.pose.points, obs.pose.visibility, obs.mask)
    silhouette = obs.mask > 0.5 if obs.mask is not None else np.zeros((h, w), bool)
    eyes = eyes_from_pose(obs.pose.points, obs.pose.visibility)
    return _ImageCharacter(area, silhouette, face_crop(rgb, *eyes) if eyes is not None else None,
                           (obs.pose, obs.mask))


def _resized_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


def _background(
    output: Path, image: np.ndarray, character: _ImageCharacter, out: _Pass, orientation: str, max_fps: float
) -> tuple[BackgroundReport, float | None]:
    w, h = out.track.size
    plate = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
    person_in_image = _resized_mask(character.area, (w, h))
    silhouette = _resized_mask(character.silhouette, (w, h))
    union = out.area if out.area is not None else np.zeros((h, w), bool)
    static = ~(union | person_in_image)
    flicker = FlickerMeter(static)
    step = max(1, len(out.track) // BACKGROUND_SAMPLES)
    sq_err: list[float] = []
    ssims: list[float] = []
    vacated_ssims: list[float] = []
    vacated_shares: list[float] = []
    for frame in _frames(output, "output", max_fps, OUTPUT_SIDE):
        flicker.add(im.to_gray(frame.rgb))
        if frame.index % step != 0 or frame.rgb.shape[:2] != (h, w):
            continue
        e = im.mse(frame.rgb, plate, static)
        s = im.ssim(frame.rgb, plate, static)
        if e is not None and s is not None:
            sq_err.append(e)
            ssims.append(s)
        if out.small_areas is not None and frame.index < len(out.small_areas):
            present = _resized_mask(out.small_areas[frame.index], (w, h))
            v, share = im.vacated_similarity(frame.rgb, plate, silhouette, present)
            if v is not None:
                vacated_ssims.append(v)
                vacated_shares.append(share)
    report = BackgroundReport(
        orientation=orientation,
        psnr_db=im.psnr_from_mse(float(np.mean(sq_err))) if sq_err else None,
        ssim=float(np.mean(ssims)) if ssims else None,
        static_share=float(static.mean()),
        frames=len(sq_err),
        vacated_ssim=float(np.mean(vacated_ssims)) if vacated_ssims else None,
        vacated_share=float(np.mean(vacated_shares)) if vacated_shares else 0.0,
    )
    return report, flicker.value


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


DriverScan = _Pass


def scan_driver(video: Path, mode: Mode | str, *, max_fps: float = 30.0, settle: int = SETTLE_FRAMES) -> DriverScan:
    """The driver's pose scan (and, in pro, its mouth and head roll), as measure() reads it."""
    pro = Mode(mode) == Mode.PRO
    return _scan(video, "video", max_fps=max_fps, max_side=DRIVER_SIDE, segmentation=False, mouth=pro,
                 face_side=DRIVER_FACE_SIDE if pro else None, settle=settle)


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
    driver_scan: DriverScan | None = None,
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
    image_rgb = _load_image(image)
    character = _image_character(image_rgb)
    drv = driver_scan or scan_driver(video, mode, max_fps=max_fps, settle=settle)
    viewer = ViewerScan(image_side(image_rgb, character.found, joints), orientation.value)
    out = _scan(output, "output", max_fps=max_fps, max_side=OUTPUT_SIDE, segmentation=True, mouth=pro, settle=settle,
                on_frame=viewer.add)
    background, flicker = _background(output, image_rgb, character, out, orientation.value, max_fps)

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
        background=background,
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


def _repeatability(output: Path, drv: _Pass, first: FidelityReport, rescans: int, max_fps: float, settle: int
                   ) -> Repeatability:
    scans = [Rescan(0, first.moving.within_20, first.moving.median_deg)]
    for dx in RESCAN_SHIFTS[:rescans]:
        again = _scan(output, "output", max_fps=max_fps, max_side=OUTPUT_SIDE, segmentation=False, mouth=False,
                      shift_px=dx, settle=settle)
        f = fidelity(again.track, drv.track)
        scans.append(Rescan(dx, f.moving.within_20, f.moving.median_deg))
    return Repeatability.of(scans)


def evaluate(image: Path, video: Path, output: Path, **kwargs: object) -> EvalReport:
    return measure(image, video, output, **kwargs).report  # type: ignore[arg-type]
