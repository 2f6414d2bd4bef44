"""The media probes and validators on generated and mutated files (hypothesis, bounded): whatever
the bytes, the answer is a valid result or a MediaRejected naming the field; never another
exception, never a hang."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from media_files import write_image, write_video

from motionctl.core.errors import InvalidInput
from motionctl.core.types import Orientation
from motionctl.media.validate import validate_image, validate_video

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
_seeds: dict[str, bytes] = {}


def _seed(kind: str) -> bytes:
    """A small valid file of each kind, made once."""
    if kind not in _seeds:
        d = Path(tempfile.mkdtemp(prefix="fuzzseed-"))
        path = {
            "png": lambda: write_image(d / "s.png", 320, 400),
            "jpg": lambda: write_image(d / "s.jpg", 320, 400),
            "mp4": lambda: write_video(d / "s.mp4", 352, 352, fps=8, seconds=3.2),
        }[kind]()
        _seeds[kind] = path.read_bytes()
    return _seeds[kind]


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """The seed with a few bytes overwritten, a slice cut out or repeated, or cut short."""
    data = bytearray(_seed(kind))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "dup", "truncate", "header"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        n = draw(st.integers(1, 64))
        if op == "flip":
            data[at : at + n] = draw(st.binary(min_size=n, max_size=n))
        elif op == "cut":
            del data[at : at + n]
        elif op == "dup":
            data[at:at] = data[at : at + n]
        elif op == "truncate":
            del data[max(16, at) :]
        else:  # the first 64 bytes, where the headers are
            pos = draw(st.integers(0, 63))
            data[pos : pos + 4] = draw(st.binary(min_size=4, max_size=4))
    return bytes(data)


def _judge(data: bytes, suffix: str, check: object) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"input{suffix}"
        path.write_bytes(data)
        try:
            check(path)  # type: ignore[operator]
        except InvalidInput as exc:
            assert exc.message.split(":", 1)[0].startswith(("image_url", "video_url")), exc.message


@pytest.mark.parametrize("kind", ["png", "jpg"])
def test_mutated_images_are_accepted_or_rejected_cleanly(kind: str) -> None:
    @FUZZ
    @given(mutated(kind))
    def run(data: bytes) -> None:
        _judge(data, f".{kind}", lambda p: validate_image(p, field="image_url"))

    run()


def test_mutated_videos_are_accepted_or_rejected_cleanly() -> None:
    @FUZZ
    @given(mutated("mp4"))
    def run(data: bytes) -> None:
        _judge(data, ".mp4", lambda p: validate_video(p, Orientation.VIDEO, field="video_url"))

    run()


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([".png", ".jpg", ".mp4", ".mov"]))
def test_arbitrary_bytes_are_rejected_cleanly(data: bytes, suffix: str) -> None:
    image = suffix in (".png", ".jpg")
    _judge(data, suffix, (lambda p: validate_image(p, field="image_url")) if image else
           (lambda p: validate_video(p, Orientation.VIDEO, field="video_url")))  # fmt: skip
