"""Do the viewer measures see defects a viewer sees? A clean render, and copies of it broken on purpose.

From one output (e.g. a public pair's, which looks clean) this writes copies with one defect each,
painted where the pose detector finds the character in each frame, then scores them all with
`motionctl eval` and prints one row per copy:
- black_arms: the arms painted over in near-black (an arm layer carrying dark shorts);
- upside_down: in frames 25-60 the character (the box around its joints) turned upside down in place;
- torn_elbows: a strip of the background colour painted across each elbow, the forearms cut off;
- torso_hole: a patch in the middle of the torso painted with the image's background (its colour
  outside the character, as a fill that shows the plate through the body);
- ghosts: the image's limb outlines (its edges near its limbs) drawn faintly on every frame;
- zoomed: the picture enlarged 1.35x about its centre (parts cut by the edges, the figure larger).

    .venv/bin/python benchmarks/viewer_validation.py --image IMG --video DRIVER --output OUT.mp4 \
        --orientation image [--joints J.json] [--work bench-results/validation] [--docs NAME]

With --docs NAME the table goes to docs/quality/validation_NAME.md and into docs/QUALITY.md (between
its validation markers, with every other validation_*.md there).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from motionctl.commands.generate import read_joints  # noqa: E402
from motionctl.core.types import JOINT  # noqa: E402
from motionctl.engine.perception import PoseEstimator  # noqa: E402
from motionctl.eval.ghosts import GhostReference, capsule_radius  # noqa: E402
from motionctl.eval.image_side import image_side  # noqa: E402
from motionctl.eval.runner import measure  # noqa: E402
from motionctl.media.decode import iter_frames, load_image  # noqa: E402
from motionctl.media.encode import VideoEncoder  # noqa: E402
from motionctl.media.probe import probe_video  # noqa: E402

Defect = Callable[[np.ndarray, np.ndarray | None, int], np.ndarray]
ARMS = (("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"))  # fmt: skip


def _pt(points: np.ndarray, name: str) -> tuple[int, int]:
    x, y = points[JOINT[name]]
    return int(round(x)), int(round(y))


def _width(points: np.ndarray) -> int:
    r = capsule_radius(points, np.ones(33))
    return max(3, round(r or 10))


def black_arms(rgb: np.ndarray, pts: np.ndarray | None, k: int) -> np.ndarray:
    if pts is None:
        return rgb
    out = rgb.copy()
    for a, b in ARMS:
        cv2.line(out, _pt(pts, a), _pt(pts, b), (18, 18, 22), _width(pts))
    return out


def upside_down(rgb: np.ndarray, pts: np.ndarray | None, k: int) -> np.ndarray:
    if pts is None or not 25 <= k < 60:
        return rgb
    h, w = rgb.shape[:2]
    lo, hi = pts[:25].min(axis=0), pts[:25].max(axis=0)  # the body's joints (hands and feet left out)
    pad = 0.15 * (hi - lo)
    x0, y0 = np.clip(np.floor(lo - pad), 0, [w, h]).astype(int)
    x1, y1 = np.clip(np.ceil(hi + pad), 0, [w, h]).astype(int)
    out = rgb.copy()
    out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1][::-1, ::-1]
    return out


def torn_elbows(rgb: np.ndarray, pts: np.ndarray | None, k: int) -> np.ndarray:
    if pts is None:
        return rgb
    out = rgb.copy()
    corner = tuple(int(v) for v in rgb[5, 5])
    for side in ("left", "right"):
        e, w = np.array(_pt(pts, f"{side}_elbow")), np.array(_pt(pts, f"{side}_wrist"))
        d = (w - e) / max(1.0, float(np.linalg.norm(w - e)))
        a = e + 0.25 * (w - e)
        n = np.array([-d[1], d[0]]) * 2.5 * _width(pts)
        cv2.line(out, tuple(int(v) for v in a - n), tuple(int(v) for v in a + n), corner, max(6, _width(pts)))
    return out


def torso_hole_of(image: np.ndarray, silhouette: np.ndarray | None) -> Defect:
    outside = image[~silhouette] if silhouette is not None and (~silhouette).any() else image.reshape(-1, 3)
    colour = tuple(int(v) for v in np.median(outside, axis=0))

    def paint(rgb: np.ndarray, pts: np.ndarray | None, k: int) -> np.ndarray:
        if pts is None:
            return rgb
        out = rgb.copy()
        names = ("left_shoulder", "right_shoulder", "right_hip", "left_hip")
        quad = np.array([_pt(pts, n) for n in names], float)
        c = quad.mean(axis=0)
        cv2.fillConvexPoly(out, np.round(c + 0.45 * (quad - c)).astype(np.int32), colour)
        return out

    return paint


def zoomed(rgb: np.ndarray, pts: np.ndarray | None, k: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, 1.35)
    return cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def ghosts_of(image: np.ndarray, image_pts: np.ndarray, image_vis: np.ndarray) -> Defect:
    ref = GhostReference(image, image_pts, image_vis)
    lines = np.zeros(ref.shape, bool)
    for outline in ref.outlines.values():
        lines |= outline

    def paint(rgb: np.ndarray, pts: np.ndarray | None, k: int) -> np.ndarray:
        big = cv2.resize(lines.astype(np.uint8), (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
        out = rgb.astype(np.float32)
        out[big] = 0.5 * out[big] + 0.5 * 235.0
        return out.astype(np.uint8)

    return paint


def write_copies(output: Path, defects: dict[str, Defect], work: Path) -> dict[str, Path]:
    info = probe_video(output, field="output")
    paths = {name: work / f"{name}.mp4" for name in defects}
    encoders = {name: VideoEncoder(p, info.width, info.height, info.fps, crf=18) for name, p in paths.items()}
    with PoseEstimator(tracking=True, max_side=640) as est:
        for k, frame in enumerate(iter_frames(output, field="output")):
            obs = est.estimate(frame.rgb)
            pts = obs.pose.points if obs is not None else None
            for name, defect in defects.items():
                encoders[name].write(defect(frame.rgb, pts, k))
    for enc in encoders.values():
        enc.close()
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", type=Path, required=True)
    p.add_argument("--video", type=Path, required=True)
    p.add_argument("--output", type=Path, required=True, help="a clean render of the image and the video")
    p.add_argument("--orientation", default="image")
    p.add_argument("--joints", type=Path)
    p.add_argument("--work", type=Path, default=ROOT / "bench-results" / "validation")
    p.add_argument("--docs", help="write the table to docs/quality/validation_NAME.md and docs/QUALITY.md")
    a = p.parse_args(argv)
    a.work.mkdir(parents=True, exist_ok=True)
    joints = read_joints(a.joints) if a.joints else None
    image = load_image(a.image, field="image").rgb
    clean = measure(a.image, a.video, a.output, orientation=a.orientation, joints=joints)
    side = image_side(image, None, joints)
    defects: dict[str, Defect] = {"black_arms": black_arms, "upside_down": upside_down, "torn_elbows": torn_elbows,
                                  "torso_hole": torso_hole_of(image, side.silhouette), "zoomed": zoomed}  # fmt: skip
    if side.pose is not None:
        defects["ghosts"] = ghosts_of(image, side.pose.points, side.pose.visibility)
    copies = write_copies(a.output, defects, a.work)
    rows = [("clean", clean.report)] + [
        (name, measure(a.image, a.video, path, orientation=a.orientation, joints=joints).report)
        for name, path in copies.items()
    ]
    lines = [f"{a.output.name} — {a.image.name} with {a.video.name}, orientation {a.orientation}:", "",
             "| copy | person | moving within 20° | median ° | limb appearance | broken (flipped/holes/detached) "
             "| ghost frames (mean strength) | framing cut / mis-scaled |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows:
        v = r.viewer
        assert v is not None
        b, g, f = v.broken, v.ghosts, v.framing
        fr = f"{f.cut_frames} / {f.mis_scaled_frames} of {f.frames}" if f else "—"
        la = v.limb_appearance.share
        lines.append(f"| {name} | {100 * r.detection_rate:.0f}% | {100 * (r.fidelity.moving.within_20 or 0):.0f}% | "
              f"{r.fidelity.moving.median_deg or 0:.1f} | {'—' if la is None else f'{100 * la:.0f}%'} | "
              f"{b.broken} ({b.flipped}/{b.torso_holes}/{b.detached}) of {b.frames} | "
              f"{g.ghost_frames} of {g.frames} ({g.mean_strength or 0:.2f}) | {fr} |")
    table = "\n".join(lines) + "\n"
    print(table)
    (a.work / "validation.md").write_text(table)
    if a.docs:
        (ROOT / "docs" / "quality" / f"validation_{a.docs}.md").write_text(table)
        splice_all(ROOT / "docs" / "QUALITY.md")
    return 0


START, END = "<!-- validation:start (written by benchmarks/viewer_validation.py) -->", "<!-- validation:end -->"


def splice_all(page: Path) -> None:
    """Every docs/quality/validation_*.md, in name order, between the validation markers of ``page``."""
    text = page.read_text()
    if START not in text or END not in text:
        return
    tables = "\n\n".join(p.read_text().strip() for p in sorted(page.parent.glob("quality/validation_*.md")))
    head, rest = text.split(START, 1)
    page.write_text(f"{head}{START}\n\n{tables}\n\n{END}{rest.split(END, 1)[1]}")


if __name__ == "__main__":
    sys.exit(main())
