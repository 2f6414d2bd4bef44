"""The character analysis over a set of images, without a driver: what a user sees first.

For each image: the image's perception (pose views, segmentation; cached in ``--cache``), the puppet
(puppet/character.py) at the output size, and the puppet posed with its arms raised and its legs
apart (orientation image). Prints, per character and as worst / median over the set:

- ``pose``: how the pose was found (``found``, ``views`` when only the extra views found it,
  ``none`` when nothing did: the engine then refuses without ``--joints``);
- ``foreign``: the share of the limb layers' opaque pixels whose colour lies far (Lab distance) from
  every colour of the limb's core (pixels within half a radius of its bones): an arm that carries the
  shorts, the torso or the background it lay on in the image;
- ``holes``: with the arms raised, the share of the body (the silhouette without arms and legs,
  closed over where the arms lay on it) that no layer covers: the plate showing through;
- ``arms``: the share of the silhouette the arm layers take (a person's arms are a small part of
  it; an arm that took the jacket or the dress it lay on takes a large one);
- ``limbs``: the limbs the puppet animates (leftA: left arm, rightL: right leg; ``-``: none, a still);
- ``ring``: the plate's mean gradient in a band just outside the character's silhouette against the
  band beyond it (1.0: no outline left; higher: a pale or dark outline of the character in the plate).

Writes ``<out>/<name>.png``: the rig (parts, joints) and plate, and the posed frame.

    python benchmarks/character_survey.py --out /tmp/survey [--only NAME ...]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.types import JOINT, Orientation
from motionctl.engine.debug import rig_picture
from motionctl.engine.image_perception import ImageJob, ImagePerception, perceive_image
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.character import Character, analyze_character
from motionctl.engine.puppet.layers import LIMB_BONES
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Retargeter
from motionctl.media.decode import load_image
from motionctl.media.encode import output_size

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"


def characters() -> list[Path]:
    found = sorted(p for p in (SHARED / "characters").iterdir() if p.suffix in (".png", ".jpg", ".jpeg"))
    pairs = SHARED / "pairs"
    return found + [pairs / "fullbody_cartoon" / "image.png", pairs / "upperbody_elf" / "image.jpeg"]


def perception(path: Path, cache: Path) -> ImagePerception:
    key = cache / (path.parent.name + "__" + path.stem + ".pkl")
    if key.exists():
        return pickle.loads(key.read_bytes())
    seen = perceive_image(ImageJob(path, 1024, None, False))
    key.write_bytes(pickle.dumps(seen))
    return seen


def _turned(points: np.ndarray, pivot: str, names: tuple[str, ...], angle: float) -> None:
    c, s = np.cos(angle), np.sin(angle)
    r = np.array([[c, -s], [s, c]], np.float32)
    p = points[JOINT[pivot]].copy()
    for n in names:
        points[JOINT[n]] = (points[JOINT[n]] - p) @ r.T + p


def raised(points: np.ndarray) -> np.ndarray:
    """The pose with both arms raised diagonally, straight, and the legs a little apart."""
    out = points.copy()
    for side, sign in (("left", 1.0), ("right", -1.0)):
        sh = out[JOINT[f"{side}_shoulder"]]
        chain = [f"{side}_{n}" for n in ("elbow", "wrist", "index", "pinky", "thumb")]
        upper = float(np.linalg.norm(out[JOINT[chain[0]]] - sh))
        length = upper + float(np.linalg.norm(out[JOINT[chain[1]]] - out[JOINT[chain[0]]]))
        direction = np.array([sign * np.cos(np.radians(40)), -np.sin(np.radians(40))], np.float32)
        out[JOINT[chain[0]]] = sh + direction * upper
        out[JOINT[chain[1]]] = sh + direction * length
        for tip in chain[2:]:
            out[JOINT[tip]] = sh + direction * length * 1.15
        legs = [f"{side}_{n}" for n in ("knee", "ankle", "heel", "foot_index")]
        _turned(out, f"{side}_hip", tuple(legs), np.radians(-sign * 12))
    return out


def posed(ch: Character, pose_points: np.ndarray, vis: np.ndarray):  # type: ignore[no-untyped-def]
    rt = Retargeter(ch, ch.size, Orientation.IMAGE)
    z = np.zeros(33, np.float32)
    rt.prime([DriverFrame(0, 0.0, pose_points, z, vis, None)])
    return rt.pose(DriverFrame(1, 0.04, raised(pose_points), z, vis, None))


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.reshape(-1, 1, 3).astype(np.uint8), cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)


def _core(ch: Character, limb: str, share: float = 0.03) -> np.ndarray:
    """The limb's pixels along its bones (upper arm, forearm), ``share`` of the body's size either side."""
    from motionctl.engine.puppet.rig import segment_distance

    h, w = ch.matte.shape
    ys, xs = np.mgrid[0:h, 0:w]
    pts = np.stack([xs.ravel(), ys.ravel()], -1).astype(np.float32)
    near = np.zeros(h * w, bool)
    for _, a, b in LIMB_BONES[limb][1:3]:
        near |= segment_distance(pts, ch.joints[a], ch.joints[b]) < share * ch.body_scale
    return near.reshape(h, w) & (ch.matte > 0.5)


FAR = 22.0  # Lab distance: a colour this far from every core colour is not the limb's


def _far_share(colours: np.ndarray, core: np.ndarray) -> float:
    if len(colours) == 0 or len(core) == 0:
        return 0.0
    rng = np.random.default_rng(0)
    core = core[rng.choice(len(core), min(len(core), 600), replace=False)]
    colours = colours[rng.choice(len(colours), min(len(colours), 3000), replace=False)]
    d = np.min(np.linalg.norm(colours[:, None, :] - core[None, :, :], axis=-1), axis=1)
    return float((d > FAR).mean())


def foreign(ch: Character) -> float:
    """Worst arm's share of layer pixels far from its core colours."""
    worst = 0.0
    lab = _lab(ch.image).reshape(ch.image.shape)
    for layer in ch.layers:
        if not layer.name.endswith("arm"):
            continue
        x0, y0 = layer.origin
        a = layer.rgba[..., 3] > 128
        ys, xs = np.nonzero(a)
        colours = lab[ys + y0, xs + x0]
        core = lab[_core(ch, layer.name)]
        worst = max(worst, _far_share(colours, core))
    return worst


