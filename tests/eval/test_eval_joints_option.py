"""`motionctl eval --joints`: a bad joints file is refused with exit 2, naming the field."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from motionctl.cli import app


def test_a_missing_joints_file_exits_2_naming_joints(tmp_path: Path) -> None:
    files = [tmp_path / n for n in ("i.png", "v.mp4", "o.mp4")]
    for f in files:
        f.write_bytes(b"x")
    result = CliRunner().invoke(app, ["eval", "--image", str(files[0]), "--video", str(files[1]), "--output",
                                      str(files[2]), "--joints", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "joints" in result.output and "none.json" in result.output


def test_joints_that_are_not_points_exit_2(tmp_path: Path) -> None:
    files = [tmp_path / n for n in ("i.png", "v.mp4", "o.mp4")]
    for f in files:
        f.write_bytes(b"x")
    bad = tmp_path / "j.json"
    bad.write_text('{"left_shoulder": "here"}')
    result = CliRunner().invoke(app, ["eval", "--image", str(files[0]), "--video", str(files[1]), "--output",
                                      str(files[2]), "--joints", str(bad)])
    assert result.exit_code == 2 and "left_shoulder" in result.output
