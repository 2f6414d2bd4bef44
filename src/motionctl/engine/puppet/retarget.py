"""Retargeting: bone directions from the driver, bone lengths from the character.

For each driver frame the retargeter places the character's rig on the canvas and returns, per
bone, the affine map from the character's image to the frame, plus the layers' drawing order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from motionctl.core.types import JOINT, VISIBLE, Orientation, joint_indices
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.character import Character, body_scale
from motionctl.engine.puppet.framing import (
    Room,
    arm_fit,
    hand_outlines,
    hands_inside,
    upper_arm_share,
)
from motionctl.engine.puppet.image_fit import Fit
from motionctl.engine.puppet.layers import LIMB_BONES
from motionctl.engine.puppet.plane import (
    UsualAngle,
    angle_of,
    moved_by,
    rot,
    scaled_about,
    turned_about,
    unit,
    wrapped,
)
from motionctl.engine.puppet.rig import ARM_CHAIN, LEG_CHAIN, BoneFrame, Joints, bone_affine, rig_joints
from motionctl.engine.puppet.torso import TorsoTurns, torso_turns

# Hand orientation (pro): the hand turns at the wrist by as much as the driver's hand is bent away from
# its usual bend, at most HAND_BEND, as far as the driver's knuckles are seen (BlazePose's visibility
# of index and pinky): the wrist then bends with the driver's instead of keeping the image's angle
# (benchmarks/hands.py).
HAND_BEND = np.radians(30.0)
KNUCKLES_SEEN = (0.3, 0.7)  # the turn fades in between these visibilities
KNUCKLES = {side: joint_indices(f"{side}_pinky", f"{side}_index") for side in ("left", "right")}
# Head roll (pro): the head tilts about its centre by as much as the driver's eye line (the face mesh's
# roll) leaves its usual angle to the driver's neck, at most HEAD_TILT. The neck's own turn is already
# the head bone's, so only the tilt the neck does not show is added.
HEAD_TILT = np.radians(25.0)
HIPS = joint_indices("left_hip", "right_hip")
# A limb's depth against the body: its middle and end joints' mean against its root joint.
LIMB_DEPTH_JOINTS = {"arm": ("elbow", "wrist", "shoulder"), "leg": ("knee", "ankle", "hip")}


@dataclass
class Posed:
    affines: dict[str, np.ndarray]  # bone -> 2x3 source->canvas
    joints: Joints  # destination rig joints (canvas pixels)
    order: list[str]  # layer names, back to front
    room: Room = Room()  # orientation video: the sideways moves that keep the hands inside (px)

    def moved(self, dx: float) -> Posed:
        if not dx:
            return self
        affines, out = moved_by(np.array([dx, 0.0]), self.affines, self.joints)
        return Posed(affines, out, self.order, self.room)

    def fitted(self, fit: Fit) -> Posed:
        """Scaled about the fit's anchor, then moved (orientation image: image_fit.ImageFit)."""
        aff, out = scaled_about(np.array(fit.anchor), fit.scale, self.affines, self.joints)
        aff, out = moved_by(np.array(fit.shift), aff, out)
        return Posed(aff, out, self.order, self.room)


def _eye_to_neck(driver_joints: Joints, face: np.ndarray | None) -> float | None:
    """The driver's eye line (the face mesh's roll, FaceParams' 4th value) against its neck."""
    if face is None or len(face) < 4:
        return None
    return wrapped(float(face[3]) - angle_of(driver_joints["head"] - driver_joints["mid_shoulder"]))


