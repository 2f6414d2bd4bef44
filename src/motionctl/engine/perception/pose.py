"""BlazePose (bundled in the mediapipe wheel) behind a small, array-in / dataclass-out interface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import cv2
import numpy as np

from motionctl.core.types import Pose
from motionctl.engine.perception.people import Person, find_people, landmark_pixels, largest_alone
from motionctl.engine.perception.solutions import downscaled, solution


@dataclass
class PoseObservation:
    pose: Pose
    mask: np.ndarray | None  # float32 HxW in [0, 1] at the input's size, when segmentation is on


SOLUTION_STEP_US = 33333  # mediapipe's legacy ``process`` stamps each call this many µs after the last


class PoseEstimator:
    """One person's pose per frame.

    tracking=True reuses the previous frame's region (video); False detects afresh (still images).
    largest_person (with tracking): when the tracker picks someone afresh and a larger person is in the
    frame, it starts again on the frame with everyone but the largest greyed out (perception/people.py).
    Frames are downscaled to ``max_side`` first: BlazePose works on a 256 px crop anyway, and the
    smaller frame makes its pre-processing cheap. Points come back in the caller's pixel space.
    """

    def __init__(
        self,
        *,
        tracking: bool = True,
        complexity: int = 1,
        segmentation: bool = False,
        max_side: int = 640,
        min_confidence: float = 0.5,
        largest_person: bool = False,
    ) -> None:
        self.max_side = max_side
        self.segmentation = segmentation
        # Loaded here, not at import: only the processes that estimate poses pay for mediapipe.
        pose = solution("pose")
        self._graph = lambda: pose.Pose(
            static_image_mode=not tracking,
            model_complexity=complexity,
            smooth_landmarks=tracking,
            enable_segmentation=segmentation,
            smooth_segmentation=tracking,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        self._pose = self._graph()
        # The people finder: a still-image graph that looks for anyone else after each fresh pick of the
        # tracker's, made for it and closed after (kept, it held ~100 MB for the whole run).
        def finder() -> Any:
            return pose.Pose(static_image_mode=True, model_complexity=complexity,
                             min_detection_confidence=min_confidence)

        self._finder: Callable[[], Any] | None = finder if largest_person and tracking else None
        self._following = False
        self._last_us = -1

    def _clock(self, at: float | None) -> None:
        """Give the tracking graph the frame's own time (seconds). Its landmark filter adapts to the
        speed it sees, and the legacy API stamps each call 1/30 s after the last: posing every 2nd frame, it
        would see twice the real speed and lag quick gestures. The stamp is a private attribute of
        mediapipe's SolutionBase, which ``process`` advances by SOLUTION_STEP_US."""
        if at is None:
            return
        self._last_us = max(int(round(at * 1e6)), self._last_us + 1)  # mediapipe needs increasing stamps
        self._restamp()

    def _restamp(self) -> None:
        """The tracking graph's next call stamped at the last frame time given (none given: left as is)."""
        if self._last_us >= 0 and hasattr(self._pose, "_simulated_timestamp"):
            self._pose._simulated_timestamp = self._last_us - SOLUTION_STEP_US

    def estimate(self, rgb: np.ndarray, at: float | None = None) -> PoseObservation | None:
        h, w = rgb.shape[:2]
        small, _ = downscaled(rgb, self.max_side)
        self._clock(at)
        result = self._pose.process(small)
        if self._finder is not None and not self._following and result.pose_landmarks is not None:
            result = self._largest(small, result, self._finder)
        self._following = result.pose_landmarks is not None
        if result.pose_landmarks is None:
            return None
        lm = result.pose_landmarks.landmark
        pts = landmark_pixels(lm, w, h).astype(np.float32)
        # BlazePose z is in the same scale as x (normalised by image width).
        z = np.array([p.z * w for p in lm], dtype=np.float32)
        vis = np.array([p.visibility for p in lm], dtype=np.float32)
        mask = None
        if self.segmentation and result.segmentation_mask is not None:
            mask = cv2.resize(result.segmentation_mask, (w, h), interpolation=cv2.INTER_LINEAR)
        return PoseObservation(Pose(points=pts, visibility=vis, z=z), mask)

    def _largest(self, small: np.ndarray, result: Any, make_finder: Callable[[], Any]) -> Any:
        """The tracker's fresh pick, or, when someone else in the frame is larger, a fresh tracker's
        pick of the frame with everyone but the largest greyed out."""
        h, w = small.shape[:2]
        picked = Person.from_landmarks(landmark_pixels(result.pose_landmarks.landmark, w, h), w, h)
        finder = make_finder()
        try:
            others = find_people(finder, small, known=(picked,))
        finally:
            finder.close()
        if all(p.size <= picked.size for p in others):
            return result
        self._pose.close()
        self._pose = self._graph()
        self._restamp()  # the fresh graph sees this frame at its own time too
        return self._pose.process(largest_alone(small, [picked, *others]))

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
