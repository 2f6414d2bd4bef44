"""Every documented input limit, violated one at a time through `motionctl generate`: exit code 2,
the rule and the actual value on stderr, and no output file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def write_video(path: Path, w: int = 360, h: int = 640, seconds: float = 3.5, fps: int = 24,
                fmt: str = "mp4") -> Path:
    with av.open(str(path), "w", format=fmt) as out:
        s = out.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.options = {"preset": "ultrafast"}
        for i in range(int(seconds * fps)):
            img = np.full((h, w, 3), (i * 7) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for p in s.encode(frame):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


def write_image(path: Path, w: int, h: int, fmt: str = "PNG", noise: bool = False) -> Path:
    arr = np.random.default_rng(0).integers(0, 255, (h, w, 3), np.uint8) if noise else np.full((h, w, 3), 200, np.uint8)
    Image.fromarray(arr).save(path, format=fmt)
    return path


def run(image: Path, video: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "motionctl", "generate", "--image", str(image), "--video",
                           str(video), "--output", str(out), *extra], capture_output=True, text=True, env=env,
                          timeout=300)


Maker = Callable[[Path], tuple[Path, Path, list[str]]]


def image_case(make_image: Callable[[Path], Path]) -> Maker:
    def make(tmp: Path) -> tuple[Path, Path, list[str]]:
        return make_image(tmp), write_video(tmp / "ok.mp4"), []
    return make


def video_case(make_video: Callable[[Path], Path], *extra: str) -> Maker:
    def make(tmp: Path) -> tuple[Path, Path, list[str]]:
        return write_image(tmp / "ok.png", 600, 800), make_video(tmp), list(extra)
    return make


def truncated(tmp: Path) -> Path:
    good = write_video(tmp / "full.mp4")
    data = good.read_bytes()
    bad = tmp / "cut.mp4"
    bad.write_bytes(data[: len(data) // 2])
    return bad


def renamed_png(tmp: Path) -> Path:
    src = write_image(tmp / "x.png", 600, 800)
    dst = tmp / "clip.mp4"
    dst.write_bytes(src.read_bytes())
    return dst


CASES: dict[str, tuple[Maker, list[str]]] = {
    "image side below 300": (image_case(lambda t: write_image(t / "s.png", 200, 400)), ["image", "300", "200x400"]),
    "image aspect beyond 2.5:1": (image_case(lambda t: write_image(t / "w.png", 1000, 300)),
                                  ["image", "2.5", "1000x300"]),
    "image over 10 MB": (image_case(lambda t: write_image(t / "big.png", 2000, 2000, noise=True)),
                         ["image", "10", "MB"]),
    "image format gif": (image_case(lambda t: write_image(t / "a.gif", 600, 800, "GIF")), ["image", "jpg", "gif"]),
    "gif content named png": (image_case(lambda t: write_image(t / "fake.png", 600, 800, "GIF")), ["image", "gif"]),
    "video shorter than 3 s": (video_case(lambda t: write_video(t / "short.mp4", seconds=2.0)),
                               ["video", "at least 3 s", "2.0 s"]),
    "video over 10 s with orientation image": (video_case(lambda t: write_video(t / "long.mp4", seconds=11.0, fps=10)),
                                               ["video", "at most 10 s", "11.0 s"]),
    "video side below 340": (video_case(lambda t: write_video(t / "thin.mp4", w=300)), ["video", "340", "300x640"]),
    "video format mkv": (video_case(lambda t: write_video(t / "c.mkv", fmt="matroska")), ["video", "mp4", "mkv"]),
    "truncated video": (video_case(truncated), ["video"]),
    "image data named mp4": (video_case(renamed_png), ["video", "png"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_limit_is_rejected_with_its_rule_and_value(case: str, tmp_path: Path) -> None:
    make, needles = CASES[case]
    image, video, extra = make(tmp_path)
    out = tmp_path / "result.mp4"
    res = run(image, video, out, *extra)
    assert res.returncode == 2, res.stderr + res.stdout
    for needle in needles:
        assert needle in res.stderr, (needle, res.stderr)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("result")]


def test_eleven_seconds_is_fine_with_orientation_video_limit_checked_first(tmp_path: Path) -> None:
    # 11 s passes the media limits with orientation video; the synthetic clip has no person, so the
    # character check (no person in a grey image) rejects it next, still with exit code 2.
    res = run(write_image(tmp_path / "ok.png", 600, 800), write_video(tmp_path / "long.mp4", seconds=11.0, fps=10),
              tmp_path / "r.mp4", "--orientation", "video")
    assert res.returncode == 2 and "at most" not in res.stderr and "no person detected" in res.stderr
