"""Character analysis, once per image: pose, matte, layers, skinning and the background plate."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import cv2
import numpy as np

from motionctl.core.errors import ContentRejected, rule_violation
from motionctl.core.types import JOINT, JOINT_COUNT, Pose
from motionctl.engine.puppet.background import background_plate
from motionctl.engine.puppet.layers import LIMB_BONES, Layer, Parts, complete_hidden, make_layer, part_labels
from motionctl.engine.puppet.limb_axes import forearm_turns
from motionctl.engine.puppet.matte import character_matte
from motionctl.engine.puppet.rig import Joints, Skin, rig_joints

REQUIRED_JOINTS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


@dataclass
class Character:
    size: tuple[int, int]  # canvas (width, height)
    image: np.ndarray  # canvas-sized RGB
    matte: np.ndarray
    plate: np.ndarray
    joints: Joints  # rig joints in canvas pixels
    layers: list[Layer]
    labels: np.ndarray  # 0 torso, i+1 limb i (debug pictures)
    limbs: list[str]  # animated limbs, e.g. ["left_arm", "right_leg"]
    full_body: bool
    radii: dict[str, float] = field(default_factory=dict)
    face: np.ndarray | None = None  # (478, 2) face-mesh points in canvas pixels, pro only
    face_z: np.ndarray | None = None  # (478,) their depth, in canvas pixels (elements turn the face in 3D)
    tucked: frozenset[str] = frozenset()  # legs coming out of a skirt: always drawn behind the torso
    # bone -> radians from the rig's bone to the limb's axis, where its silhouette says (limb_axes.py)
    turns: dict[str, float] = field(default_factory=dict)
    doubt: str | None = None  # why the detected pose is uncertain (the user is told), None when sure

    @property
    def body_scale(self) -> float:
        return body_scale(self.joints)


def limbs_doubt(character: Character) -> str | None:
    """What the user should hear when the image leaves arms the puppet cannot move (the detector
    barely sees their elbows or wrists, or the picture cuts them): those arms stay as drawn."""
    still = [side for side in ("left", "right") if f"{side}_arm" not in character.limbs]
    if not still:
        return None
    which = "both arms" if len(still) == 2 else f"the {still[0]} arm"
    return f"{which} could not be read in the image (elbow or wrist not seen, or outside it) and stay as drawn"


def body_scale(j: Joints) -> float:
    shoulders = float(np.linalg.norm(j["left_shoulder"] - j["right_shoulder"]))
    spine = float(np.linalg.norm(j["mid_shoulder"] - j["mid_hip"]))
    return max(shoulders * 1.6, spine, 1.0)


def pose_from_joints(joints: dict[str, tuple[float, float]], size: tuple[int, int]) -> Pose:
    """A pose from user-given joints (name -> pixel), for characters no detector can read."""
    unknown = sorted(set(joints) - set(JOINT) - {"head", "neck"})
    if unknown:
        raise rule_violation(ContentRejected, "joints", f"names must be among {', '.join(JOINT)}, head", unknown)
    missing = [n for n in REQUIRED_JOINTS if n not in joints]
    if missing:
        raise rule_violation(ContentRejected, "joints", "must give both shoulders and both hips", missing)
    w, h = size
    for name, (x, y) in joints.items():
        if not (0 <= x <= w and 0 <= y <= h):
            raise rule_violation(ContentRejected, "joints", f"{name} must lie inside the {w}x{h} image", (x, y))
    pts = np.zeros((JOINT_COUNT, 2), np.float32)
    vis = np.zeros(JOINT_COUNT, np.float32)
    for name, xy in joints.items():
        if name in JOINT:
            pts[JOINT[name]] = xy
            vis[JOINT[name]] = 1.0
    j = {n: pts[i] for n, i in JOINT.items()}
    mid_sh = (j["left_shoulder"] + j["right_shoulder"]) / 2
    head = np.asarray(joints.get("head", mid_sh + (mid_sh - (j["left_hip"] + j["right_hip"]) / 2) * 0.45), np.float32)
    for name in ("nose", "left_ear", "right_ear"):
        if vis[JOINT[name]] == 0:
            pts[JOINT[name]] = head
            vis[JOINT[name]] = 1.0
    for side in ("left", "right"):  # hands and feet extend their limb when not given
        for a, b, tips in (("elbow", "wrist", ("index", "pinky")), ("knee", "ankle", ("foot_index",))):
            ia, ib = JOINT[f"{side}_{a}"], JOINT[f"{side}_{b}"]
            if vis[ia] and vis[ib]:
                for tip in tips:
                    it = JOINT[f"{side}_{tip}"]
                    if vis[it] == 0:
                        pts[it] = pts[ib] + 0.3 * (pts[ib] - pts[ia])
                        vis[it] = 1.0
    return Pose(points=pts, visibility=vis, z=np.zeros(JOINT_COUNT, np.float32))


def _limb_ok(pose: Pose, limb: str, size: tuple[int, int]) -> bool:
    w, h = size
    for _, ja, jb in LIMB_BONES[limb][1:3]:
        for name in (ja, jb):
            i = JOINT[name]
            x, y = pose.points[i]
            if pose.visibility[i] < 0.3 or not (0 <= x < w and 0 <= y < h):
                return False
    return True


def analyze_character(
    rgb: np.ndarray,
    alpha: np.ndarray | None,
    canvas: tuple[int, int],
    *,
    pose: Pose,
    seg_mask: np.ndarray | None,
    step: Callable[[float], None] | None = None,
) -> Character:
    """Build the puppet from the image (at any size) onto a canvas of ``canvas`` = (w, h).
    ``step(fraction)`` is called as each numbered step ends (the pipeline's progress, where a
    cancelled task stops)."""
    done = step or (lambda _fraction: None)
    # 1. Matte: the image's own alpha, else segmentation, else (a drawing) keying or GrabCut.
    h0, w0 = rgb.shape[:2]
    matte0 = character_matte(rgb, alpha, seg_mask, pose)
    done(1 / 6)

    # 2. Everything onto the canvas.
    cw, ch = canvas
    sx, sy = cw / w0, ch / h0
    image = cv2.resize(rgb, canvas, interpolation=cv2.INTER_AREA if sx < 1 else cv2.INTER_CUBIC)
    matte = np.clip(cv2.resize(matte0, canvas, interpolation=cv2.INTER_LINEAR), 0, 1)
    points = pose.points * np.array([sx, sy], np.float32)
    cpose = Pose(points=points, visibility=pose.visibility, z=pose.z)
    joints = rig_joints(points)
    limbs = [limb for limb in LIMB_BONES if _limb_ok(cpose, limb, canvas)]
    full_body = all(limb in limbs for limb in ("left_leg", "right_leg"))
    scale = body_scale(joints)

    # Steps 5 (the background plate) and 6 (the forearms' drawn axes) need only the canvas image, the
    # matte and (6) the part labels, and their numpy and OpenCV calls release the GIL: on threads they
    # overlap steps 3-4. The analysis is on the critical path before the first frame, and in pro the
    # driver's analysis is often done before it, leaving a core free (benchmarks/element_speed.py,
    # benchmarks/ab.py). A step that raises (a cancelled run's progress callback) does not wait for them.
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="motionctl-character")
    try:
        plate_job = pool.submit(background_plate, image, matte)
        # 3. Part labels from the matte and the bones; hidden torso texture completed under the limbs.
        parts = part_labels(image, matte, joints, limbs, scale)
        fg = matte > 0.5
        turns_job = pool.submit(forearm_turns, parts.labels, fg, joints, limbs)
        done(2 / 6)
        layers = _layers(image, matte, fg, parts, joints, limbs, full_body, done)  # 3-4
        plate = plate_job.result()  # 5. The background with the character removed.
        done(5 / 6)
        turns = turns_job.result()  # 6. Where the forearms are drawn (limb_axes.py).
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    done(1.0)
    return Character(canvas, image, matte, plate, joints, layers, parts.labels, limbs, full_body, parts.radii,
                     tucked=parts.tucked, turns=turns)


def _layers(image: np.ndarray, matte: np.ndarray, fg: np.ndarray, parts: Parts, joints: Joints, limbs: list[str],
            full_body: bool, done: Callable[[float], None]) -> list[Layer]:
    """Steps 3-4 of analyze_character after the part labels: the hidden torso texture completed under
    the limbs, then the layers with their skins."""
    labels, radii = parts.labels, parts.radii
    torso_own = fg & (labels == 0)
    zone_b = _torso_zone(fg, joints, full_body) | (_behind_arms(labels, fg, limbs, radii) & fg)
    # The fill borrows nothing from the rim around the limbs: the arm's edge pixels the cut left to
    # the body (and anti-aliased edges) would draw a pale outline of the arm on the body where it lay.
    rim = cv2.dilate((labels > 0).astype(np.uint8), np.ones((2 * LIMB_RIM + 1,) * 2, np.uint8)).astype(bool)
    torso_image, torso_cover = complete_hidden(image, torso_own & ~(rim & zone_b), zone_b)
    done(3 / 6)
    # 4. Layers with their skins.
    torso_alpha = np.where(torso_cover, np.maximum(matte, zone_b.astype(np.float32)), 0.0)
    torso_alpha = _soften(torso_alpha, torso_cover)
    torso_skin = Skin("torso", ["lower_torso", "upper_torso", "head"],
                      [(joints["mid_hip"], joints["mid_shoulder"])] * 2 + [(joints["mid_shoulder"], joints["head"])],
                      blend=0.0)
    layers = []
    torso = make_layer("torso", *extend_below(torso_image, torso_alpha), torso_skin)
    if torso is not None:
        layers.append(torso)
    layers += _limb_layers(image, matte, labels, radii, joints, limbs)
    done(4 / 6)
    return layers


def _torso_zone(fg: np.ndarray, joints: Joints, full_body: bool) -> np.ndarray:
    """Where the torso layer must have texture of its own, under any limb: the shoulders-to-hips hull
    (to 0.7 of the way down for a bust) and the head, within the silhouette."""
    zone_pts = [joints["left_shoulder"], joints["right_shoulder"], joints["mid_shoulder"]]
    zone_pts += [joints["right_hip"], joints["left_hip"]] if full_body else [
        joints["right_shoulder"] + (joints["mid_hip"] - joints["mid_shoulder"]) * 0.7,
        joints["left_shoulder"] + (joints["mid_hip"] - joints["mid_shoulder"]) * 0.7]
    zone = np.zeros(fg.shape, np.uint8)
    cv2.fillConvexPoly(zone, cv2.convexHull(np.array(zone_pts, np.int32)), 1)
    # The head too: hands held to the face in the image must not leave a hole in it when they move.
    head_r = 0.8 * float(np.linalg.norm(joints["head"] - joints["mid_shoulder"]))
    cv2.circle(zone, tuple(int(v) for v in joints["head"]), int(head_r), 1, -1)
    return zone.astype(bool) & fg


def _limb_layers(image: np.ndarray, matte: np.ndarray, labels: np.ndarray, radii: dict[str, float],
                 joints: Joints, limbs: list[str]) -> list[Layer]:
    """One layer per limb (labels: i + 1 for limb i), skinned to the limb's own bones."""
    layers = []
    for i, limb in enumerate(limbs):
        own = labels == i + 1
        # The limb's own bones only: blending the shoulder (hip) region with the torso's motion
        # leaves a ghost of the limb's image pose there when the limb swings far.
        bones = LIMB_BONES[limb][1:]
        skin = Skin("chain", [b for b, _, _ in bones], [(joints[a], joints[b]) for _, a, b in bones],
                    blend=0.6 * radii[bones[0][0]])
        layer = make_layer(limb, image, fade_cut_end(_soften(matte * own, own)), skin)
        if layer is not None:
            layers.append(layer)
    return layers


