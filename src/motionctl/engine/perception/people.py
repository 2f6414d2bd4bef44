"""The largest person: hide the others from BlazePose's detector when it picked someone smaller.

BlazePose's legacy graph follows one person. When it has none (the first frame, or after losing
them) its detector picks the most confident detection, not the largest: with two people of about
the same size it took the smaller, sharper one (a photo of a woman 880 px tall beside a dancer of
800 px). So after such a pick a still-image graph looks for anyone else, each one found greyed out
before the next search; if someone is larger — a longer torso, discounted by how much of the body
lies outside the frame, so a man walking in at the edge half outside is not followed over the whole
person beside him — the tracker starts again on the frame with everyone but them greyed out. Once
it holds the largest person it follows them through the clip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from motionctl.core.types import joint_indices

MAX_PEOPLE = 4
GREY = 127
MARGIN = 0.1  # a person's box reaches this share of its size past their outermost landmarks
SAME_PERSON = 0.5  # a find whose box lies this much inside an earlier one's is that person again
SHOULDERS, HIPS = joint_indices("left_shoulder", "right_shoulder"), joint_indices("left_hip", "right_hip")
BODY_JOINTS = joint_indices("nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
                            "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
                            "right_ankle")


class PoseGraph(Protocol):
    """A mediapipe legacy pose graph: ``process(rgb)`` -> a result with ``pose_landmarks``."""

    def process(self, image: np.ndarray) -> Any: ...


def landmark_pixels(landmarks: Any, width: int, height: int) -> np.ndarray:
    """(33, 2) pixel positions of a mediapipe landmark list (normalised x, y)."""
    return np.array([[p.x * width, p.y * height] for p in landmarks], np.float64)


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def widened(self, share: float) -> Box:
        dx, dy = share * (self.x1 - self.x0), share * (self.y1 - self.y0)
        return Box(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy)

    def pixels(self, width: int, height: int) -> tuple[slice, slice]:
        x0, x1 = (int(np.clip(v, 0, width)) for v in (np.floor(self.x0), np.ceil(self.x1)))
        y0, y1 = (int(np.clip(v, 0, height)) for v in (np.floor(self.y0), np.ceil(self.y1)))
        return slice(y0, y1), slice(x0, x1)

    def inside_share(self, other: Box) -> float:
        """How much of this box lies inside ``other``."""
        w = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        h = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        area = (self.x1 - self.x0) * (self.y1 - self.y0)
        return w * h / area if area > 0 else 1.0


@dataclass(frozen=True)
class Person:
    box: Box  # the landmarks' extent, widened by MARGIN
    # Mid-shoulder to mid-hip (predicted hips below the frame included): how big the person is, not
    # how much of them the frame shows nor how far their arms spread (a box's size would favour a
    # person with open arms over a taller one standing beside them).
    torso: float
    # The share of the body's joints (BODY_JOINTS) inside the frame: someone walking in at its edge,
    # half outside, is not the person to follow though their torso is the longest.
    whole: float = 1.0

    @property
    def size(self) -> float:
        """What the person to follow has most of: torso length times how much of them the frame shows."""
        return self.torso * self.whole

    @staticmethod
    def from_landmarks(points: np.ndarray, width: float = np.inf, height: float = np.inf) -> Person:
        box = Box(float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()),
                  float(points[:, 1].max()))
        torso = float(np.linalg.norm(points[SHOULDERS].mean(axis=0) - points[HIPS].mean(axis=0)))
        body = points[list(BODY_JOINTS)]
        inside = (body[:, 0] >= 0) & (body[:, 0] <= width) & (body[:, 1] >= 0) & (body[:, 1] <= height)
        return Person(box.widened(MARGIN), torso, float(inside.mean()))


def largest(people: list[Person]) -> Person:
    """The person to follow: the largest by ``Person.size``."""
    return max(people, key=lambda p: p.size)


def find_people(finder: PoseGraph, rgb: np.ndarray, known: tuple[Person, ...] = ()) -> list[Person]:
    """Everyone a still-image BlazePose graph (``finder``) finds besides the ``known`` people, one
    search per person."""
    h, w = rgb.shape[:2]
    view = rgb.copy()
    for person in known:
        view[person.box.pixels(w, h)] = GREY
    people: list[Person] = list(known)
    for _ in range(MAX_PEOPLE):
        result = finder.process(view)
        if result.pose_landmarks is None:
            break
        person = Person.from_landmarks(landmark_pixels(result.pose_landmarks.landmark, w, h), w, h)
        if any(person.box.inside_share(seen.box) > SAME_PERSON for seen in people):
            break
        people.append(person)
        view[person.box.pixels(w, h)] = GREY
    return people[len(known):]


def largest_alone(rgb: np.ndarray, people: list[Person]) -> np.ndarray:
    """``rgb`` with every person but the largest greyed out (unchanged with fewer than two)."""
    if len(people) < 2:
        return rgb
    h, w = rgb.shape[:2]
    kept = largest(people)
    out = rgb.copy()
    for person in people:
        if person is not kept:
            out[person.box.pixels(w, h)] = GREY
    keep = kept.box.pixels(w, h)
    out[keep] = rgb[keep]  # where another's box overlaps theirs, the largest person stays whole
    return out
