"""Synthetic characters and poses the engine tests draw themselves (known geometry, fixed seeds)."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.types import JOINT, Orientation, Pose
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Retargeter

# A stick figure in a 600x800 image, facing the camera (its left on the image's right).
FIGURE = {
    "nose": (300, 140), "left_ear": (325, 130), "right_ear": (275, 130),
    "left_shoulder": (370, 240), "right_shoulder": (230, 240),
    "left_elbow": (470, 240), "right_elbow": (130, 240),
    "left_wrist": (560, 240), "right_wrist": (40, 240),
    "left_hip": (340, 460), "right_hip": (260, 460),
    "left_knee": (350, 600), "right_knee": (250, 600),
    "left_ankle": (355, 740), "right_ankle": (245, 740),
}  # fmt: skip
BODY = (60, 90, 200)  # torso and head colour
ARM_L, ARM_R = (220, 40, 40), (40, 200, 60)
LEG = (200, 180, 40)
PAPER = (235, 235, 235)


def figure_image(width: int = 600, height: int = 800, overrides: dict[str, tuple[float, float]] | None = None
                 ) -> np.ndarray:
    """Thick limbs in their own colours on plain paper: each part is recognisable by colour. With
    ``overrides`` the figure is drawn with those joints moved (figure_pose(overrides) is its pose)."""
    img = np.full((height, width, 3), PAPER, np.uint8)
    j = {k: np.array(v, int) for k, v in {**FIGURE, **(overrides or {})}.items()}
    cv2.fillConvexPoly(img, np.array([j["right_shoulder"], j["left_shoulder"], j["left_hip"], j["right_hip"]]), BODY)
    cv2.circle(img, tuple(j["nose"]), 60, BODY, -1)
    cv2.rectangle(img, (285, 180), (315, 245), BODY, -1)  # neck
    for side, colour in (("left", ARM_L), ("right", ARM_R)):
        cv2.line(img, tuple(j[f"{side}_shoulder"]), tuple(j[f"{side}_elbow"]), colour, 36)
        cv2.line(img, tuple(j[f"{side}_elbow"]), tuple(j[f"{side}_wrist"]), colour, 30)
        cv2.line(img, tuple(j[f"{side}_hip"]), tuple(j[f"{side}_knee"]), LEG, 40)
        cv2.line(img, tuple(j[f"{side}_knee"]), tuple(j[f"{side}_ankle"]), LEG, 34)
    return img


def figure_pose(overrides: dict[str, tuple[float, float]] | None = None) -> Pose:
    pts = np.zeros((33, 2), np.float32)
    vis = np.zeros(33, np.float32)
    for name, xy in {**FIGURE, **(overrides or {})}.items():
        pts[JOINT[name]] = xy
        vis[JOINT[name]] = 1.0
    for side in ("left", "right"):  # hands and feet extend their limbs
        for a, b, tips in (("elbow", "wrist", ("index", "pinky", "thumb")), ("knee", "ankle", ("foot_index", "heel"))):
            pa, pb = pts[JOINT[f"{side}_{a}"]], pts[JOINT[f"{side}_{b}"]]
            for t in tips:
                pts[JOINT[f"{side}_{t}"]] = pb + 0.2 * (pb - pa)
                vis[JOINT[f"{side}_{t}"]] = 1.0
    for name in ("left_eye", "right_eye", "left_eye_inner", "right_eye_inner", "left_eye_outer",
                 "right_eye_outer", "mouth_left", "mouth_right"):
        pts[JOINT[name]] = pts[JOINT["nose"]]
        vis[JOINT[name]] = 1.0
    return Pose(points=pts, visibility=vis, z=np.zeros(33, np.float32))


def frame_for(overrides: dict[str, tuple[float, float]]) -> DriverFrame:
    """A driver frame of the figure with some joints moved."""
    pose = figure_pose(overrides)
    return DriverFrame(0, 0.0, pose.points, pose.z, pose.visibility, None)


def render(character: Character, overrides: dict[str, tuple[float, float]], size: tuple[int, int] = (600, 800)
           ) -> np.ndarray:
    """The character posed like the figure with ``overrides`` (orientation image, primed at rest)."""
    rt = Retargeter(character, size, Orientation.IMAGE)
    rt.prime([frame_for({})])
    return Renderer(character).render(rt.pose(frame_for(overrides)))


def close(pixel: np.ndarray, colour: tuple[int, int, int], tol: int = 40) -> bool:
    return bool(np.abs(pixel.astype(int) - np.array(colour)).max() <= tol)
