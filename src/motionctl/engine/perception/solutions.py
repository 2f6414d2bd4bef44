"""Load mediapipe's legacy solutions (pose, face mesh) without its heavy package imports.

``import mediapipe`` runs package ``__init__`` files that import matplotlib (for drawing helpers),
sounddevice and the whole Tasks API: ~0.6 s of CPU that every process using BlazePose paid, and a
generation runs two such processes. The solutions themselves need none of that, so the two
packages whose ``__init__`` pulls it in are registered as plain namespace-like packages first.
Only this package imports mediapipe; the rest of motionctl never sees the difference.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np


def _bare_package(name: str, folder: Path) -> ModuleType:
    module = ModuleType(name)
    module.__path__ = [str(folder)]
    module.__package__ = name
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return module


def solution(name: str) -> ModuleType:
    """``mediapipe.python.solutions.<name>`` (e.g. "pose", "face_mesh")."""
    if "mediapipe" not in sys.modules:
        spec = importlib.util.find_spec("mediapipe")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("mediapipe is not installed")
        _bare_package("mediapipe", Path(next(iter(spec.submodule_search_locations))))
    if "mediapipe.python.solutions" not in sys.modules:
        python = importlib.import_module("mediapipe.python")  # the framework bindings: needed anyway
        _bare_package("mediapipe.python.solutions", Path(next(iter(python.__path__))) / "solutions")
    return importlib.import_module(f"mediapipe.python.solutions.{name}")


def downscaled(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """``rgb`` as a graph takes it: area-averaged down to ``max_side`` on its longer side (never up),
    contiguous; and the scale applied."""
    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb), scale
