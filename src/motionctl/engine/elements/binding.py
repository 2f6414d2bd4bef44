"""Drawing the character's face from a face bank (an element), following the driver's head turn.

Each frame: the character's face mesh (found once on the image, with depth) is turned in 3D from
its own yaw and pitch to the driver's and carried to the canvas by the head bone; the two bank views
nearest to the driver's head pose are warped onto it triangle by triangle and mixed by nearness.
The views are colour-matched to the character's face once, and the face is blended in over a rim a
few percent of its width wide. Underneath, the character's own face is smoothed out (its features
inpainted) within its outline, so a face turned away from the image's does not leave the image's
eyes or mouth showing beside it. The driver's expression is drawn afterwards, on the turned mesh
(puppet/face.py), as without an element.
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.errors import ContentRejected, rule_violation
from motionctl.engine.elements.bank import FaceBank
from motionctl.engine.elements.mesh import (
    FACE_POINTS,
    closed_mouth,
    piecewise_maps,
    triangle_order,
    triangulate,
    turned,
)
from motionctl.engine.elements.skin import colour_matched, oval_mask, skin_colour, skin_mask, without_hair
from motionctl.engine.motion import DriverFrame
from motionctl.engine.perception.head_pose import HeadPose, head_pose
from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.rig import apply_affine

MAX_TURN = 60.0  # degrees of yaw (40 of pitch) the face is turned at most: beyond, the mesh folds flat
MAX_NOD = 40.0
RIM = 0.08  # the blend rim's width, as a share of the face's width
MIX_ABOVE = 0.15  # a second view is mixed in only when it weighs at least this much
# A view's pitch counts double its yaw in choosing it: a face video's pitch comes with the gaze and the
# lids (looking down, half shut), which the warp carries over, while its yaw is geometry the warp
# undoes; a face turned far from a looking-down view read less turned (benchmarks/element_turns.py).
PITCH_WEIGHT = 2.0


class ElementFace:
    def __init__(self, bank: FaceBank, character: Character) -> None:
        if character.face is None or character.face_z is None:
            raise rule_violation(ContentRejected, "image", "must show a face the face mesh finds, to bind an "
                                 "element to it", "no face found")
        own = np.column_stack([character.face, character.face_z]).astype(np.float32)
        self.pose: HeadPose = head_pose(own)
        self.tris = triangulate(turned(own, -self.pose.yaw, -self.pose.pitch))  # on the lips as drawn: apart
        self.face3 = closed_mouth(own)
        self.width = float(np.linalg.norm(character.face[454] - character.face[234]))
        self.rim = max(2.0, RIM * self.width)
        self.views = bank.views
        # Pitch is followed relative to the driver's usual pitch (prime): a camera above or below the
        # driver must not nod the character's face, nor pick the bank's looking-down views.
        self.driver_pitch = 0.0
        front = min(bank.views, key=lambda v: (abs(v.yaw) > 10, -v.eye_open, abs(v.yaw)))
        self.bank_pitch = front.pitch
        skin = skin_colour(character.image, character.face, self.width)
        self.crops = [colour_matched(without_hair(v), v.landmarks, skin) for v in bank.views]
        self.blank, self.blank_box = _blank_face(character.image, character.face, self.rim)

    def prime(self, frames: list[DriverFrame]) -> None:
        """The driver's usual pitch: the median over the first batch of frames (~3 s)."""
        pitches = [float(f.turn[1]) for f in frames if f.turn is not None]
        if pitches:
            self.driver_pitch = float(np.median(pitches))

    def nearest(self, yaw: float, pitch: float) -> list[tuple[int, float]]:
        """The view nearest to the head pose (pitch weighing PITCH_WEIGHT times yaw) and, mixed in by
        nearness, the next one in yaw on the other side of it in the same pitch bin: views of different
        pitch bins differ in more than the turn (eyes looking down, say), and mixed they ghost."""
        d = np.array([np.hypot(v.yaw - yaw, PITCH_WEIGHT * (v.pitch - pitch)) for v in self.views])
        a = int(np.argmin(d))
        va = self.views[a]
        side = [i for i, v in enumerate(self.views)
                if v.bin[1] == va.bin[1] and i != a and (v.yaw - yaw) * (va.yaw - yaw) < 0]
        if not side or d[a] < 1e-6:
            return [(a, 1.0)]
        b = min(side, key=lambda i: abs(self.views[i].yaw - yaw))
        da, db = abs(va.yaw - yaw), abs(self.views[b].yaw - yaw)
        wa = db / (da + db)
        return [(a, 1.0)] if 1 - wa < MIX_ABOVE else [(a, wa), (b, 1 - wa)]

    def apply(self, image: np.ndarray, head: np.ndarray, turn: np.ndarray | None) -> np.ndarray:
        """Draw the face for a frame whose head bone is ``head`` (2x3) and whose driver's head is
        turned by ``turn`` (yaw, pitch: DriverFrame.turn; None: the driver's face is not seen, the
        image's own pose is drawn); returns the drawn face mesh (478, 2) in canvas pixels."""
        yaw, nod = self.pose.yaw, 0.0
        if turn is not None:
            yaw = float(np.clip(turn[0], -MAX_TURN, MAX_TURN))
            nod = float(np.clip(turn[1] - self.driver_pitch, -MAX_NOD, MAX_NOD))
        mesh3 = turned(self.face3, yaw - self.pose.yaw, nod)
        dst = apply_affine(head, mesh3[:, :2]).astype(np.float32)
        self._draw_blank(image, head)
        h, w = image.shape[:2]
        lo = np.floor(dst[:FACE_POINTS].min(axis=0)).astype(int) - 2
        hi = np.ceil(dst[:FACE_POINTS].max(axis=0)).astype(int) + 3
        x0, y0 = max(int(lo[0]), 0), max(int(lo[1]), 0)
        x1, y1 = min(int(hi[0]), w), min(int(hi[1]), h)
        if x1 - x0 < 4 or y1 - y0 < 4:
            return dst
        picks = self.nearest(yaw, self.bank_pitch + nod)
        index, maps = piecewise_maps(dst, triangle_order(mesh3, self.tris), (x0, y0, x1, y1),
                                     [self.views[k].landmarks for k, _ in picks])
        warped = [cv2.remap(self.crops[k], mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
                  for (k, _), (mx, my) in zip(picks, maps, strict=True)]
        colour = warped[0] if len(warped) == 1 else cv2.addWeighted(warped[0], picks[0][1], warped[1], picks[1][1], 0)
        inside = (index >= 0).astype(np.uint8)
        alpha = np.minimum(cv2.distanceTransform(inside, cv2.DIST_L2, 3) * np.float32(1 / self.rim), 1.0)
        _blend_into(image[y0:y1, x0:x1], colour, alpha)
        return dst

    def _draw_blank(self, image: np.ndarray, head: np.ndarray) -> None:
        """The character's face with its features smoothed out, carried by the head bone."""
        bx, by = self.blank_box[:2]
        bh, bw = self.blank.shape[:2]
        corners = apply_affine(head, np.array([[bx, by], [bx + bw, by], [bx, by + bh], [bx + bw, by + bh]],
                                              np.float32))
        h, w = image.shape[:2]
        x0, y0 = (max(int(v) - 1, 0) for v in corners.min(axis=0))
        x1, y1 = min(int(corners[:, 0].max()) + 2, w), min(int(corners[:, 1].max()) + 2, h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        m = head.astype(np.float64).copy()
        m[:, 2] += m[:, :2] @ np.array([bx, by], np.float64) - (x0, y0)
        size = (x1 - x0, y1 - y0)
        patch = cv2.warpAffine(self.blank, m, size, flags=cv2.INTER_LINEAR, borderValue=0)
        _blend_into(image[y0:y1, x0:x1], np.ascontiguousarray(patch[..., :3]),
                    patch[..., 3].astype(np.float32) * np.float32(1 / 255))


def _blend_into(region: np.ndarray, colour: np.ndarray, alpha: np.ndarray) -> None:
    """``region`` (uint8, a view into the frame) becomes ``colour`` over it by ``alpha`` (float32,
    0-1, one channel), in one native call."""
    region[:] = cv2.blendLinear(colour, np.ascontiguousarray(region), alpha, 1.0 - alpha)


def _blank_face(image: np.ndarray, face: np.ndarray, rim: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The character's face region with eyes, brows, nose and mouth smoothed out into its skin, with
    its alpha (the outline, soft inwards) as a fourth channel (one warp a frame carries both), and its
    box's top-left corner on the canvas."""
    h, w = image.shape[:2]
    lo = np.maximum(np.floor(face[:, :2].min(axis=0) - 2 * rim).astype(int), 0)
    hi = np.minimum(np.ceil(face[:, :2].max(axis=0) + 2 * rim).astype(int), (w, h))
    x0, y0, x1, y1 = int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])
    crop = image[y0:y1, x0:x1]
    local = face[:, :2] - (x0, y0)
    outline = oval_mask(crop.shape[:2], local, 0)
    # Skin: inside the outline, near the cheeks' colour (not hair, brows, eyes or lips); the blank is
    # its smooth continuation (a normalised blur), so no hair is pulled into the face.
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    skin, ref = skin_mask(lab, local, 0)
    sigma = max(2.0, 0.12 * float(np.linalg.norm(local[454] - local[234])))
    weight = cv2.GaussianBlur(skin, (0, 0), sigma)[..., None]
    smooth = cv2.GaussianBlur(crop.astype(np.float32) * skin[..., None], (0, 0), sigma) / np.maximum(weight, 1e-3)
    fallback = cv2.cvtColor(ref.astype(np.uint8)[None, None], cv2.COLOR_LAB2RGB).astype(np.float32)
    blank = np.where(weight > 0.05, smooth, fallback).clip(0, 255).astype(np.uint8)
    alpha = np.clip(cv2.distanceTransform(outline, cv2.DIST_L2, 3) / rim * 255, 0, 255).astype(np.uint8)
    return np.dstack([blank, alpha]), (x0, y0)
