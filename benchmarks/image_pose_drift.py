"""How far the character image's pose moves when the image moves a few pixels: the rig's stability.

    .venv/bin/python benchmarks/image_pose_drift.py [--pair upperbody_elf] [--shifts 1,-1,2,-2,3,-3]

The engine reads the image's pose as the median over several views of it (engine/image_perception.py,
VIEWS). Where BlazePose is sure, views agree within a few pixels; where it is unsure (a dark forearm
at the picture's bottom edge) its answer jumps with the pixels' exact places, and a rig whose wrist
is off draws the forearm's layer about the wrong bone. This moves the image sideways by each
of ``--shifts`` px (edge repeated), reads its pose as generate does (same side, same views), moves
the joints back and prints, per arm and leg joint, the mean and largest distance from the file's
own reading, in image pixels. ``--views N`` reads with only the first N views, to compare sets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from motionctl.core.types import JOINT, Pose
from motionctl.engine import image_perception
from motionctl.engine.config import EngineConfig
from motionctl.engine.perception import PoseEstimator
from motionctl.media.decode import load_image

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "testdata"
LIMB_JOINTS = ("elbow", "wrist", "index", "knee", "ankle")


def drift(reference: Pose, moved: list[Pose], names: list[str]) -> dict[str, tuple[float, float]]:
    """Per joint name: (mean, largest) distance of the ``moved`` readings' joint from the reference's."""
    out = {}
    for name in names:
        i = JOINT[name]
        d = [float(np.linalg.norm(p.points[i] - reference.points[i])) for p in moved]
        out[name] = (float(np.mean(d)), float(np.max(d)))
    return out


def seen_joints(pose: Pose, size: tuple[int, int]) -> list[str]:
    """The arm and leg joints the reference reading puts inside the image (a bust's knees are guesses)."""
    w, h = size
    names = []
    for side in ("left", "right"):
        for joint in LIMB_JOINTS:
            x, y = pose.points[JOINT[f"{side}_{joint}"]]
            if 0 <= x < w and 0 <= y < h:
                names.append(f"{side}_{joint}")
    return names


def read_pose(est: PoseEstimator, rgb: np.ndarray, side: int, views: tuple[image_perception.View, ...]) -> Pose:
    est.max_side = side
    found = est.estimate(rgb)
    if found is None:
        raise SystemExit("no pose found in the image")
    return image_perception.image_pose(est, rgb, side, found.pose, views=views)[0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pair", default="upperbody_elf", help="a folder of ../shared/testdata/pairs")
    p.add_argument("--shifts", default="1,-1,2,-2,3,-3", help="comma-separated px the image is moved by")
    p.add_argument("--views", type=int, default=0, help="use only the first N of VIEWS (0: all)")
    p.add_argument("--shared", type=Path, default=SHARED)
    a = p.parse_args(argv)
    views = image_perception.VIEWS[: a.views] if a.views else image_perception.VIEWS
    image = next((a.shared / "pairs" / a.pair).glob("image.*"))
    rgb = load_image(image, field="image").rgb
    side = EngineConfig().image_pose_side
    with PoseEstimator(tracking=False, segmentation=True, max_side=side) as est:
        reference = read_pose(est, rgb, side, views)
        moved = []
        for dx in (int(s) for s in a.shifts.split(",")):
            shifted = image_perception.shifted(rgb, dx)
            moved.append(image_perception.shifted_pose(read_pose(est, shifted, side, views), -dx))
    names = seen_joints(reference, (rgb.shape[1], rgb.shape[0]))
    print(f"{a.pair}, {len(views)} views, image moved by {a.shifts} px: "
          "distance from the file's own reading, mean / largest (px)")
    for name, (mean, most) in drift(reference, moved, names).items():
        print(f"  {name:16s} {mean:5.1f} / {most:5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
