"""The character image's pose: the median over several views, each mapped back to the image."""

from __future__ import annotations

import numpy as np

from motionctl.core.types import JOINT, Pose
from motionctl.engine.image_perception import _view_pose, image_pose, pose_doubt, shifted, shifted_pose


class DotDetector:
    """Stands in for BlazePose on a test card: the two dots are the wrists, named as a detector
    names them for a person facing the camera (the dot further right is the left wrist)."""

    max_side = 0

    def __init__(self, wander: dict[int, tuple[float, float]] | None = None) -> None:
        self.calls = 0
        self.wander = wander or {}

    def estimate(self, rgb: np.ndarray):  # noqa: ANN201 - mimics PoseEstimator.estimate
        self.calls += 1
        ys, xs = np.nonzero(rgb[..., 0] > 128)
        left, right = (xs > xs.mean()), (xs <= xs.mean())
        pts = np.zeros((33, 2), np.float32)
        pts[JOINT["left_wrist"]] = xs[left].mean(), ys[left].mean()
        pts[JOINT["right_wrist"]] = xs[right].mean(), ys[right].mean()
        if self.calls in self.wander:
            pts[JOINT["left_wrist"]] += self.wander[self.calls]
        found = type("Found", (), {})()
        found.pose = Pose(points=pts, visibility=np.ones(33, np.float32), z=np.zeros(33, np.float32))
        found.mask = (rgb[..., 0] > 128).astype(np.float32)  # the dots are the figure
        return found


def card() -> np.ndarray:
    image = np.zeros((100, 200, 3), np.uint8)
    image[40:44, 150:154] = 255  # the left wrist, on the image's right
    image[60:64, 30:34] = 255  # the right wrist
    return image


def pose_of(detector: DotDetector) -> Pose:
    """The image pose as perceive_image asks for it: the plain view first, then the others."""
    return image_pose(detector, card(), 200, detector.estimate(card()).pose)[0]


def test_every_view_is_mapped_back_to_the_image_and_its_joint_names() -> None:
    pose = pose_of(DotDetector())
    assert pose is not None
    assert np.allclose(pose.points[JOINT["left_wrist"]], (151.5, 41.5), atol=0.6)
    assert np.allclose(pose.points[JOINT["right_wrist"]], (31.5, 61.5), atol=0.6)


def test_one_view_that_wanders_off_is_outvoted() -> None:
    pose = pose_of(DotDetector(wander={2: (60.0, 30.0)}))
    assert pose is not None
    assert np.allclose(pose.points[JOINT["left_wrist"]], (151.5, 41.5), atol=1.0)


def test_what_another_view_is_sure_of_is_added_to_the_plain_views_mask() -> None:
    detector = DotDetector()
    plain = detector.estimate(card())
    plain.mask[40:44, 150:154] = 0.0  # the plain view lost the left wrist's dot
    plain.mask[10:20, 10:20] = 0.6  # and is unsure of a patch no other view shows
    mask = image_pose(detector, card(), 200, plain.pose, plain.mask).mask
    assert mask is not None and mask.shape == (100, 200)
    # Mirrored and padded views find the lost dot where it is in the image.
    assert np.all(mask[40:44, 150:154] == 1.0) and np.all(mask[60:64, 30:34] == 1.0)
    assert np.all(mask[10:20, 10:20] == 0.6)  # the plain view's own values are kept
    assert mask.sum() == 2 * 16 + 0.6 * 100  # nothing else added
    assert image_pose(detector, card(), 200, plain.pose)[1] is None  # no mask asked: none made


def test_a_view_moves_sideways_with_its_edge_repeated() -> None:
    row = np.arange(1, 6, dtype=np.float32)[None, :]  # a mask, one row: 1 2 3 4 5
    assert shifted(row, 2).tolist() == [[1, 1, 1, 2, 3]]
    assert shifted(row, -2).tolist() == [[3, 4, 5, 5, 5]]
    assert shifted(row, 0) is row
    rgb = card()
    assert shifted(rgb, 5).shape == rgb.shape
    assert np.array_equal(shifted(shifted(rgb, 5), -5)[:, 10:-10], rgb[:, 10:-10])


def test_a_moved_view_is_mapped_back_to_the_image() -> None:
    # Moved views come in pairs (+5 and -5 px): a pair read unmapped would leave the median where it
    # was, so each view is checked on its own, mirrored or not.
    for mirror in (False, True):
        for dx in (5, -5):
            found = _view_pose(DotDetector(), card(), 200, mirror, 0.0, dx)
            assert found is not None
            pose, mask = found
            assert np.allclose(pose.points[JOINT["left_wrist"]], (151.5, 41.5), atol=0.6), (mirror, dx)
            assert mask is not None and np.all(mask[40:44, 150:154] == 1.0) and mask.sum() == 2 * 16


def test_a_pose_read_on_a_moved_frame_moves_back_with_shifted_pose() -> None:
    found = DotDetector().estimate(shifted(card(), 5))
    assert found is not None
    back = shifted_pose(found.pose, -5)
    assert np.allclose(back.points[JOINT["left_wrist"]], (151.5, 41.5), atol=0.6)
    assert back.points.dtype == np.float32 and np.array_equal(back.visibility, found.pose.visibility)


def _torso_pose(shift: float = 0.0, seen: float = 1.0) -> Pose:
    """Shoulders 100 px apart at y 100, hips at y 300, moved ``shift`` px right; seen by ``seen``."""
    pts = np.zeros((33, 2), np.float32)
    for name, xy in (("left_shoulder", (250, 100)), ("right_shoulder", (150, 100)),
                     ("left_hip", (235, 300)), ("right_hip", (165, 300))):
        pts[JOINT[name]] = (xy[0] + shift, xy[1])
    return Pose(points=pts, visibility=np.full(33, seen, np.float32), z=np.zeros(33, np.float32))


def test_views_that_agree_leave_no_doubt() -> None:
    seen = [_torso_pose(s) for s in (0, 1, -1, 2, 0, -2, 1, 0, 0, 1)]
    assert pose_doubt(_torso_pose(), seen, 10, 400) is None


def test_few_views_finding_a_person_is_a_doubt() -> None:
    class Unsure(DotDetector):  # finds the wrists in the first two views only
        def estimate(self, rgb: np.ndarray):  # noqa: ANN201
            found = super().estimate(rgb)
            return found if self.calls <= 2 else None

    detector = Unsure()
    doubt = image_pose(detector, card(), 200, detector.estimate(card()).pose).doubt
    assert doubt is not None and "found in 2 of 10 views" in doubt


def test_views_that_disagree_and_unseen_shoulders_are_doubts() -> None:
    spread = [_torso_pose(s) for s in (0, 40, -40, 35, -35, 45)]
    doubt = pose_doubt(_torso_pose(), spread, 6, 400)
    assert doubt is not None and "views disagree on the shoulders and hips" in doubt
    faint = pose_doubt(_torso_pose(seen=0.4), [_torso_pose(seen=0.4)] * 10, 10, 400)
    assert faint is not None and "barely visible" in faint
    # Hips below the picture's edge (a bust) are unseen by nature: no doubt from them.
    bust = _torso_pose()
    bust.visibility[[JOINT["left_hip"], JOINT["right_hip"]]] = 0.1
    assert pose_doubt(bust, [bust] * 10, 10, 250) is None
