"""Long drivers split into Wan's 77-frame segments, each after the first starting on the last frame of
the one before, and stitched back with every driver frame written once, in order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motionctl.engine.wan_animate.segments import Segment, Stitcher, plan_segments


def stitched(total: int, length: int = 77, overlap: int = 1) -> list[int]:
    """Each segment "generates" the driver frame numbers it covers; the stitcher keeps the new ones."""
    stitcher, out = Stitcher(total), []
    for seg in plan_segments(total, length, overlap):
        out.extend(stitcher.add(seg, list(range(seg.start, seg.end))))
    assert stitcher.complete
    return out


def test_a_30_s_driver_at_30_fps_is_twelve_segments_as_the_pipeline_runs_them() -> None:
    plan = plan_segments(900)
    assert plan[0] == Segment(0, 77, 0)
    assert plan[1] == Segment(76, 153, 1)  # starts on the last frame of the first
    # diffusers: (900 - 1) frames in steps of 76 -> ceil(899 / 76) = 12 segments, the last padded
    assert len(plan) == 12 and plan[-1] == Segment(836, 900, 1)
    assert stitched(900) == list(range(900))


def test_a_driver_of_one_segment_or_less_is_one_call() -> None:
    assert plan_segments(77) == [Segment(0, 77, 0)]
    assert plan_segments(105)[-1] == Segment(76, 105, 1)
    assert plan_segments(78) == [Segment(0, 77, 0), Segment(76, 78, 1)]  # one new frame still gets its call


@given(total=st.integers(2, 2000), length=st.sampled_from([5, 9, 77, 81]), overlap=st.sampled_from([0, 1, 3]))
def test_no_frame_is_repeated_or_missing(total: int, length: int, overlap: int) -> None:
    assert stitched(total, length, overlap) == list(range(total))
    for seg in plan_segments(total, length, overlap):
        assert seg.keep_from < seg.frames <= length  # every call generates at least one new frame


def test_a_segment_out_of_order_or_of_the_wrong_length_is_refused() -> None:
    plan = plan_segments(200)
    stitcher = Stitcher(200)
    with pytest.raises(ValueError, match="expected 77"):
        stitcher.add(plan[0], list(range(76)))
    with pytest.raises(ValueError, match="0 frames are written"):
        stitcher.add(plan[1], list(range(77)))
