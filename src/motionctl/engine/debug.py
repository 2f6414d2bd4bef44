"""Debug pictures a user wants when a result looks wrong: skeletons, the rig, a preview sheet."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.types import BONES, JOINT
from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.deform import GRID
from motionctl.engine.puppet.plane import rot

PART_COLOURS = [(200, 200, 200), (230, 60, 60), (60, 200, 80), (60, 90, 230), (230, 200, 40)]
EXTRA_BONES = (("left_elbow", "left_wrist"), ("nose", "left_ear"), ("nose", "right_ear"),
               ("left_wrist", "left_index"), ("right_wrist", "right_index"),
               ("left_ankle", "left_foot_index"), ("right_ankle", "right_foot_index"))  # fmt: skip


def draw_skeleton(image: np.ndarray, points: np.ndarray, visibility: np.ndarray | None = None,
                  colour: tuple[int, int, int] = (255, 64, 64)) -> np.ndarray:
    out = image.copy()
    t = max(1, int(0.004 * max(image.shape[:2])))
    pairs = [(a, b) for _, a, b in BONES] + list(EXTRA_BONES)
    for a, b in pairs:
        ia, ib = JOINT[a], JOINT[b]
        if visibility is not None and min(visibility[ia], visibility[ib]) < 0.3:
            continue
        pa, pb = tuple(int(v) for v in points[ia]), tuple(int(v) for v in points[ib])
        cv2.line(out, pa, pb, colour, t, cv2.LINE_AA)
    for i, p in enumerate(points):
        if visibility is None or visibility[i] >= 0.3:
            cv2.circle(out, tuple(int(v) for v in p), t + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return out


def rig_picture(character: Character) -> np.ndarray:
    """Parts tinted, each layer's mesh grid drawn where the layer has pixels, joints marked, and the
    background plate beside it."""
    img = character.image.astype(np.float32)
    tint = np.array([PART_COLOURS[i % len(PART_COLOURS)] for i in range(len(character.limbs) + 1)], np.float32)
    fg = (character.matte > 0.5)[..., None]
    img = np.where(fg, 0.55 * img + 0.45 * tint[character.labels], img * 0.6).astype(np.uint8)
    step = GRID * 3
    for layer in character.layers:
        x0, y0 = layer.origin
        h, w = layer.rgba.shape[:2]
        alpha = layer.rgba[..., 3] > 10
        for y in range(0, h, step):
            xs = np.nonzero(alpha[y])[0]
            if len(xs):
                cv2.line(img, (x0 + int(xs.min()), y0 + y), (x0 + int(xs.max()), y0 + y), (255, 255, 255), 1)
        for x in range(0, w, step):
            ys = np.nonzero(alpha[:, x])[0]
            if len(ys):
                cv2.line(img, (x0 + x, y0 + int(ys.min())), (x0 + x, y0 + int(ys.max())), (255, 255, 255), 1)
    for bone, turn in character.turns.items():  # a forearm read off its silhouette: the axis it turns about
        side = bone.split("_")[0]
        a, b = character.joints[f"{side}_elbow"], character.joints[f"{side}_wrist"]
        end = a + rot(b - a, turn)
        cv2.line(img, tuple(int(v) for v in a), tuple(int(v) for v in end), (255, 0, 255), 2, cv2.LINE_AA)
        cv2.putText(img, f"axis {np.degrees(turn):+.0f} deg", (int(end[0]) + 6, int(end[1]) + 14),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 0, 255), 1)
    for name, p in character.joints.items():
        cv2.circle(img, tuple(int(v) for v in p), 5, (255, 40, 40), -1, cv2.LINE_AA)
        cv2.putText(img, name, (int(p[0]) + 6, int(p[1])), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 0), 1)
    return np.hstack([img, character.plate])


def side_by_side(driver: np.ndarray, output: np.ndarray, height: int = 360) -> np.ndarray:
    def fit(im: np.ndarray) -> np.ndarray:
        return cv2.resize(im, (max(1, round(im.shape[1] * height / im.shape[0])), height), interpolation=cv2.INTER_AREA)

    return np.hstack([fit(driver), fit(output)])


def contact_sheet(tiles: list[np.ndarray], columns: int = 4) -> np.ndarray:
    """Tiles of one height in rows of ``columns``; short rows are padded black."""
    if not tiles:
        return np.zeros((8, 8, 3), np.uint8)
    width = max(t.shape[1] for t in tiles)
    padded = [np.pad(t, ((0, 0), (0, width - t.shape[1]), (0, 0))) for t in tiles]
    while len(padded) % columns:
        padded.append(np.zeros_like(padded[0]))
    rows = [np.hstack(padded[i : i + columns]) for i in range(0, len(padded), columns)]
    return np.vstack(rows)
