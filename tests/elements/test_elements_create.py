"""Element creation: each documented limit of the face video (seed 004) rejected with its rule and
value; a valid face video gives a bank with views over the yaw range it covers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from element_media import D3, FACES, REPO, plain, rescaled

from motionctl.core.element_rules import check_element_text
from motionctl.core.errors import ContentRejected, InvalidInput, MediaRejected
from motionctl.engine.elements import load_bank, save_bank
from motionctl.engine.elements.build import build_bank
from motionctl.media.validate import validate_element_video

pytestmark = pytest.mark.skipif(not FACES.is_dir(), reason="../shared/testdata is absent")


def rejected(path: Path, *, name: str | None = None) -> MediaRejected:
    with pytest.raises(MediaRejected) as info:
        validate_element_video(path, name=name)
    return info.value


def test_too_small_original_is_rejected_with_its_sides() -> None:
    exc = rejected(D3)
    assert exc.rule == "width and height must each be between 720 and 2160 px" and exc.value == "512x512"
    assert "element_video_list" in exc.message


def test_too_large_sides_are_rejected(tmp_path: Path) -> None:
    exc = rejected(plain(tmp_path / "wide.mp4", (2200, 720), 1.0))
    assert exc.value == "2200x720"


def test_longer_than_8_s_is_rejected(tmp_path: Path) -> None:
    exc = rejected(rescaled(D3, tmp_path / "long.mp4", (720, 720), seconds=9.0, fps=5.0))
    assert exc.rule == "duration must be at most 8 s" and exc.value == "9.0 s"


def test_other_formats_are_rejected(tmp_path: Path, face_720: Path) -> None:
    assert rejected(face_720, name="face.avi").value == ".avi"
    fake = tmp_path / "face.mp4"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    exc = rejected(fake)
    assert exc.rule.startswith("content must be an MP4, QuickTime (MOV) or WebM video") and "png" in exc.value


def test_over_100_mb_is_rejected(tmp_path: Path, face_720: Path) -> None:
    big = tmp_path / "big.mp4"
    big.write_bytes(face_720.read_bytes())
    with open(big, "r+b") as f:
        f.truncate(101 * 1024 * 1024)  # sparse: the header is a real MP4's
    exc = rejected(big)
    assert exc.rule == "file size must be at most 100 MB" and exc.value == "101.0 MB"


def test_a_video_without_a_face_is_rejected(tmp_path: Path) -> None:
    info = validate_element_video(plain(tmp_path / "grey.mp4", (720, 720), 2.0))
    with pytest.raises(ContentRejected) as exc:
        build_bank(info, "grey")
    assert exc.value.rule.startswith("must contain a clearly visible human face")
    assert exc.value.value == "a face in 0 of 10 frames"


def test_name_and_description_rules() -> None:
    with pytest.raises(InvalidInput, match=r"element_name: must be at most 20 characters \(got 21 characters\)"):
        check_element_text("x" * 21, "")
    with pytest.raises(InvalidInput, match=r"element_description: must be at most 100 characters \(got 101"):
        check_element_text("ok", "d" * 101)
    with pytest.raises(InvalidInput, match="element_name: is required"):
        check_element_text("", "")
    assert check_element_text("x" * 20, "d" * 100) == ("x" * 20, "d" * 100)


def test_a_face_video_gives_views_over_its_yaw_range(tmp_path: Path, face_720: Path) -> None:
    bank = build_bank(validate_element_video(face_720), "Sam", "a woman turning her head")
    yaws = sorted(v.yaw for v in bank.views)
    # the clip turns from about -10° to +25° (face mesh): views on both sides of frontal, 15° apart
    assert yaws[0] < -5 and yaws[-1] > 20
    bins = {v.bin[0] for v in bank.views}
    assert {-15, 0, 15} <= bins
    path = save_bank(bank, tmp_path / "sam.bank")
    back = load_bank(path)
    assert back.name == "Sam" and back.bins == bank.bins
    assert all(v.crop.shape == (256, 256, 3) and v.landmarks.shape == (478, 3) for v in back.views)


def test_a_file_that_is_not_a_bank_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "x.bank"
    bad.write_text("not a zip")
    with pytest.raises(InvalidInput, match="element: must be a face bank file"):
        load_bank(bad)


def motionctl(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "motionctl", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


def test_cli_creates_a_bank_and_rejects_the_small_video(tmp_path: Path, face_720: Path) -> None:
    small = motionctl("element", "create", "--video", D3, "--name", "x", "--output", tmp_path / "x.bank")
    assert small.returncode == 2 and "between 720 and 2160 px (got 512x512)" in small.stderr
    assert not (tmp_path / "x.bank").exists()
    made = motionctl("element", "create", "--video", face_720, "--name", "Sam", "--output", tmp_path / "s.bank")
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert summary["name"] == "Sam" and summary["views"] >= 3
    shown = motionctl("element", "show", tmp_path / "s.bank")
    assert json.loads(shown.stdout)["bins"] == summary["bins"]