LIMB_RIM = 4  # px around the limbs, inside the completed zone, that the torso's fill paints over


def _behind_arms(labels: np.ndarray, fg: np.ndarray, limbs: list[str], radii: dict[str, float]) -> np.ndarray:
    """The arms' pixels the body surrounds in the image (a hand on the hip, an arm between long
    strands of hair): the body continues behind them, so the torso layer is completed there too,
    where outside the shoulders-and-hips zone the plate showed through when the arm moved away."""
    arms = [i + 1 for i, limb in enumerate(limbs) if limb.endswith("arm")]
    if not arms:
        return np.zeros(fg.shape, bool)
    reach = max(radii.get(f"{limb[:-4]}_forearm", 0.0) for limb in limbs if limb.endswith("arm"))
    r = max(1.5, 1.25 * reach)
    rest = (fg & ~np.isin(labels, arms)).astype(np.uint8)
    # A closing by a disc of radius r, as two distance transforms (a 100 px disc's morphology: ~2 s).
    grown = cv2.distanceTransform(1 - rest, cv2.DIST_L2, 5) <= r
    closed = cv2.distanceTransform(grown.astype(np.uint8), cv2.DIST_L2, 5) > r
    return closed & np.isin(labels, arms)


EXTEND_BELOW = 0.3  # share of the canvas height a body cut off by the image's bottom edge is continued


