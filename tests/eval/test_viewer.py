"""The viewer measures end to end on painted clips: a clean render meets every target, a broken one not."""

from __future__ import annotations

import numpy as np
from tests.eval.synth import pose_points, track
from tests.eval.synth_render import Look, paint, raised_arms

from motionctl.core.types import Pose
from motionctl.eval.viewer import ImageSide, ViewerScan, pose_from_joints, viewer_targets

VIS = np.ones(33)


def _scan(frames: list[tuple[np.ndarray, Look]], orientation: str = "image") -> ViewerScan:
    image, silhouette = paint(pose_points())
    scan = ViewerScan(ImageSide(image, Pose(pose_points(), VIS), silhouette, "detected"), orientation)
    for points, look in frames:
        rgb, mask = paint(points, look)
        scan.add(rgb, Pose(points, VIS), mask.astype(np.float32))
    return scan


def _verdicts(scan: ViewerScan, poses: list[np.ndarray]) -> dict[str, bool]:
    report = scan.report(track(poses), track([pose_points()] * len(poses)))
    return {name: (value >= threshold if higher else value <= threshold) if value is not None else False
            for name, value, threshold, higher in viewer_targets(report)}


def test_a_clean_render_meets_every_viewer_target() -> None:
    poses = [raised_arms(pose_points(), d) for d in (0, 30, 60, 90, 60, 30)]
    assert all(_verdicts(_scan([(p, Look()) for p in poses]), poses).values())


def test_black_torn_arms_fail_limb_appearance_and_broken_frames() -> None:
    poses = [raised_arms(pose_points(), d) for d in (30, 60, 90, 90, 60, 30)]
    broken = Look(upper_arm=(20, 20, 20), forearm=(20, 20, 20), gaps={"left_forearm": 80.0})
    verdicts = _verdicts(_scan([(p, broken) for p in poses]), poses)
    assert verdicts["limb appearance (bone-frames matching)"] is False
    assert verdicts["broken frames"] is False
    assert verdicts["framing: frames cut or mis-scaled"] is True


def test_a_figure_drawn_larger_and_cut_by_the_top_edge_fails_framing() -> None:
    big = [np.asarray((500, 560)) + 1.6 * (pose_points() - np.asarray((500, 560)))] * 4
    verdicts = _verdicts(_scan([(p, Look()) for p in big]), big)
    assert verdicts["framing: frames cut or mis-scaled"] is False


def test_orientation_video_has_no_framing_target() -> None:
    poses = [pose_points()] * 3
    names = [t[0] for t in viewer_targets(_scan([(p, Look()) for p in poses], "video").report(track(poses),
                                                                                               track(poses)))]
    assert not any(n.startswith("framing") for n in names)


def test_given_joints_become_a_pose_with_head_as_the_nose() -> None:
    pose = pose_from_joints({"head": (10, 20), "left_shoulder": (30, 40), "tail": (1, 1)})
    assert pose.visible("nose") and pose.visible("left_shoulder") and not pose.visible("right_shoulder")
    assert tuple(pose.joint("nose")) == (10, 20)
