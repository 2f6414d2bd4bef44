"""The retargeter's drawn poses over characters x drivers, without rendering: are they whole, upright,
in the picture, and do their limbs point where the driver's do?

Each character is analysed once and each driver's motion tracked once (both kept in ``--cache``); then
every case runs the render thread's pose stream (retarget.PoseStream) over the driver's frames and
reads each posed frame's figure: the layers' outlines moved as the renderer moves them (each point
by its skin's weighted bone affines).

Per case (orientation image and video):
- flipped: frames whose drawn torso axis (hips -> shoulders) is more than 90° from the driver's;
- torn: frames whose upper and lower torso turn more than 45° apart (the figure breaks at the waist);
- cut: (orientation image) frames where the figure passes an edge of the picture that the image's
  own figure does not touch, by more than 1% of the short side;
- scale: (orientation image) the drawn figure's size against the image's (its torso's scale), min-max,
  next to the driver's own size against its start (torso length);
- legs: where the driver shows neither knee (outside its picture or not visible), how far the drawn
  thighs and shins turn a frame (degrees, mean): legs thrown about by the detector's guesses;
- within20 / median: moving limb bones (driver's bone > 20° from its mean direction) drawn within
  20° of the driver's, and the median error: what holding a pose costs. The drawn skeleton, not a
  re-detection of the rendered video (``motionctl eval`` does that).

    .venv/bin/python benchmarks/pose_sanity.py [--seconds 6] [--cache /tmp/pose_sanity] \
        [--shared ../shared/testdata] [--characters NAME ...] [--drivers NAME ...]
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from motionctl.core.types import JOINT, Orientation
from motionctl.engine.config import EngineConfig
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.pose_stream import PoseStream
from motionctl.engine.puppet.retarget import Posed, Retargeter
from motionctl.engine.puppet.rig import apply_affine

ROOT = Path(__file__).resolve().parents[1]
LIMBS = (("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"), ("right_shoulder", "right_elbow"),
         ("right_elbow", "right_wrist"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
         ("right_hip", "right_knee"), ("right_knee", "right_ankle"))
PRIME_SECONDS = 3.0  # the render thread primes the retargeter with the first batch (~3 s)


def cut_driver(src: Path, dst: Path, seconds: float) -> None:
    """The driver's first ``seconds``, long side at most 960 px (the pose is read at 384)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vs = inp.streams.video[0]
        stream = None
        for frame in inp.decode(vs):
            if frame.time is not None and frame.time >= seconds:
                break
            rgb = frame.to_ndarray(format="rgb24")
            h, w = rgb.shape[:2]
            k = min(1.0, 960 / max(h, w))
            if k < 1:
                rgb = cv2.resize(rgb, (int(w * k) // 2 * 2, int(h * k) // 2 * 2), interpolation=cv2.INTER_AREA)
            if stream is None:
                stream = out.add_stream("libx264", rate=vs.average_rate)
                stream.width, stream.height, stream.pix_fmt = rgb.shape[1], rgb.shape[0], "yuv420p"
                stream.options = {"crf": "18", "preset": "veryfast"}
            out.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        if stream is not None:
            out.mux(stream.encode())


def driver_frames(video: Path, cache: Path, seconds: float) -> tuple[list[DriverFrame], tuple[int, int], float]:
    from motionctl.engine.driver_analysis import analyse_driver
    from motionctl.engine.process_messages import DriverJob, MotionBatch
    from motionctl.media.decode import output_fps
    from motionctl.media.probe import probe_video

    kept = cache / f"driver_{video.stem}_{seconds:g}.pkl"
    if not kept.exists():
        short = cache / f"{video.stem}_{seconds:g}.mp4"
        cut_driver(video, short, seconds)
        fps = output_fps(probe_video(short))
        replies: list = []
        analyse_driver(DriverJob(short, fps), type("Replies", (), {"put": lambda _s, m: replies.append(m)})())
        batches = [m for m in replies if isinstance(m, MotionBatch)]
        frames = [f for m in batches for f in m.frames]
        kept.write_bytes(pickle.dumps((frames, batches[0].driver_size, fps)))
    return pickle.loads(kept.read_bytes())


def character(image: Path, cache: Path) -> Character | None:
    from motionctl.engine.image_perception import perceive_image
    from motionctl.engine.pipeline import MotionControlPipeline
    from motionctl.engine.process_messages import ImageJob
    from motionctl.media.decode import load_image
    from motionctl.media.encode import output_size

    kept = cache / f"character_{image.parent.name}_{image.stem}.pkl"
    if not kept.exists():
        cfg = EngineConfig()
        loaded = load_image(image)
        canvas = output_size(loaded.width, loaded.height, "720p")
        seen = perceive_image(ImageJob(image, cfg.image_pose_side, None, False))
        try:
            made: Character | None = MotionControlPipeline(cfg).prepare_character(loaded, canvas, cfg, seen, None)
        except Exception as exc:  # noqa: BLE001 - a character the detector cannot read is reported, not fatal
            print(f"  {image.name}: not analysed ({exc})", file=sys.stderr)
            made = None
        kept.write_bytes(pickle.dumps(made))
    return pickle.loads(kept.read_bytes())


def figure_points(ch: Character, posed: Posed) -> np.ndarray:
    """The layers' outlines as drawn: each point moved by its skin's weighted bone affines."""
    moved = []
    for layer in ch.layers:
        w = layer.skin.weights(layer.outline)
        pts = np.zeros_like(layer.outline, dtype=np.float64)
        for k, bone in enumerate(layer.skin.bones):
            if bone in posed.affines:
                pts += w[:, k : k + 1] * apply_affine(posed.affines[bone], layer.outline)
        moved.append(pts)
    return np.concatenate(moved)


def angle(v: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(v[1], v[0])))


def turn(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def run_case(ch: Character, frames: list[DriverFrame], size: tuple[int, int], fps: float,
             orientation: Orientation) -> dict[str, Any]:
    stream = PoseStream(Retargeter(ch, size, orientation))
    stream.retarget.prime([f for f in frames if f.time < frames[0].time + PRIME_SECONDS])
    posed = [p for f in frames for p in stream.push(f)] + stream.flush()
    up_c = ch.joints["mid_shoulder"] - ch.joints["mid_hip"]
    w, h = ch.size
    tol = 0.01 * min(w, h)
    matte = np.argwhere(ch.matte > 0.5)
    touches = {"top": matte[:, 0].min() <= tol, "bottom": matte[:, 0].max() >= h - 1 - tol,
               "left": matte[:, 1].min() <= tol, "right": matte[:, 1].max() >= w - 1 - tol}
    torso0 = None
    flipped = torn = cut = 0
    scales, driver_scales, errors, moving = [], [], [], []
    leg_angles: list[list[float]] = []
    unseen: list[bool] = []
    for frame, p in posed:
        pts = frame.points
        d_up = pts[[11, 12]].mean(0) - pts[[23, 24]].mean(0)
        torso = float(np.linalg.norm(d_up))
        torso0 = torso0 or torso
        drawn_up = p.affines["upper_torso"][:, :2] @ up_c
        lower_up = p.affines["lower_torso"][:, :2] @ up_c
        flipped += turn(angle(drawn_up), angle(d_up)) > 90
        torn += turn(angle(drawn_up), angle(lower_up)) > 45
        fig = figure_points(ch, p)
        if orientation == Orientation.IMAGE:
            over = {"top": -fig[:, 1].min(), "bottom": fig[:, 1].max() - h, "left": -fig[:, 0].min(),
                    "right": fig[:, 0].max() - w}
            cut += any(v > tol and not touches[k] for k, v in over.items())
            scales.append(float(np.sqrt(abs(np.linalg.det(p.affines["upper_torso"][:, :2])))))
            driver_scales.append(torso / torso0)
        for a, b in LIMBS:
            if a in p.joints and b in p.joints and min(frame.visibility[JOINT[a]], frame.visibility[JOINT[b]]) >= 0.5:
                errors.append(turn(angle(p.joints[b] - p.joints[a]), angle(pts[JOINT[b]] - pts[JOINT[a]])))
                moving.append((a, b, angle(pts[JOINT[b]] - pts[JOINT[a]])))
        leg_angles.append([angle(p.joints[f"{s}_{b}"] - p.joints[f"{s}_{a}"]) for s in ("left", "right")
                           for a, b in (("hip", "knee"), ("knee", "ankle"))])
        unseen.append(_legs_unseen(pts, frame.visibility, size))
    within, median = _moving_fidelity(errors, moving)
    swing = np.abs((np.diff(np.array(leg_angles), axis=0) + 180) % 360 - 180).mean(axis=1)
    hidden = np.array(unseen[1:], bool)
    n = len(posed)
    legs = float(swing[hidden].mean()) if hidden.any() else float("nan")
    return {"frames": n, "legs": legs, "flipped": flipped, "torn": torn, "cut": cut, "within20": within,
            "median": median,
            "scale": (min(scales), max(scales)) if scales else (1.0, 1.0),
            "driver": (min(driver_scales), max(driver_scales)) if driver_scales else (1.0, 1.0)}


def _legs_unseen(points: np.ndarray, visibility: np.ndarray, size: tuple[int, int]) -> bool:
    """The driver shows neither knee: both outside its picture or not visible."""
    w, h = size
    knees = [JOINT["left_knee"], JOINT["right_knee"]]
    inside = [0 <= points[i, 0] <= w and 0 <= points[i, 1] <= h and visibility[i] >= 0.5 for i in knees]
    return not any(inside)


def _moving_fidelity(errors: list[float], moving: list[tuple[str, str, float]]) -> tuple[float, float]:
    """Share of moving comparisons within 20° and their median error (moving: > 20° from the bone's mean)."""
    if not errors:
        return float("nan"), float("nan")
    by_bone: dict[tuple[str, str], list[float]] = {}
    for a, b, ang in moving:
        by_bone.setdefault((a, b), []).append(ang)
    mean = {k: float(np.degrees(np.angle(np.mean(np.exp(1j * np.radians(v)))))) for k, v in by_bone.items()}
    picked = [e for e, (a, b, ang) in zip(errors, moving, strict=True) if turn(ang, mean[(a, b)]) > 20]
    if not picked:
        return float("nan"), float("nan")
    arr = np.array(picked)
    return float((arr <= 20).mean() * 100), float(np.median(arr))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "testdata")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/pose_sanity"))
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--characters", nargs="*", default=None, help="name stems (default: all)")
    ap.add_argument("--drivers", nargs="*", default=None, help="name stems (default: all)")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    images = sorted((args.shared / "characters").glob("*.[jp][pn]g"))
    images += sorted((args.shared / "pairs").glob("*/image.*"))
    drivers = sorted((args.shared / "drivers").glob("*.mp4"))
    if args.characters:
        images = [i for i in images if any(c in str(i) for c in args.characters)]
    if args.drivers:
        drivers = [d for d in drivers if any(c in d.stem for c in args.drivers)]
    print(f"{'character':34s} {'driver':26s} or  frames flip torn cut  within20 median  scale      driver     legs")
    totals: dict[str, list[float]] = {"within20": [], "median": []}
    for image in images:
        ch = character(image, args.cache)
        if ch is None:
            continue
        name = image.parent.name if image.parent.name != "characters" else image.stem
        for video in drivers:
            frames, size, fps = driver_frames(video, args.cache, args.seconds)
            for orientation in (Orientation.IMAGE, Orientation.VIDEO):
                r = run_case(ch, frames, size, fps, orientation)
                totals["within20"].append(r["within20"])
                totals["median"].append(r["median"])
                print(f"{name[:34]:34s} {video.stem[:26]:26s} {orientation.value[:2]}  {r['frames']:5d} "
                      f"{r['flipped']:4d} {r['torn']:4d} {r['cut']:4d}  {r['within20']:7.1f} {r['median']:6.1f}  "
                      f"{r['scale'][0]:.2f}-{r['scale'][1]:.2f}  {r['driver'][0]:.2f}-{r['driver'][1]:.2f}  "
                      f"{r['legs']:5.1f}", flush=True)
    w, m = np.array(totals["within20"]), np.array(totals["median"])
    print(f"within20: worst {np.nanmin(w):.1f} p10 {np.nanpercentile(w, 10):.1f} median {np.nanmedian(w):.1f}; "
          f"median error: worst {np.nanmax(m):.1f} p90 {np.nanpercentile(m, 90):.1f} median {np.nanmedian(m):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
