"""Long drivers in Wan-Animate's segments: 77 frames each, each after the first starting on the last
``overlap`` frames of the one before (Wan's ``refert_num``, diffusers' ``prev_segment_conditioning_frames``,
1 by default), which it is generated to continue.

``plan_segments`` lays them out as ``WanAnimatePipeline`` does in its own loop; ``Stitcher`` keeps each
segment's new frames — all of the first, the frames after the overlap of the others — so every driver
frame is written once, in order, and none is missing (``tests/engine/wan_animate/test_segments.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

SEGMENT_FRAMES = 77
OVERLAP = 1

T = TypeVar("T")


@dataclass(frozen=True)
class Segment:
    start: int  # first driver frame of the segment
    end: int  # one past its last
    keep_from: int  # frames before this (counted from start) are the previous segment's, already written

    @property
    def frames(self) -> int:
        return self.end - self.start


def plan_segments(frames: int, length: int = SEGMENT_FRAMES, overlap: int = OVERLAP) -> list[Segment]:
    """Segments covering ``frames`` driver frames; the last one may be shorter (the pipeline pads it)."""
    if frames < 2:
        raise ValueError(f"a segment needs at least 2 frames (got {frames})")
    if not 0 <= overlap < length - 1:
        raise ValueError(f"overlap must be in [0, {length - 2}] (got {overlap})")
    step = length - overlap
    out: list[Segment] = []
    start = 0
    while True:
        end = min(start + length, frames)
        out.append(Segment(start, end, 0 if not out else overlap))
        if end == frames:
            return out
        start += step


class Stitcher:
    """Collects segment outputs into one frame sequence: ``add(segment, frames)`` returns the frames
    to write now (the segment's new ones)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.written = 0

    def add(self, segment: Segment, frames: Sequence[T]) -> list[T]:
        if len(frames) != segment.frames:
            raise ValueError(f"segment {segment.start}-{segment.end} gave {len(frames)} frames, "
                             f"expected {segment.frames}")
        if segment.start + segment.keep_from != self.written:
            raise ValueError(f"segment starts its new frames at {segment.start + segment.keep_from}, "
                             f"but {self.written} frames are written")
        new = list(frames[segment.keep_from :])
        self.written += len(new)
        return new

    @property
    def complete(self) -> bool:
        return self.written == self.total
