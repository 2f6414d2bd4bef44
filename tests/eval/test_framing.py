"""Framing in orientation image on painted figures and synthetic tracks."""

from __future__ import annotations

import numpy as np
from tests.eval.synth import pose_points, track
from tests.eval.synth_render import paint

from motionctl.eval.framing import edge_cuts, scale_reading
from motionctl.eval.silhouette import read_silhouette

VIS = np.ones(33)


def _scaled(points: np.ndarray, k: float, about: tuple[float, float] = (500, 540)) -> np.ndarray:
    return np.asarray(about) + k * (points - np.asarray(about))


def test_a_head_pushed_past_the_top_edge_is_a_cut_the_image_does_not_have() -> None:
    _, image_mask = paint(pose_points())
    _, high = paint(pose_points() - np.array([0, 190]))
    _, inside = paint(pose_points() - np.array([0, 60]))
    image_edges = read_silhouette(image_mask, None, None).edges
    cuts = edge_cuts([read_silhouette(high, None, None).edges, read_silhouette(inside, None, None).edges],
                     image_edges)
    assert cuts == [frozenset({"top"}), frozenset()]


def test_a_side_the_image_already_cuts_is_never_counted() -> None:
    _, image_mask = paint(pose_points() + np.array([0, 200]))  # feet past the bottom in the image
    _, frame = paint(pose_points() + np.array([0, 220]))
    assert edge_cuts([read_silhouette(frame, None, None).edges], read_silhouette(image_mask, None, None).edges) == [
        frozenset()
    ]


def test_a_figure_grown_while_the_driver_keeps_its_size_is_mis_scaled() -> None:
    driver = track([pose_points()] * 20)
    grown = track([_scaled(pose_points(), 1.0 + 0.05 * i) for i in range(20)])
    r = scale_reading(grown, driver, pose_points(), VIS, (1000, 1000))
    assert r is not None
    assert not r.mis_scaled[:4].any() and r.mis_scaled[-5:].all()


def test_a_figure_growing_as_the_driver_grows_is_in_scale() -> None:
    sizes = [1.0 + 0.04 * i for i in range(20)]
    driver = track([_scaled(pose_points(), k, (500, 500)) for k in sizes])
    output = track([_scaled(pose_points(), k) for k in sizes])
    r = scale_reading(output, driver, pose_points(), VIS, (1000, 1000))
    assert r is not None and not r.mis_scaled.any()


def test_the_scale_is_read_against_the_image_at_the_outputs_size() -> None:
    output = track([_scaled(pose_points(), 1.0)] * 5)
    output.size = (1000, 1000)
    driver = track([pose_points()] * 5)
    half_image = pose_points() * 0.5  # the image is 500 px wide; the output shows it at 1000 px
    r = scale_reading(output, driver, half_image, VIS, (500, 500))
    assert r is not None and not r.mis_scaled.any() and np.allclose(r.ratios, 1.0)


def _half_body(points: np.ndarray, spine: float) -> np.ndarray:
    """The figure's hips moved along its spine to ``spine`` times their distance from the shoulders."""
    out = points.copy()
    mid_sh = (points[11] + points[12]) / 2
    out[[23, 24]] = mid_sh + spine * (points[[23, 24]] - mid_sh)
    return out


def test_a_half_body_portrait_is_scaled_by_its_shoulders_not_by_hips_guessed_below_its_edge() -> None:
    image = pose_points()
    height = int((image[11, 1] + image[23, 1]) / 2)  # the picture ends between shoulders and hips
    driver = track([pose_points()] * 10)
    # The re-detection guesses the hidden hips 40% farther down than the image's guess: same figure.
    same = track([_half_body(pose_points(), 1.4)] * 10)
    grown = track([_half_body(_scaled(pose_points(), 1.6), 1.0)] * 10)
    r_same = scale_reading(same, driver, image, VIS, (1000, height))
    r_grown = scale_reading(grown, driver, image, VIS, (1000, height))
    assert r_same is not None and not r_same.mis_scaled.any()
    assert r_grown is not None and r_grown.mis_scaled.all()
