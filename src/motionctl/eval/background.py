"""The background metrics: the output's frames outside the character against the image's background,
and the image's own character (its area, silhouette and face) they are measured against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.types import Pose
from motionctl.engine.perception import PoseEstimator
from motionctl.eval import image_metrics as im
from motionctl.eval.appearance import eyes_from_pose, face_crop
from motionctl.eval.report import BackgroundReport
from motionctl.eval.scan import Scan, clip_frames
from motionctl.eval.stability import FlickerMeter

OUTPUT_SIDE = 1280  # background metrics are computed at <= 1280 px on the long side
BACKGROUND_SAMPLES = 12


@dataclass
class ImageCharacter:
    area: np.ndarray  # dilated segmentation + keypoint hull
    silhouette: np.ndarray  # segmentation > 0.5, undilated: where the character's pixels are
    face: np.ndarray | None  # eye-aligned face crop, None when no eyes are found
    found: tuple[Pose, np.ndarray | None] | None = None  # the pose and segmentation found, if any


def image_character(rgb: np.ndarray) -> ImageCharacter:
    with PoseEstimator(tracking=False, segmentation=True, complexity=1) as estimator:
        obs = estimator.estimate(rgb)
    h, w = rgb.shape[:2]
    if obs is None:
        return ImageCharacter(np.zeros((h, w), bool), np.zeros((h, w), bool), None)
    area = im.character_area((h, w), obs.pose.points, obs.pose.visibility, obs.mask)
    silhouette = obs.mask > 0.5 if obs.mask is not None else np.zeros((h, w), bool)
    eyes = eyes_from_pose(obs.pose.points, obs.pose.visibility)
    return ImageCharacter(area, silhouette, face_crop(rgb, *eyes) if eyes is not None else None,
                          (obs.pose, obs.mask))


def _resized_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


def background(
    output: Path, image: np.ndarray, character: ImageCharacter, out: Scan, orientation: str, max_fps: float
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
    for frame in clip_frames(output, "output", max_fps, OUTPUT_SIDE):
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