def extend_below(image: np.ndarray, alpha: np.ndarray, share: float = EXTEND_BELOW) -> tuple[np.ndarray, np.ndarray]:
    """A body the image cuts off at its bottom edge (a bust, a half-length portrait) continued below
    the edge by reflection, fading out at the end of the extension. Placed higher than in the image
    (orientation video follows a driver framed with more room below the shoulders), it otherwise
    ended in a straight cut with the background under it. Unchanged when nothing touches the edge.
    Limbs are not extended: a reflected elbow or forearm reads as a second, broken limb."""
    h, w = alpha.shape
    if (alpha[-1] > 0.5).mean() < 0.02:
        return image, alpha
    extra = max(2, int(share * h))
    image_x = cv2.copyMakeBorder(image, 0, extra, 0, 0, cv2.BORDER_REFLECT_101)
    alpha_x = cv2.copyMakeBorder(alpha, 0, extra, 0, 0, cv2.BORDER_REFLECT_101)
    fade = np.ones(h + extra, np.float32)
    fade[h:] = np.clip(np.linspace(1.6, 0.0, extra), 0.0, 1.0)  # full for the first part, then out
    return image_x, (alpha_x * fade[:, None]).astype(np.float32)


CUT_FADE = 0.05  # share of the canvas height over which a limb the bottom edge cuts fades out


def fade_cut_end(alpha: np.ndarray, share: float = CUT_FADE) -> np.ndarray:
    """A limb the image's bottom edge cuts (e.g. a bust's arms, just below the elbows) ends in a
    straight line: moved up from the edge it shows as a hard cut with nothing beyond it, and a folded
    arm as two strips side by side that re-detection reads as one hanging arm. Faded out over the last
    ``share`` of the height, it ends softly (benchmarks/spread.py). Unchanged when the limb does not
    reach the edge."""
    if int((alpha[-1] > 0.5).sum()) < 2:
        return alpha
    h = alpha.shape[0]
    n = max(2, int(share * h))
    ramp = np.ones(h, np.float32)
    ramp[h - n:] = np.linspace(1.0, 0.0, n, dtype=np.float32)
    return (alpha * ramp[:, None]).astype(np.float32)


def _soften(alpha: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Anti-alias cut edges inside the silhouette (where one part meets another)."""
    blurred = cv2.GaussianBlur(own.astype(np.float32), (3, 3), 0)
    return (alpha * blurred).astype(np.float32)