@dataclass
class Retargeter:
    character: Character
    driver_size: tuple[int, int]  # (w, h) of the driver frames the poses are in
    orientation: Orientation
    hand_orientation: bool = False  # hands bend at the wrist as the driver's do
    head_roll: bool = False  # the head tilts as the driver's face does (needs the frames' face params)
    _root0: np.ndarray | None = None
    _scale: float = 1.0
    _full_body: bool = False
    _in_front: dict[str, bool] = field(default_factory=dict)
    _bends: dict[str, UsualAngle] = field(default_factory=dict)  # side -> the driver's usual wrist bend
    _tilt: UsualAngle = field(default_factory=UsualAngle)  # the driver's usual eye line to its neck
    _tilt_primed_to: int = -1  # prime() has learned the usual roll from the frames up to this index
    _turns0: TorsoTurns = field(default_factory=TorsoTurns)  # subtracted from each frame's torso turns
    fit: float = field(init=False, default=1.0)  # orientation image: the character's scale about its head
    _hand_edges: dict[str, np.ndarray] = field(init=False, default_factory=dict)  # side -> the hand's outline

    def __post_init__(self) -> None:
        if self.orientation == Orientation.IMAGE:
            self.fit = arm_fit(self.character)
        self._hand_edges = hand_outlines(self.character)

    def prime(self, frames: list[DriverFrame]) -> None:
        """Learn the driver's reference: its placement and size at the start."""
        first = frames[0]
        driver_joints = rig_joints(first.points)
        hips_seen = bool(np.all(first.visibility[HIPS] >= VISIBLE))
        self._full_body = self.character.full_body and hips_seen
        self._root0 = driver_joints[self.root_name()].astype(np.float64)
        self._scale = self.character.body_scale / body_scale(driver_joints)
        # orientation image keeps the image's lean: the torso and neck turn as far as the driver's turn
        # from its first frame (a seated painting leaning 8° stood up straight and swung its dress out of
        # the picture; benchmarks/pose_sanity.py "cut"); orientation video follows the driver's own.
        if self.orientation == Orientation.IMAGE:
            self._turns0 = torso_turns(self.character.joints, driver_joints, hips_seen)
        # The driver's usual head angle starts as that of the frames given (the first batch, ~3 s), so
        # a head already tilted in the first frame is drawn tilted, not taken for the usual angle.
        if self.head_roll:
            for f in frames:
                angle = _eye_to_neck(rig_joints(f.points), f.face)
                if angle is not None:
                    self._tilt.learn(angle)
            self._tilt_primed_to = max(f.index for f in frames)

    def root_name(self) -> str:
        return "mid_hip" if self._full_body else "mid_shoulder"

    def pose(self, frame: DriverFrame) -> Posed:
        if self._root0 is None:
            self.prime([frame])
        character = self.character
        image_joints, driver_joints = character.joints, rig_joints(frame.points)
        affines: dict[str, np.ndarray] = {}
        out: Joints = {}

        # 1. Root placement.
        root = self._place_root(driver_joints)

        # 2. Torso: spine direction from the driver; shoulder and hip lines tilt with the driver's (torso.py).
        hips_seen = bool(np.all(frame.visibility[HIPS] >= VISIBLE))
        turns = torso_turns(image_joints, driver_joints, hips_seen) - self._turns0
        self._torso(root, image_joints, turns, affines, out)

        # 3. Head: the neck turns as the driver's; with head roll the head tilts as the driver's face.
        self._head(frame, image_joints, driver_joints, turns, affines, out)

        # 4. Limbs by forward kinematics: driver's directions, character's lengths.
        for side in ("left", "right"):
            for chain in (ARM_CHAIN, LEG_CHAIN):
                self._limb(side, chain, image_joints, driver_joints, out, affines, frame.visibility)

        # 5. orientation image: the whole rig drawn smaller about the head when its arms need the room;
        # orientation video: the sideways move that would keep its hands inside the picture, which
        # PoseStream eases from frame to frame.
        if self.fit < 1.0:
            affines, out = scaled_about(image_joints["head"], self.fit, affines, out)
        room = Room()
        if self.orientation == Orientation.VIDEO:
            room = hands_inside(self.character.size, self._hand_edges, affines)

        # 6. Drawing order from the driver's depth.
        order = self._order(frame)
        return Posed(affines, out, order, room)

    def _torso(self, root: np.ndarray, image_joints: Joints, turns: TorsoTurns,
               affines: dict[str, np.ndarray], out: Joints) -> None:
        """The torso's two bones placed at ``root``: the spine turned as the driver's (full body), the
        shoulder and hip lines tilted as the driver's (torso.py); the torso's joints carried with them."""
        up_c = unit(image_joints["mid_shoulder"] - image_joints["mid_hip"])
        if self._full_body:
            spine_len = float(np.linalg.norm(image_joints["mid_shoulder"] - image_joints["mid_hip"]))
            mid_hip = root
            mid_sh = root + rot(up_c, turns.spine) * spine_len
            hip_turn: float | None = turns.hips
        else:
            mid_sh = root
            mid_hip = None
            hip_turn = None
        sh_turn = turns.shoulders
        upper_dst = BoneFrame(mid_sh, rot(up_c, sh_turn))
        affines["upper_torso"] = bone_affine(BoneFrame(image_joints["mid_shoulder"], up_c), upper_dst)
        if mid_hip is not None and hip_turn is not None:
            lower_dst = BoneFrame(mid_hip, rot(up_c, hip_turn))
            affines["lower_torso"] = bone_affine(BoneFrame(image_joints["mid_hip"], up_c), lower_dst)
        else:
            affines["lower_torso"] = affines["upper_torso"]
        carry = {"shoulder": affines["upper_torso"], "hip": affines["lower_torso"]}
        for name in ("mid_shoulder", "mid_hip", "left_shoulder", "right_shoulder", "left_hip", "right_hip"):
            a = carry["hip" if "hip" in name else "shoulder"]
            out[name] = a[:, :2] @ image_joints[name] + a[:, 2]

    def _head(self, frame: DriverFrame, image_joints: Joints, driver_joints: Joints, turns: TorsoTurns,
              affines: dict[str, np.ndarray], out: Joints) -> None:
        """The head on the placed shoulders: the neck turned as the driver's, the character's length;
        tilted further with head roll."""
        out["head"] = out["mid_shoulder"] + rot(image_joints["head"] - image_joints["mid_shoulder"], turns.neck)
        affines["head"] = bone_affine(BoneFrame.between(image_joints["mid_shoulder"], image_joints["head"]),
                                      BoneFrame.between(out["mid_shoulder"], out["head"]))
        tilt = self._head_tilt(driver_joints, frame.face, frame.index)
        if tilt:
            affines["head"] = turned_about(out["head"], tilt, affines["head"])

    def _place_root(self, driver_joints: Joints) -> np.ndarray:
        character = self.character
        name = self.root_name()
        if self.orientation == Orientation.VIDEO:
            dw, dh = self.driver_size
            ch_w, ch_h = character.size
            root = driver_joints[name] / np.array([dw, dh]) * np.array([ch_w, ch_h])
        else:
            root0 = self._root0 if self._root0 is not None else driver_joints[name]
            root = character.joints[name] + (driver_joints[name] - root0) * self._scale
        return self._keep_whole(root.astype(np.float64), character.joints[name])

    def _keep_whole(self, root: np.ndarray, root_c: np.ndarray) -> np.ndarray:
        """Shift the character back when its skeleton would leave both the canvas and its own
        original extent, so it stays whole in every frame."""
        character = self.character
        pts = np.array(list(character.joints.values())) - root_c
        margin = 0.12 * character.body_scale
        lo = np.minimum(pts.min(axis=0) + root_c - margin, 0)
        hi = np.maximum(pts.max(axis=0) + root_c + margin, np.array(character.size, float))
        bbox_lo, bbox_hi = pts.min(axis=0) - margin + root, pts.max(axis=0) + margin + root
        shift = np.maximum(lo - bbox_lo, 0) - np.maximum(bbox_hi - hi, 0)
        return root + shift

    def _limb(self, side: str, chain: tuple[str, ...], image_joints: Joints, driver_joints: Joints, out: Joints,
              affines: dict[str, np.ndarray], visibility: np.ndarray) -> None:
        limb = f"{side}_{'arm' if chain is ARM_CHAIN else 'leg'}"
        bones = [b for b, _, _ in LIMB_BONES[limb][1:]]
        names = [f"{side}_{j}" for j in chain]
        if not (limb in self.character.limbs and (chain is ARM_CHAIN or self._full_body)):
            carrier = affines["upper_torso" if chain is ARM_CHAIN else "lower_torso"]
            for bone, b in zip(bones, names[1:], strict=True):
                out[b] = carrier[:, :2] @ image_joints[b] + carrier[:, 2]
                affines[bone] = carrier
            return
        # Each bone: the driver's direction, the character's length. No foreshortening: a limb the
        # driver points at the camera is drawn at full length, since a 2D cut-out shortened along its
        # bone reads as a stub, not as a limb turned towards the viewer (re-detected fidelity:
        # benchmarks/run.py).
        vectors: list[np.ndarray] = []
        for k in range(len(bones)):
            a, b = names[k], names[k + 1]
            vec_c = image_joints[b] - image_joints[a]
            if k == len(bones) - 1 and chain is ARM_CHAIN:
                direction = unit(rot(vectors[-1], self._wrist_bend(side, image_joints, driver_joints, visibility)))
            else:
                # The driver's direction for the limb as drawn, where the picture's limb lies off the rig's bone.
                direction = rot(unit(driver_joints[b] - driver_joints[a]), -self.character.turns.get(bones[k], 0.0))
            vectors.append(direction * float(np.linalg.norm(vec_c)))
        along = [1.0] * len(bones)
        if chain is ARM_CHAIN and self.orientation == Orientation.VIDEO:
            along[0] = upper_arm_share(self.character.size, out[names[0]], vectors)
            vectors[0] = vectors[0] * along[0]
        for k, bone in enumerate(bones):
            a, b = names[k], names[k + 1]
            out[b] = out[a] + vectors[k]
            affines[bone] = bone_affine(BoneFrame.between(image_joints[a], image_joints[b]),
                                        BoneFrame.between(out[a], out[b]), along[k])

    def _wrist_bend(self, side: str, image_joints: Joints, driver_joints: Joints, visibility: np.ndarray) -> float:
        """The hand's angle to the forearm: the image's, turned with hand orientation by as much as the
        driver's hand is bent away from its usual bend (the running mean of its bends so far), at most
        HAND_BEND: the driver's usual hand is the image's hand, as its neutral face is the image's face."""
        e, w, h = (f"{side}_{j}" for j in ARM_CHAIN[1:])
        image_bend = wrapped(angle_of(image_joints[h] - image_joints[w]) - angle_of(image_joints[w] - image_joints[e]))
        if not self.hand_orientation:
            return image_bend
        # Fading in with the knuckles' visibility, a hand the driver's knuckles leave unseen eases back
        # to the image's angle instead of snapping 30° from one frame to the next.
        seen = float(np.clip((float(visibility[list(KNUCKLES[side])].min()) - KNUCKLES_SEEN[0])
                             / (KNUCKLES_SEEN[1] - KNUCKLES_SEEN[0]), 0.0, 1.0))
        if seen == 0.0:
            return image_bend
        driver_bend = wrapped(angle_of(driver_joints[h] - driver_joints[w])
                              - angle_of(driver_joints[w] - driver_joints[e]))
        away = self._bends.setdefault(side, UsualAngle()).away(driver_bend, seen)
        return image_bend + seen * float(np.clip(away, -HAND_BEND, HAND_BEND))

    def _head_tilt(self, driver_joints: Joints, face: np.ndarray | None, index: int) -> float:
        """How far the head tilts beyond its neck's turn: the driver's eye line against its neck, away
        from its usual angle (the running mean so far), at most HEAD_TILT; 0 without head roll or face."""
        to_neck = _eye_to_neck(driver_joints, face) if self.head_roll else None
        if to_neck is None:
            return 0.0
        # Each frame counts once in the usual angle: those prime() learned are not learned again.
        weight = 0.0 if index <= self._tilt_primed_to else 1.0
        return float(np.clip(self._tilt.away(to_neck, weight), -HEAD_TILT, HEAD_TILT))

    def _order(self, frame: DriverFrame) -> list[str]:
        z = frame.z
        shoulders = frame.points[JOINT["left_shoulder"]] - frame.points[JOINT["right_shoulder"]]
        sh_w = max(float(np.linalg.norm(shoulders)), 1.0)
        depth: dict[str, float] = {"torso": 0.0}
        for limb in self.character.limbs:
            side, kind = limb.split("_")
            middle, end, root = (JOINT[f"{side}_{j}"] for j in LIMB_DEPTH_JOINTS[kind])
            rel = (float(z[middle] + z[end]) / 2 - float(z[root])) / sh_w
            # Arms are in front of the body unless clearly behind it; legs are behind the hips
            # unless clearly in front. Hysteresis keeps the order from flickering. BlazePose puts a
            # hand on the hip up to 0.9 shoulder widths behind the shoulder: below 1.0 the arm stays
            # in front (a lower threshold hides a hand on the hip behind a dress).
            threshold, hysteresis = (1.0, 0.2) if kind == "arm" else (-0.45, 0.1)
            was_front = self._in_front.get(limb, kind == "arm")
            front = rel < threshold + (hysteresis if was_front else -hysteresis) and limb not in self.character.tucked
            self._in_front[limb] = front
            depth[limb] = -1.0 - abs(rel) if front else 1.0 + abs(rel)
        return sorted(depth, key=lambda n: -depth[n])
