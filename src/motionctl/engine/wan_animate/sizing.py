"""Sizes and timing as Wan-Animate's preprocessing sets them.

- The generation size: 1280x720 by area at the character image's aspect, sides rounded down to
  multiples of 16 (Wan's ``resize_by_area(..., divisor=16)``); the image is fitted into it with black
  bars (``padding_resize``), a few pixels wide at most.
- The driver resampled to 30 fps: output frame k shows the driver frame nearest k / 30 s
  (``get_frame_indices``), so a 24 fps driver repeats every fourth frame and a 60 fps one drops every
  other.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

WAN_FPS = 30.0
WAN_AREA = 1280 * 720
DIVISOR = 16


def generation_size(width: int, height: int, area: int = WAN_AREA, divisor: int = DIVISOR) -> tuple[int, int]:
    """(w, h) of ``area`` at the image's aspect, each side rounded down to a multiple of ``divisor``.

    This is the size Wan's ``resize_by_area`` ends with: its search for the best multiple-of-16 size
    calls its own ``check_valid`` with one argument too many, and the ``except`` that follows computes
    this instead (Wan2.2 ``wan/modules/animate/preprocess/utils.py``). A 16:9 image gives 1280x720.
    """
    new_h = math.sqrt(area / (width / height))
    new_w = area / new_h
    w, h = int(new_w // divisor) * divisor, int(new_h // divisor) * divisor
    if w <= 0 or h <= 0:
        raise ValueError(f"no {divisor}-multiple size fits in an area of {area} at {width}x{height}")
    return w, h


def fit_padded(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """``rgb`` scaled to fit (width, height), centred on black (Wan's ``padding_resize``)."""
    src_h, src_w = rgb.shape[:2]
    out = np.zeros((height, width, 3), np.uint8)
    shrink = width * height < src_w * src_h
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    if src_h / src_w > height / width:
        new_w = int(height / src_h * src_w)
        pad = (width - new_w) // 2
        out[:, pad : pad + new_w] = cv2.resize(rgb, (new_w, height), interpolation=interpolation)
    else:
        new_h = int(width / src_w * src_h)
        pad = (height - new_h) // 2
        out[pad : pad + new_h] = cv2.resize(rgb, (width, new_h), interpolation=interpolation)
    return out


def padding_transform(src: tuple[int, int], dst: tuple[int, int]) -> tuple[float, float, float]:
    """(scale, dx, dy) that ``fit_padded`` applies to a point of a ``src`` (w, h) picture."""
    (src_w, src_h), (w, h) = src, dst
    if src_h / src_w > h / w:
        scale = h / src_h
        return scale, float((w - int(scale * src_w)) // 2), 0.0
    scale = w / src_w
    return scale, 0.0, float((h - int(scale * src_h)) // 2)


def resample_indices(frames: int, fps: float, target_fps: float = WAN_FPS) -> np.ndarray:
    """Indices of the source frames (at ``fps``) shown at each frame of the ``target_fps`` video."""
    count = int(frames / fps * target_fps)
    times = np.arange(count) / target_fps
    return np.clip(np.round(times * fps).astype(np.int64), 0, frames - 1)
