"""Build a face bank from a face video: per frame the face mesh, head pose, expression and sharpness;
kept, per 15° yaw/pitch bin, the sharpest frame whose face is near neutral."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from motionctl.core.errors import ContentRejected, rule_violation
from motionctl.engine.elements.bank import FaceBank, FaceView, pose_bin
from motionctl.engine.perception.head_pose import head_pose
from motionctl.media.decode import iter_frames
from motionctl.media.probe import VideoInfo

CROP_SIDE = 256  # px: a view's crop (the face and a margin around it)
CROP_MARGIN = 0.3  # share of the face mesh's box added on each side of a crop
MIN_FACE_SHARE = 0.5  # a face video must show the face in at least this share of its frames
MIN_FACE_PX = 48  # a face narrower than this (in the video's pixels) is not "clearly visible"
OPEN_EYE = 0.28  # lid gap / eye width of an open eye looking ahead (face mesh)
MAX_NEUTRAL_GAP = 2.0  # a bin whose most neutral frame is further from neutral than this is left empty
BANK_FPS = 15.0  # frames read per second of video: neighbouring frames at 30 fps are near twins


@dataclass
class _Seen:
    view: FaceView
    neutral_gap: float  # how far the expression is from the video's usual one (0: typical)


def _crop(rgb: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A CROP_SIDE square crop around the face and the landmarks in its pixels."""
    lo, hi = landmarks[:, :2].min(axis=0), landmarks[:, :2].max(axis=0)
    side = float((hi - lo).max()) * (1 + 2 * CROP_MARGIN)
    cx, cy = (lo + hi) / 2
    s = CROP_SIDE / side
    m = np.array([[s, 0, CROP_SIDE / 2 - s * cx], [0, s, CROP_SIDE / 2 - s * cy]], np.float32)
    crop = cv2.warpAffine(rgb, m, (CROP_SIDE, CROP_SIDE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    pts = landmarks.copy()
    pts[:, 0] = landmarks[:, 0] * s + m[0, 2]
    pts[:, 1] = landmarks[:, 1] * s + m[1, 2]
    pts[:, 2] = landmarks[:, 2] * s
    return crop, pts.astype(np.float32)


def sharpness(crop: np.ndarray, landmarks: np.ndarray) -> float:
    """Variance of the Laplacian inside the face, on the crop (every face at the same size)."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    mask = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(landmarks[:, :2].astype(np.int32)), 1)
    lap = cv2.Laplacian(grey, cv2.CV_32F)
    inside = lap[mask.astype(bool)]
    return float(inside.var()) if inside.size else 0.0


def _expression(landmarks: np.ndarray) -> tuple[float, float]:
    from motionctl.engine.perception.face import face_params

    p = face_params(landmarks)
    return p.mouth_open, (p.left_eye_open + p.right_eye_open) / 2


def read_faces(video: VideoInfo, progress: Callable[[float], None], field: str) -> tuple[list[FaceView], int]:
    """Every face the mesh finds in ``video`` (at most BANK_FPS frames a second), and the frames read."""
    from motionctl.engine.perception import FaceMeshEstimator

    views: list[FaceView] = []
    read = 0
    expected = max(1, int(video.duration * min(video.fps, BANK_FPS)))
    with FaceMeshEstimator(tracking=True, max_side=640) as mesh:
        for frame in iter_frames(video.path, max_fps=BANK_FPS, field=field):
            read += 1
            found = mesh.estimate(frame.rgb)
            if found is not None and float(np.ptp(found[:, 0])) >= MIN_FACE_PX:
                crop, pts = _crop(frame.rgb, found)
                pose = head_pose(pts)
                mouth, eye = _expression(pts)
                views.append(FaceView(crop, pts, pose.yaw, pose.pitch, pose.roll, sharpness(crop, pts),
                                      frame.time, mouth, eye))
            progress(min(0.95, read / expected))
    return views, read


def pick_views(seen: list[FaceView]) -> list[FaceView]:
    """Per bin, the sharpest frame among the most neutral ones (mouth no more open than usual, eyes
    neither shut nor wide): a view is drawn under the driver's own expression, so it must carry none."""
    mouth = float(np.median([v.mouth_open for v in seen]))
    # Eyes as open as the video's usual, and at least OPEN_EYE: a video looking down most of the time
    # (lids half shut) otherwise makes half-shut eyes the neutral ones, and they read as dark smudges.
    eye = max(float(np.median([v.eye_open for v in seen])), OPEN_EYE)
    scored = [_Seen(v, max(0.0, v.mouth_open - mouth - 0.03) / 0.1 + abs(v.eye_open / eye - 1) / 0.3) for v in seen]
    best: dict[tuple[int, int], _Seen] = {}
    for s in scored:
        cur = best.get(s.view.bin)
        if cur is None or _rank(s) < _rank(cur):
            best[s.view.bin] = s
    kept = [best[b] for b in sorted(best) if best[b].neutral_gap <= MAX_NEUTRAL_GAP]
    return [s.view for s in kept] or [min(best.values(), key=_rank).view]


def _rank(s: _Seen) -> tuple[float, float]:
    """Near-neutral frames (gap <= 1) by sharpness, then the others by how near neutral they are."""
    return (0.0, -s.view.sharpness) if s.neutral_gap <= 1.0 else (1.0, s.neutral_gap)


def build_bank(video: VideoInfo, name: str, description: str = "", *, field: str = "element_video_list",
               progress: Callable[[float], None] | None = None) -> FaceBank:
    """The face bank of a face video that passed the documented checks (media/validate.py)."""
    report = progress or (lambda _f: None)
    seen, read = read_faces(video, report, field)
    if not seen or len(seen) < MIN_FACE_SHARE * read:
        raise rule_violation(ContentRejected, field, "must contain a clearly visible human face "
                             f"(a face at least {MIN_FACE_PX} px wide in at least {MIN_FACE_SHARE:.0%} of the frames)",
                             f"a face in {len(seen)} of {read} frames")
    views = pick_views(seen)
    report(1.0)
    source: dict[str, object] = {"width": video.width, "height": video.height, "fps": round(video.fps, 3),
              "duration": round(video.duration, 3), "frames_read": read, "faces_found": len(seen)}
    return FaceBank(name, description, views, source=source)


__all__ = ["build_bank", "pick_views", "pose_bin", "read_faces", "sharpness"]
