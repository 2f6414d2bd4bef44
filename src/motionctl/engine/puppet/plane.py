"""Plane geometry of the rig: angles (radians, clockwise on screen: image y points down), turns, the
driver's usual angles, and whole-rig turns and scalings about a point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motionctl.engine.puppet.rig import Joints


def rot(v: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def angle_of(v: np.ndarray) -> float:
    return float(np.arctan2(v[1], v[0]))


def wrapped(angle: float) -> float:
    return float(np.angle(np.exp(1j * angle)))


def unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-6 else np.array([0.0, -1.0])


@dataclass
class UsualAngle:
    """The driver's usual value of an angle: the circular mean of what it has shown so far, each
    sample weighted (by how surely it was seen). ``away`` learns a sample and says how far it is from
    the usual value: the driver's usual hand or head is the image's, as its neutral face is."""

    total: complex = 0j

    def learn(self, angle: float, weight: float = 1.0) -> None:
        self.total += weight * np.exp(1j * angle)

    def away(self, angle: float, weight: float = 1.0) -> float:
        self.learn(angle, weight)
        return wrapped(angle - float(np.angle(self.total)))


def turned_about(pivot: np.ndarray, angle: float, affine: np.ndarray) -> np.ndarray:
    """``affine`` followed by a turn of ``angle`` (radians, clockwise on screen) about ``pivot``."""
    c, s = np.cos(angle), np.sin(angle)
    r = np.array([[c, -s], [s, c]])
    return np.hstack([r @ affine[:, :2], (r @ affine[:, 2] + pivot - r @ pivot)[:, None]])


def scaled_about(pivot: np.ndarray, k: float, affines: dict[str, np.ndarray], joints: Joints
                  ) -> tuple[dict[str, np.ndarray], Joints]:
    """Every bone's affine and joint followed by a scaling by ``k`` about ``pivot``."""
    shift = (1 - k) * pivot
    scaled = {}
    for name, a in affines.items():
        m = k * a
        m[:, 2] += shift
        scaled[name] = m
    return scaled, {name: k * p + shift for name, p in joints.items()}


def moved_by(offset: np.ndarray, affines: dict[str, np.ndarray], joints: Joints
             ) -> tuple[dict[str, np.ndarray], Joints]:
    """Every bone's affine and joint followed by a move by ``offset`` (pixels)."""
    moved = {}
    for name, a in affines.items():
        m = a.copy()
        m[:, 2] += offset
        moved[name] = m
    return moved, {name: p + offset for name, p in joints.items()}
