"""PSNR, SSIM and the character-area mask."""

from __future__ import annotations

import numpy as np
import pytest
from tests.eval.synth import pose_points

from motionctl.core.types import JOINT
from motionctl.eval.image_metrics import PSNR_CAP_DB, character_area, psnr, ssim, vacated_similarity


def _image(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, 64 * 64 * 3).reshape(64, 64, 3)
    return np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)


def test_psnr_of_identical_images_is_capped_and_finite() -> None:
    img = _image()
    assert psnr(img, img) == PSNR_CAP_DB


def test_psnr_of_a_known_error() -> None:
    a = np.full((10, 10, 3), 100, np.uint8)
    b = a + 10  # MSE 100 -> 10*log10(255^2/100)
    assert psnr(a, b) == pytest.approx(10 * np.log10(255**2 / 100))


def test_psnr_and_ssim_only_look_inside_the_mask() -> None:
    a = _image()
    b = a.copy()
    b[32:] = 0  # the bottom half is destroyed
    top = np.zeros(a.shape[:2], bool)
    top[:26] = True  # away from the damage by more than the SSIM window
    assert psnr(a, b, top) == PSNR_CAP_DB
    assert ssim(a, b, top) == pytest.approx(1.0)
    assert ssim(a, b) < 0.9
    assert psnr(a, b, np.zeros_like(top)) is None


def test_ssim_is_one_for_identical_images_and_drops_with_noise() -> None:
    a = _image()
    rng = np.random.default_rng(1)
    slight = np.clip(a + rng.normal(0, 5, a.shape), 0, 255).astype(np.uint8)
    heavy = np.clip(a + rng.normal(0, 40, a.shape), 0, 255).astype(np.uint8)
    assert ssim(a, a) == pytest.approx(1.0)
    assert 1.0 > ssim(a, slight) > ssim(a, heavy)


def test_character_area_covers_the_keypoint_hull_and_the_segmentation() -> None:
    pts = pose_points()
    vis = np.ones(33)
    area = character_area((1000, 1000), pts, vis, None, dilate_frac=0.0)
    lw, rw = pts[JOINT["left_shoulder"]], pts[JOINT["right_ankle"]]
    assert area[int(lw[1]), int(lw[0]) - 1] and area[int(rw[1]) - 1, int(rw[0]) + 1]
    assert not area[50, 50]
    seg = np.zeros((1000, 1000), np.float32)
    seg[40:60, 40:60] = 1.0
    with_seg = character_area((1000, 1000), pts, vis, seg, dilate_frac=0.01)
    assert with_seg[50, 50] and with_seg[35, 50]  # dilated by 10 px
    assert not with_seg[10, 10]


def test_vacated_area_scores_a_ghost_high_and_a_fill_low() -> None:
    image = _image(0)
    silhouette = np.zeros(image.shape[:2], bool)
    silhouette[10:50, 10:30] = True  # where the character stood in the image
    present = np.zeros_like(silhouette)
    present[10:50, 10:20] = True  # half of it is still covered by the character now
    ghost = image.copy()  # the original pixels left behind
    filled = image.copy()
    filled[10:50, 20:30] = np.asarray(_image(7))[10:50, 20:30] // 2  # something else drawn there
    ghost_score, share = vacated_similarity(ghost, image, silhouette, present)
    fill_score, _ = vacated_similarity(filled, image, silhouette, present)
    assert share == pytest.approx(40 * 10 / 64 / 64)
    assert ghost_score == pytest.approx(1.0)
    assert fill_score is not None and fill_score < 0.5
    assert vacated_similarity(ghost, image, silhouette, silhouette) == (None, 0.0)
