"""The background plate: no ghost of the character's outline, and the background's structure kept."""

from __future__ import annotations

import numpy as np

from motionctl.engine.puppet.background import background_plate

H, W = 360, 480
DARK, LIGHT = np.array((40, 50, 110), np.float32), np.array((225, 210, 180), np.float32)
CHARACTER = np.array((250, 140, 30), np.float32)
PERIOD = 24  # px: the wallpaper's stripes, half dark, half light


def _stripes() -> np.ndarray:
    xx = np.arange(W)
    light = ((xx // (PERIOD // 2)) % 2).astype(np.float32)[None, :, None]
    return np.broadcast_to(DARK + (LIGHT - DARK) * light, (H, W, 3)).copy()


def _glowing_character() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An orange figure (an ellipse) on striped wallpaper, glowing in its own colour for ~40 px past
    the matte's edge (light the segmentation leaves outside); with the wallpaper alone."""
    background = _stripes()
    yy, xx = np.mgrid[0:H, 0:W]
    r = np.hypot((yy - 180) / 120.0, (xx - 240) / 70.0)  # 1 at the outline
    matte = np.clip((1.0 - r) * 70.0 + 0.5, 0.0, 1.0).astype(np.float32)  # about a pixel of soft edge
    glow = np.clip(1.0 - (r - 1.0) * 70.0 / 40.0, 0.0, 1.0) * (r > 1.0)
    image = background * (1 - glow[..., None]) + CHARACTER * glow[..., None]
    image = image * (1 - matte[..., None]) + CHARACTER * matte[..., None]
    return image.astype(np.uint8), matte, background.astype(np.uint8)


def test_the_plate_keeps_no_ring_of_the_characters_glow() -> None:
    image, matte, _ = _glowing_character()
    plate = background_plate(image, matte).astype(np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    r = np.hypot((yy - 180) / 120.0, (xx - 240) / 70.0)
    ring = (r > 1.0) & (r < 1.45)  # out to ~30 px past the sides of the outline
    to_character = np.linalg.norm(plate[ring] - CHARACTER, axis=1)
    to_wallpaper = np.minimum(np.linalg.norm(plate[ring] - DARK, axis=1), np.linalg.norm(plate[ring] - LIGHT, axis=1))
    orange = to_character < to_wallpaper
    assert orange.mean() < 0.02, f"{100 * orange.mean():.1f}% of the ring keeps the character's colour"


def test_the_stripes_continue_across_the_hole() -> None:
    image, matte, background = _glowing_character()
    plate = background_plate(image, matte).astype(np.float32)
    band = plate[150:210, 200:280].mean(axis=(0, 2))  # the hole's middle, averaged down each column
    truth = background[150:210, 200:280].astype(np.float32).mean(axis=(0, 2))
    corr = float(np.corrcoef(band, truth)[0, 1])
    assert corr > 0.8, f"columns correlate with the wallpaper's by {corr:.2f}"
    assert np.abs(band - truth).mean() < 30, np.abs(band - truth).mean()
