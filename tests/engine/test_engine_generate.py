"""`motionctl generate` end to end on the real clips of ../shared/testdata (skipped without them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "testdata"
ELF = SHARED / "pairs" / "upperbody_elf"
DANCE = SHARED / "pairs" / "fullbody_cartoon"
DRAWN = SHARED / "characters" / "drawn_char1" / "texture.png"
JOINTS = REPO / "tests" / "data" / "drawn_char1_joints.json"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not ELF.is_dir(), reason="../shared/testdata is absent")]


def generate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "motionctl", "generate", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)


def streams(path: Path) -> dict[str, object]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = sum(1 for _ in c.decode(v))
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        return {"w": v.codec_context.width, "h": v.codec_context.height, "codec": v.codec_context.name,
                "pix": v.codec_context.pix_fmt, "fps": float(v.average_rate), "frames": frames,
                "audio": len(c.streams.audio) > 0}


@pytest.fixture(scope="module")
def elf_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("elf") / "elf.mp4"
    res = generate("--image", ELF / "image.jpeg", "--video", ELF / "video.mp4", "--output", out,
                   "--watermark", "--debug-dir", out.parent / "debug")
    return res, out


def test_elf_std_is_a_playable_720p_mp4_of_the_drivers_length_with_sound(elf_run) -> None:
    res, out = elf_run
    assert res.returncode == 0, res.stderr
    s = streams(out)
    assert (s["w"], s["h"]) == (1280, 720)  # 720 on the short side, the image's 16:9
    assert s["codec"] == "h264" and s["pix"] == "yuv420p" and s["audio"]
    assert abs(s["frames"] - 106) <= 1  # 3.53 s at 30 fps
    assert "real-time factor" in res.stdout and "106 frames" in res.stdout


def test_watermarked_copy_and_debug_pictures(elf_run) -> None:
    _, out = elf_run
    marked = out.with_name("elf_watermark.mp4")
    assert streams(marked)["frames"] == streams(out)["frames"]
    with av.open(str(out)) as a, av.open(str(marked)) as b:
        fa = next(a.decode(video=0)).to_ndarray(format="rgb24").astype(int)
        fb = next(b.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    assert np.abs(fa - fb).max() > 60  # the mark is visible
    for name in ("rig.png", "preview.png", "driver_skeleton.png"):
        assert Image.open(out.parent / "debug" / name).size[0] > 100


def test_no_sound_drops_the_audio_and_pro_renders_1080p(tmp_path: Path) -> None:
    out = tmp_path / "pro.mp4"
    res = generate("--image", ELF / "image.jpeg", "--video", ELF / "video.mp4", "--output", out,
                   "--mode", "pro", "--no-sound")
    assert res.returncode == 0, res.stderr
    s = streams(out)
    assert (s["w"], s["h"]) == (1920, 1080) and not s["audio"]


def test_twelve_second_driver_is_rejected_with_orientation_image(tmp_path: Path) -> None:
    out = tmp_path / "x.mp4"
    res = generate("--image", DANCE / "image.png", "--video", DANCE / "video.mp4", "--output", out)
    assert res.returncode == 2
    assert "at most 10 s with character_orientation=image" in res.stderr and "12.0 s" in res.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_dance_follows_the_whole_clip_with_orientation_video(tmp_path: Path) -> None:
    out = tmp_path / "dance.mp4"
    res = generate("--image", DANCE / "image.png", "--video", DANCE / "video.mp4", "--output", out,
                   "--orientation", "video")
    assert res.returncode == 0, res.stderr
    s = streams(out)
    assert (s["w"], s["h"]) == (720, 1244) and s["audio"]
    assert abs(s["frames"] - 288) <= 1


def test_photo_without_a_person_is_rejected(tmp_path: Path) -> None:
    img = tmp_path / "landscape.png"
    y, x = np.mgrid[0:600, 0:800]
    Image.fromarray(np.stack([x % 256, y % 256, (x + y) % 256], -1).astype(np.uint8)).save(img)
    res = generate("--image", img, "--video", ELF / "video.mp4", "--output", tmp_path / "o.mp4")
    assert res.returncode == 2 and "no person detected" in res.stderr
    assert not (tmp_path / "o.mp4").exists()


def test_each_image_limit_names_the_rule_and_the_value(tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    Image.new("RGB", (200, 200), "white").save(small)
    res = generate("--image", small, "--video", ELF / "video.mp4", "--output", tmp_path / "o.mp4")
    assert res.returncode == 2 and "between 300 and 65536" in res.stderr and "200x200" in res.stderr


def test_drawing_needs_joints_and_animates_with_them(tmp_path: Path) -> None:
    out = tmp_path / "drawn.mp4"
    res = generate("--image", DRAWN, "--video", ELF / "video.mp4", "--output", out)
    assert res.returncode == 2 and "--joints" in res.stderr and not out.exists()
    res = generate("--image", DRAWN, "--video", ELF / "video.mp4", "--output", out, "--joints", JOINTS)
    assert res.returncode == 0, res.stderr
    assert abs(streams(out)["frames"] - 106) <= 1


def test_bad_joints_file_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "j.json"
    bad.write_text(json.dumps({"left_shoulder": "here"}))
    res = generate("--image", DRAWN, "--video", ELF / "video.mp4", "--output", tmp_path / "o.mp4", "--joints", bad)
    assert res.returncode == 2 and "left_shoulder must be [x, y]" in res.stderr


def test_an_uncertain_character_animates_with_a_note_on_what_to_do(tmp_path: Path) -> None:
    # The bundled pose model finds the cavalier in only some views of the painting: the output is made,
    # and stderr says so and how to give the joints.
    image = SHARED / "characters" / "painting_halfbody_hand_on_hip_cavalier_nopose.jpg"
    out = tmp_path / "cavalier.mp4"
    res = generate("--image", image, "--video", ELF / "video.mp4", "--output", out)
    assert res.returncode == 0, res.stderr
    assert "note: the character's pose is uncertain" in res.stderr and "views of the image" in res.stderr
    assert "--joints FILE.json" in res.stderr and '"left_shoulder": [' in res.stderr
    assert streams(out)["frames"] > 100
