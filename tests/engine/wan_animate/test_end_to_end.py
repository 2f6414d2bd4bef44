"""`motionctl generate --engine wan-animate` end to end on the CPU: a real driver through our perception,
Wan's conditioning and diffusers' WanAnimatePipeline loaded from a weights directory of tiny random
components (tiny_weights.py), into an MP4 with the length, frame rate, size and audio asked for (the
two segments of the 3.5 s driver included). test_conditioning.py covers orientation video's inputs.
Skipped without torch/diffusers (the [gpu] extra) or ../shared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from .tiny_weights import save_tiny_weights  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
ELF = REPO.parent / "shared" / "testdata" / "pairs" / "upperbody_elf"
needs_shared = pytest.mark.skipif(not ELF.is_dir(), reason="../shared/testdata is absent")
TINY = ["--device", "cpu", "--dtype", "fp32", "--steps", "2", "--max-area", "3072"]


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_weights(tmp_path_factory.mktemp("wan") / "Wan2.2-Animate-tiny")


def generate(out: Path, weights: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "motionctl.cli", "generate", "--image", str(ELF / "image.jpeg"),
           "--video", str(ELF / "video.mp4"), "--output", str(out), "--engine", "wan-animate",
           "--weights", str(weights), *TINY, *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


def probe(path: Path) -> tuple[int, float, tuple[int, int], bool, np.ndarray]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(v)]
        return len(frames), float(v.average_rate), (v.width, v.height), bool(c.streams.audio), frames[len(frames) // 2]


@pytest.mark.slow
@needs_shared
def test_orientation_image_at_1080p_with_sound(weights: Path, tmp_path: Path) -> None:
    out = tmp_path / "elf.mp4"
    done = generate(out, weights, "--orientation", "image", "--resolution", "1080p", "--watermark")
    assert done.returncode == 0, done.stderr
    count, fps, size, audio, middle = probe(out)
    with av.open(str(ELF / "video.mp4")) as c:
        driver_seconds = float(c.streams.video[0].frames / c.streams.video[0].average_rate)
    assert fps == 30 and abs(count / 30 - driver_seconds) < 2 / 30  # the driver's length at 30 fps
    assert size == (1920, 1080)  # 1080p: the 1280x720 frame (here a tiny one) resized, the image's 16:9
    assert audio
    assert middle.std() > 1.0  # frames were generated, not left blank
    assert (tmp_path / "elf_watermark.mp4").is_file()
    assert f"{count} frames, 1920x1080 @ 30 fps, audio yes" in done.stdout
    assert "Loading" not in done.stderr and "Reshaping" not in done.stderr  # the libraries' chatter is off


def test_an_incomplete_weights_directory_is_refused_naming_what_is_missing(weights: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("model_index.json",):
        (partial / name).write_bytes((weights / name).read_bytes())
    (partial / "vae").mkdir()
    (partial / "vae" / "config.json").write_bytes((weights / "vae" / "config.json").read_bytes())
    out = tmp_path / "never.mp4"
    cmd = [sys.executable, "-m", "motionctl.cli", "generate", "--image", "x.png", "--video", "y.mp4",
           "--output", str(out), "--engine", "wan-animate", "--weights", str(partial), *TINY]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert "weights: must be a local copy of Wan-AI/Wan2.2-Animate-14B-Diffusers" in message
    assert "transformer/config.json" in message and "vae/*.safetensors" in message
    assert "text_encoder/config.json" in message and "image_processor/preprocessor_config.json" in message
    assert not out.exists()


def test_the_puppet_is_the_default_and_wan_animate_needs_weights(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "motionctl.cli", "generate", "--image", "x.png", "--video", "y.mp4",
           "--output", str(tmp_path / "o.mp4"), "--engine", "wan-animate"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "weights: is required with --engine wan-animate" in " ".join(done.stderr.split())
