import numpy as np
import pytest
from engine_synth import figure_pose

from motionctl.core.errors import ContentRejected
from motionctl.engine.motion import MotionTracker, Observation, is_shot_cut

FPS = 10.0
THUMB = np.full((36, 64), 100, np.uint8)


def obs(i: int, x: float | None, thumb: np.ndarray = THUMB, skipped: bool = False) -> Observation:
    pose = None
    if x is not None:
        pose = figure_pose()
        pose.points[:, 0] += x
    return Observation(i, i / FPS, pose, thumb, skipped=skipped)


def run(xs: list[float | None]) -> tuple[MotionTracker, list]:
    t = MotionTracker(FPS)
    out = []
    for i, x in enumerate(xs):
        out += t.push(obs(i, x))
    out += t.finish()
    return t, out


def test_full_clip_is_emitted_in_order() -> None:
    t, out = run([float(i) for i in range(40)])
    assert [f.index for f in out] == list(range(40))
    assert t.end_reason is None


def test_short_gap_is_interpolated() -> None:
    xs: list[float | None] = [0.0] * 35
    xs[20:23] = [None, None, None]
    xs[23:] = [40.0] * 12
    _, out = run(xs)
    assert [f.index for f in out] == list(range(35))
    assert out[21].interpolated and not out[19].interpolated


def test_long_gap_after_enough_motion_ends_the_output_and_says_why() -> None:
    t, out = run([0.0] * 35 + [None] * 10 + [0.0] * 10)
    assert len(out) == 35
    assert t.end_reason is not None and "3.50 s" in t.end_reason


def test_too_little_motion_is_rejected_with_the_length_found() -> None:
    with pytest.raises(ContentRejected) as err:
        run([0.0] * 20 + [None] * 10 + [0.0] * 15)
    assert err.value.field == "video_url" and err.value.value == 2.0
    assert "at least 3 s" in err.value.message


def test_shot_cut_truncates() -> None:
    other = np.full((36, 64), 230, np.uint8)
    other[:, :32] = 20
    t = MotionTracker(FPS)
    out = []
    for i in range(60):
        out += t.push(obs(i, 0.0, THUMB if i < 40 else other))
    out += t.finish()
    assert len(out) == 40 and t.end_reason == "shot cut at 4.00 s"  # those awaiting smoothing too
    assert is_shot_cut(THUMB, other) and not is_shot_cut(THUMB, THUMB + 3)


def test_frames_skipped_by_the_pose_stride_at_the_end_hold_the_last_pose() -> None:
    t = MotionTracker(FPS)
    out = []
    for i in range(41):
        out += t.push(obs(i, None if i % 2 else 0.0, skipped=bool(i % 2)))
    out += t.push(obs(41, None, skipped=True))
    out += t.finish()
    assert len(out) == 42 and t.end_reason is None


def test_a_steady_move_is_smoothed_without_lag() -> None:
    _, out = run([2.0 * i for i in range(40)])
    base = figure_pose().points[:, 0]
    for f in out[3:-3]:  # every frame with its whole window: exactly where the driver was
        assert np.allclose(f.points[:, 0] - base, 2.0 * f.index, atol=1e-3)



def test_a_face_read_between_poses_is_kept_not_interpolated() -> None:
    """pro reads the face on every frame but the pose on every 2nd: a mouth that opens on a frame
    between two poses opens there (interpolating the poses' faces would halve it), also at the end."""
    t = MotionTracker(FPS)
    out = []
    for i in range(42):
        o = obs(i, None if i % 2 else 0.0, skipped=bool(i % 2))
        o.face = np.array([0.4 if i in (21, 41) else 0.0, 0.3, 0.3, 0.0], np.float32)  # opens at 21, 41
        out += t.push(o)
    out += t.finish()
    mouth = {f.index: float(f.face[0]) for f in out}
    assert len(out) == 42
    # A one-frame opening keeps ~40% through the one-frame smoothing; interpolated, it would be gone.
    assert mouth[21] > 0.12 and mouth[41] > 0.12
    assert mouth[20] < mouth[21] and mouth[22] < mouth[21] and mouth[10] == pytest.approx(0.0)


def test_the_head_turn_carries_over_a_frame_whose_face_the_mesh_missed() -> None:
    """A frame whose face the mesh missed (a fast turn, the first frame after a back view) carries
    its neighbours' head turn, interpolated between two or held from one side; its expression is not
    guessed; a face gone for longer than the smoothing window leaves no turn."""
    t = MotionTracker(FPS)
    out = []
    for i in range(40):
        o = obs(i, 0.0)
        seen = not (10 <= i <= 20 or i == 30)  # gone 10-20 (a back view), missed at 30
        o.face = np.array([0.0, 0.3, 0.3, 0.0, float(i), -5.0], np.float32) if seen else None
        out += t.push(o)
    out += t.finish()
    yaw = {f.index: None if f.turn is None else float(f.turn[0]) for f in out}
    assert yaw[30] == pytest.approx(30.0)  # between 29 and 31
    assert yaw[20] == pytest.approx(21.0) and yaw[10] == pytest.approx(9.0)  # held from one side
    assert yaw[15] is None
    assert {f.index: f.face for f in out}[30] is None
    assert yaw[5] == pytest.approx(5.0) and float(out[5].turn[1]) == pytest.approx(-5.0)
