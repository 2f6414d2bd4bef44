"""How far does a real face slide across its head's outline as the head turns? The constant behind
the element's turn (engine/elements/mesh.py HEAD_DEPTH).

Per frame of a video of a person: the face mesh (pose -> head crop -> face mesh), its yaw and its
centroid, and the person's silhouette (the pose model's segmentation) on the row of the eyes; the
offset of the centroid from the middle of the silhouette's run there, in face widths (the mesh's
3D distance between its cheek contours). A line fitted to offset against sin(yaw) has the slope
printed: the face widths the face slides per unit of sin(yaw). Frames where the silhouette's run
holds more than the head (hands, hair to the shoulders at the eyes' row) bias it; pick spans where
the head stands clear.

    PYTHONPATH=src .venv/bin/python benchmarks/head_slide.py \\
        --video ../shared/testdata/drivers/turn_fullbody_fashion_backview_30fps.mp4 --frames 95-120,215-260
    PYTHONPATH=src .venv/bin/python benchmarks/head_slide.py --video ../shared/testdata/faces/driving_d3.mp4
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator
from motionctl.engine.perception.face import HEAD, head_crop
from motionctl.engine.perception.head_pose import LEFT_CHEEK, RIGHT_CHEEK, head_pose
from motionctl.media.decode import iter_frames

RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263


def crop_origin(points: np.ndarray) -> np.ndarray:
    """Where head_crop's square starts (its rule: 1.6 ear gaps either side of the head's centre)."""
    head = points[HEAD]
    gap = float(np.linalg.norm(head[1] - head[2])) or 20.0
    return np.maximum(head.mean(axis=0) - 1.6 * gap, 0).astype(int)


def spans(text: str | None) -> list[tuple[int, int]]:
    if not text:
        return [(0, 10**9)]
    return [(int(a), int(b)) for a, b in (part.split("-") for part in text.split(","))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--frames", help="spans of frame indices, e.g. 95-120,215-260 (default: all)")
    parser.add_argument("--every", type=int, default=10, help="print every n-th frame read")
    args = parser.parse_args()
    wanted = spans(args.frames)
    rows = []
    with PoseEstimator(tracking=True, segmentation=True, max_side=720) as poses, \
            FaceMeshEstimator(tracking=False, max_side=512) as mesh:
        for frame in iter_frames(args.video, max_fps=30.0, max_side=1280, field="video"):
            if not any(a <= frame.index <= b for a, b in wanted):
                continue
            seen = poses.estimate(frame.rgb, at=frame.time)
            if seen is None or seen.pose is None or seen.mask is None:
                continue
            crop = head_crop(frame.rgb, seen.pose.points)
            found = mesh.estimate(crop) if crop is not None else None
            if found is None:
                continue
            found[:, :2] += crop_origin(seen.pose.points)
            h, w = frame.rgb.shape[:2]
            mask = seen.mask if seen.mask.shape[:2] == (h, w) else cv2.resize(seen.mask.astype(np.float32), (w, h))
            row = int(round((found[RIGHT_EYE_OUTER, 1] + found[LEFT_EYE_OUTER, 1]) / 2))
            inside = np.flatnonzero(mask[min(max(row, 0), h - 1)] > 0.5)
            centre = float(found[:468, 0].mean())
            runs = [r for r in np.split(inside, np.flatnonzero(np.diff(inside) > 1) + 1) if len(r)]
            run = next((r for r in runs if r[0] <= centre <= r[-1]), None)
            if run is None:
                continue
            width = float(np.linalg.norm(found[LEFT_CHEEK] - found[RIGHT_CHEEK]))
            rows.append((frame.index, head_pose(found).yaw, (centre - (run[0] + run[-1]) / 2) / width))
    if len(rows) < 3:
        raise SystemExit("fewer than 3 frames with a face and a silhouette")
    data = np.array(rows)
    for index, yaw, offset in data[:: max(1, args.every)]:
        print(f"frame {int(index):4d}  yaw {yaw:+6.1f}°  offset {offset:+.3f} face widths")
    s = np.sin(np.radians(data[:, 1]))
    slope, intercept = np.linalg.lstsq(np.column_stack([s, np.ones_like(s)]), data[:, 2], rcond=None)[0]
    print(f"{len(data)} frames, yaw {data[:, 1].min():+.1f}..{data[:, 1].max():+.1f}°: the face slides "
          f"{slope:.2f} face widths per sin(yaw) (offset at yaw 0: {intercept:+.3f})")


if __name__ == "__main__":
    main()
