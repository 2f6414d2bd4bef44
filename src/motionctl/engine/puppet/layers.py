"""Cut the character into body-part layers: matte plus bone geometry, hidden texture completed."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from motionctl.engine.puppet.garments import tuck_under_garments
from motionctl.engine.puppet.limb_width import arm_radius, limb_radius
from motionctl.engine.puppet.rig import Joints, Skin, segment_distance

HAND_MOST = 1.8  # typical limb half-widths: the widest a hand's capsule gets

# Layer name -> bones (rig joint pairs), root side first. The first bone is the limb's anchor on the
# torso (where the limb attaches); the rest are the limb's own.
LIMB_BONES: dict[str, list[tuple[str, str, str]]] = {
    f"{side}_{limb}": bones
    for side in ("left", "right")
    for limb, bones in (
        ("arm", [("upper_torso", "mid_shoulder", f"{side}_shoulder"),
                 (f"{side}_upper_arm", f"{side}_shoulder", f"{side}_elbow"),
                 (f"{side}_forearm", f"{side}_elbow", f"{side}_wrist"),
                 (f"{side}_hand", f"{side}_wrist", f"{side}_hand")]),
        ("leg", [("lower_torso", "mid_hip", f"{side}_hip"),
                 (f"{side}_thigh", f"{side}_hip", f"{side}_knee"),
                 (f"{side}_shin", f"{side}_knee", f"{side}_ankle"),
                 (f"{side}_foot", f"{side}_ankle", f"{side}_toe")]),
    )
}  # fmt: skip


@dataclass
class Layer:
    name: str
    rgba: np.ndarray  # uint8 premultiplied RGBA crop
    origin: tuple[int, int]  # crop's top-left in the canvas
    skin: Skin
    outline: np.ndarray  # (K, 2) canvas points on the layer's edge, for destination bounds


@dataclass
class Parts:
    labels: np.ndarray  # 0 torso (with head), i+1 for limbs[i]
    radii: dict[str, float]  # bone -> capsule radius (pixels)
    tucked: frozenset[str]  # legs that come out of a skirt or dress: drawn behind the torso


def part_labels(image: np.ndarray, matte: np.ndarray, joints: Joints, limbs: list[str], body_scale: float) -> Parts:
    """Pixels join the limb whose capsule (a radius measured from the matte) holds them most
    tightly; the rest stays with the torso. A skirt stays with the torso, legs start at its hem."""
    h, w = matte.shape
    fg = matte > 0.5
    ys, xs = np.nonzero(fg)
    pts = np.stack([xs, ys], axis=-1).astype(np.float32)
    best = np.full(len(pts), np.inf, np.float32)
    label = np.zeros(len(pts), np.int32)
    radii: dict[str, float] = {}
    # Hands raised to the face must not take the face with them: arms stay out of the head disc.
    ear_gap = float(np.linalg.norm(joints["left_ear"] - joints["right_ear"])) if "left_ear" in joints else 0.0
    head_r = max(0.45 * ear_gap, 0.25 * float(np.linalg.norm(joints["head"] - joints["mid_shoulder"])))
    in_head = np.linalg.norm(pts - joints["head"], axis=-1) < head_r
    dist = cv2.distanceTransform(fg.astype(np.uint8), cv2.DIST_L2, 5)
    spine = (joints["mid_hip"], joints["mid_shoulder"])
    fallback = 0.09 * body_scale  # a typical limb's half-width
    for i, limb in enumerate(limbs):
        nd_limb = np.full(len(pts), np.inf, np.float32)
        for bone, ja, jb in LIMB_BONES[limb][1:]:
            a, b = joints[ja], joints[jb]
            # Legs are often inside a skirt or wide trousers: a tighter cap keeps the garment on
            # the body instead of splitting it between the legs.
            if limb.endswith("leg"):
                r = limb_radius(dist, a, b, fallback=fallback, most=1.3)
            else:
                r = arm_radius(dist, fg, a, b, spine, fallback=fallback)
            if bone.endswith(("hand", "foot")):
                # Pose points stop at the knuckles and the toe joint: spread fingers and the tip
                # of the foot reach further, and a hand is wider than its wrist.
                parent = radii.get(bone.replace("hand", "forearm").replace("foot", "shin"), r)
                r = max(r, (1.4 if bone.endswith("hand") else 1.0) * parent)
                if bone.endswith("hand"):
                    # A hand is as large as a hand, however wide the sleeve it comes out of: a wider
                    # disc takes the hem or the pocket the hand rests on (character_survey.py ``arms``).
                    r = min(r, HAND_MOST * fallback)
                b = a + (b - a) * (1.8 if bone.endswith("hand") else 1.3)
            radii[bone] = r
            nd_limb = np.minimum(nd_limb, segment_distance(pts, a, b) / r)
        if limb.endswith("arm"):
            nd_limb[in_head] = np.inf
        take = (nd_limb < 1.0) & (nd_limb < best)
        best[take] = nd_limb[take]
        label[take] = i + 1
    # A bare leg's half-width: the shin's, or a typical leg's where the shin is hidden too.
    bare = {limb: max(fallback, limb_radius(dist, joints[f"{limb[:-4]}_knee"], joints[f"{limb[:-4]}_ankle"], fallback)
                      / 1.35) for limb in limbs if limb.endswith("leg")}
    tucked = tuck_under_garments(image, pts, label, fg, joints, limbs, bare)
    # Sleeves hung on the arms: a sleeve is judged by where it hangs, not by its colour. Arms are not
    # separated from the body by colour: on dark arms over a dark body a colour cut (grabCut) gives the
    # body half of each arm, which then stays behind when the arm moves (benchmarks/matrix.py).
    _hanging_from_arms(pts, label, joints, limbs, radii, in_head | _trunk(joints, (h, w))[ys, xs])
    labels = np.zeros((h, w), np.int32)
    labels[ys, xs] = label
    _adopt_strays(labels, fg, joints)
    return Parts(labels, radii, frozenset(tucked))


def _trunk(joints: Joints, shape: tuple[int, int]) -> np.ndarray:
    """The quadrilateral of shoulders and hips: the body, where an arm lying across it hangs nothing."""
    trunk = np.zeros(shape, np.uint8)
    corners = [joints[n] for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip")]
    cv2.fillConvexPoly(trunk, cv2.convexHull(np.array(corners, np.int32)), 1)
    return trunk.astype(bool)


SLEEVE_REACH = 4.0  # arm radii: how far from an arm bone a hanging sleeve may reach
SLEEVE_MARGIN = 0.8  # a pixel joins an arm only if this much nearer to it than to the body's lines


def _hanging_from_arms(pts: np.ndarray, label: np.ndarray, joints: Joints, limbs: list[str],
                       radii: dict[str, float], in_head: np.ndarray) -> None:
    """Wide sleeves (and anything else hanging off an arm) outside the arm's capsule would stay on
    the torso and hang in the air where the arm was. A torso pixel clearly nearer to an arm bone
    than to the body's own lines (spine, shoulder and hip lines, legs: a leg left on the body runs down
    from its hip as the spine does) joins that arm."""
    torso = label == 0
    if not torso.any():
        return
    tp = pts[torso]
    body_lines = [(joints["mid_hip"], joints["mid_shoulder"]), (joints["left_shoulder"], joints["right_shoulder"]),
                  (joints["left_hip"], joints["right_hip"]), (joints["mid_shoulder"], joints["head"])]
    down = joints["mid_hip"] - joints["mid_shoulder"]
    for side in ("left", "right"):
        if f"{side}_leg" in limbs:
            body_lines += [(joints[a], joints[b]) for _, a, b in LIMB_BONES[f"{side}_leg"][1:3]]
        else:  # a leg the puppet leaves on the body (cut by the picture, in a skirt) is body too
            body_lines.append((joints[f"{side}_hip"], joints[f"{side}_hip"] + down))
    d_body = np.min([segment_distance(tp, a, b) for a, b in body_lines], axis=0)
    best = np.full(len(tp), np.inf, np.float32)
    take = np.zeros(len(tp), np.int32)
    for i, limb in enumerate(limbs):
        if not limb.endswith("arm"):
            continue
        bones = LIMB_BONES[limb][1:3]  # upper arm and forearm: hands have their own rule
        d = np.min([segment_distance(tp, joints[a], joints[b]) for _, a, b in bones], axis=0)
        r = max(radii.get(bones[0][0], 1.0), 1.0)
        ok = (d < SLEEVE_REACH * r) & (d < SLEEVE_MARGIN * d_body) & (d < best) & ~in_head[torso]
        best[ok] = d[ok]
        take[ok] = i + 1
    sub = label[torso]
    sub[take > 0] = take[take > 0]
    label[torso] = sub


# A stray piece joins a limb only when it is small beside that limb: a fingertip or a cuff is, a skirt
# or a sweater's hem cut off by folded arms is not, and stays on the body (benchmarks/character_survey.py
# ``arms``, benchmarks/matrix.py).
STRAY_SHARE = 0.35


def _adopt_strays(labels: np.ndarray, fg: np.ndarray, joints: Joints) -> None:
    """Torso-labelled pieces cut off from the torso by a limb (fingertips past the hand capsule, a
    sleeve's cuff) belong to the limb that touches them most, when they are small beside it."""
    rest = (fg & (labels == 0)).astype(np.uint8)
    n, comp = cv2.connectedComponents(rest, connectivity=8)
    h, w = labels.shape
    seeds = [joints["mid_shoulder"], joints["head"], (joints["mid_shoulder"] + joints["mid_hip"]) / 2,
             joints["mid_hip"], joints["left_hip"], joints["right_hip"]]
    anchors = {int(comp[min(max(int(p[1]), 0), h - 1), min(max(int(p[0]), 0), w - 1)]) for p in seeds}
    if len(anchors - {0}) == 0:  # no torso seed inside the silhouette: keep the largest piece
        sizes = np.bincount(comp.ravel())
        sizes[0] = 0
        anchors = {int(sizes.argmax())}
    limb_sizes = np.bincount(labels[fg].ravel())
    ring_kernel = np.ones((5, 5), np.uint8)
    for c in range(1, n):
        if c in anchors:
            continue
        piece = comp == c
        ring = cv2.dilate(piece.astype(np.uint8), ring_kernel).astype(bool) & ~piece
        touching = labels[ring]
        touching = touching[touching > 0]
        if len(touching):
            limb = int(np.bincount(touching).argmax())
            if piece.sum() <= STRAY_SHARE * limb_sizes[limb]:
                labels[piece] = limb


def complete_hidden(image: np.ndarray, own: np.ndarray, zone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Texture for the parts of a layer hidden behind others in the image (inside ``zone``).

    Returns the completed colour image and the layer's coverage (own pixels + completed ones).
    Inpainting runs on the zone's bounding box at a reduced size: the fill is smooth anyway.
    """
    hole = zone & ~own
    cover = own | zone
    if not hole.any():
        return image, cover
    ys, xs = np.nonzero(cover)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    crop = image[y0:y1, x0:x1]
    hole_c = hole[y0:y1, x0:x1].astype(np.uint8)
    # Hide everything that is not this layer, so the fill borrows only the layer's own colours.
    scale = min(1.0, 256 / max(crop.shape[:2]))
    small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    unknown = cv2.resize((~own[y0:y1, x0:x1]).astype(np.uint8), small.shape[1::-1],
                         interpolation=cv2.INTER_NEAREST)
    filled = cv2.inpaint(small, unknown, 5, cv2.INPAINT_TELEA)
    up = cv2.resize(filled, crop.shape[1::-1], interpolation=cv2.INTER_LINEAR)
    out = image.copy()
    region = out[y0:y1, x0:x1]
    region[hole_c > 0] = up[hole_c > 0]
    return out, cover


def make_layer(name: str, image: np.ndarray, alpha: np.ndarray, skin: Skin, margin: int = 2) -> Layer | None:
    ys, xs = np.nonzero(alpha > 0.02)
    if len(xs) == 0:
        return None
    h, w = alpha.shape
    y0, y1 = max(ys.min() - margin, 0), min(ys.max() + margin + 1, h)
    x0, x1 = max(xs.min() - margin, 0), min(xs.max() + margin + 1, w)
    a = alpha[y0:y1, x0:x1, None].astype(np.float32)
    rgba = np.concatenate([image[y0:y1, x0:x1].astype(np.float32) * a, a * 255.0], axis=-1)
    rgba = np.clip(rgba + 0.5, 0, 255).astype(np.uint8)
    return Layer(name, np.ascontiguousarray(rgba), (int(x0), int(y0)), skin, outline_points(alpha > 0.02))


OUTLINE_POINTS = 400  # about this many points at most: enough to bound a moved layer, cheap to move


def outline_points(mask: np.ndarray) -> np.ndarray:
    """(K, 2) float32 points, in ``mask``'s pixels, on the outer edges of ``mask``."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = np.concatenate([c.reshape(-1, 2) for c in contours]).astype(np.float32)
    if len(outline) > OUTLINE_POINTS:
        outline = outline[:: len(outline) // OUTLINE_POINTS + 1]
    return outline