def coverage(ch: Character, posed) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Where the posed layers cover the canvas (0..1): drawn over a black and a white plate."""
    r = Renderer(ch)
    r.plate = np.zeros_like(ch.plate)
    black = r.render(posed).astype(np.float32)
    r.plate = np.full_like(ch.plate, 255)
    white = r.render(posed).astype(np.float32)
    return 1.0 - (white - black).mean(-1) / 255.0


def holes(ch: Character, cover: np.ndarray) -> float:
    """Share of the body (the silhouette without the arms, closed over where the arms lay on it) that
    the posed layers leave uncovered: the plate showing through the body where an arm was."""
    arms = np.isin(ch.labels, [i + 1 for i, limb in enumerate(ch.limbs) if limb.endswith("arm")])
    fg = ch.matte > 0.5
    k = max(3, int(0.12 * ch.body_scale)) | 1
    body = cv2.morphologyEx((fg & ~arms).astype(np.uint8), cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool) & fg
    legs = np.isin(ch.labels, [i + 1 for i, limb in enumerate(ch.limbs) if limb.endswith("leg")])
    body &= ~legs
    if not body.any():
        return 0.0
    return float((cover[body] < 0.5).mean())


def ring(ch: Character) -> float:
    """The plate's gradient just outside the silhouette against the band beyond."""
    grey = cv2.cvtColor(ch.plate, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    outside = cv2.distanceTransform((ch.matte <= 0.02).astype(np.uint8), cv2.DIST_L2, 5)
    d = 0.04 * float(np.hypot(*ch.matte.shape))
    near = (outside > 0) & (outside < 1.5 * d)
    beyond = (outside >= 1.5 * d) & (outside < 3.0 * d)
    if not near.any() or not beyond.any():
        return 1.0
    return float(g[near].mean() / max(g[beyond].mean(), 1.0))


def survey_one(path: Path, cache: Path, out: Path) -> dict[str, object]:
    loaded = load_image(path, field="image")
    canvas = output_size(loaded.width, loaded.height, "720p")
    t = time.perf_counter()
    seen = perception(path, cache)
    row: dict[str, object] = {"name": path.stem if path.parent.name == "characters" else path.parent.name}
    if seen.pose is None or not np.all(seen.pose.visibility[[11, 12]] >= 0.5):
        row["pose"] = "none"
        return row
    row["pose"] = "found"
    ch = analyze_character(loaded.rgb, loaded.alpha, canvas, pose=seen.pose, seg_mask=seen.mask)
    row["analysis_s"] = time.perf_counter() - t
    fg = ch.matte > 0.5
    arm_ids = [i + 1 for i, limb in enumerate(ch.limbs) if limb.endswith("arm")]
    row["arms"] = float((np.isin(ch.labels, arm_ids) & fg).sum() / max(int(fg.sum()), 1))
    row["limbs"] = ",".join(limb.replace("_arm", "A").replace("_leg", "L") for limb in ch.limbs) or "-"
    sx, sy = canvas[0] / loaded.width, canvas[1] / loaded.height
    pts = seen.pose.points * np.array([sx, sy], np.float32)
    p = posed(ch, pts, seen.pose.visibility)
    frame = Renderer(ch).render(p)
    row.update(foreign=foreign(ch), holes=holes(ch, coverage(ch, p)), ring=ring(ch))
    rig = rig_picture(ch)
    sheet = np.hstack([rig, frame])
    scale = min(1.0, 1800 / sheet.shape[1])
    sheet = cv2.resize(sheet, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(out / f"{row['name']}.png"), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/character_survey_cache"))
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in characters():
        if args.only and not any(o in str(path) for o in args.only):
            continue
        row = survey_one(path, args.cache, args.out)
        rows.append(row)
        cells = [f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()]
        print("  ".join(cells), flush=True)
    for key, worst in (("foreign", max), ("holes", max), ("ring", max)):
        vals = [float(r[key]) for r in rows if key in r]  # type: ignore[arg-type]
        if vals:
            print(f"{key}: worst {worst(vals):.3f}  median {float(np.median(vals)):.3f}  over {len(vals)}")
    print(f"pose found: {sum(r['pose'] == 'found' for r in rows)} of {len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
