"""The largest person: BlazePose's tracker is handed a frame with everyone smaller greyed out."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from motionctl.engine.perception import PoseEstimator
from motionctl.engine.perception.people import GREY, Box, Person, largest_alone

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
DANCE = SHARED / "pairs" / "fullbody_cartoon" / "video.mp4"
WOMAN = SHARED / "characters" / "real_woman_fullbody.jpg"


def test_everyone_but_the_largest_is_greyed_and_the_largest_stays_whole() -> None:
    rgb = np.full((100, 200, 3), 50, np.uint8)
    big, small = Box(10, 5, 110, 95), Box(100, 40, 150, 90)  # overlapping at x 100-110
    out = largest_alone(rgb, [Person(small, 20.0), Person(big, 30.0)])
    assert (out[40:90, 111:150] == GREY).all()  # the smaller person, where they are alone
    assert (out[5:95, 10:110] == 50).all()  # the largest, overlap included
    assert (out[0:5] == 50).all() and (out[95:] == 50).all()  # nobody's: untouched
    assert largest_alone(rgb, [Person(big, 30.0)]) is rgb  # one person: the frame as it is


def test_a_person_is_as_big_as_their_torso_not_their_arm_span() -> None:
    pts = np.zeros((33, 2))
    pts[[11, 12]] = (40, 10), (60, 10)  # shoulders
    pts[[23, 24]] = (45, 50), (55, 50)  # hips: torso 40 px
    pts[15], pts[16] = (-100, 10), (200, 10)  # wrists spread wide
    person = Person.from_landmarks(pts)
    assert person.torso == 40.0
    assert person.box.x0 < -100 and person.box.x1 > 200  # the box holds the arms, with a margin
    assert Box(0, 0, 10, 10).pixels(5, 5) == (slice(0, 5), slice(0, 5))


def _paste(canvas: np.ndarray, person: np.ndarray, height: int, x: int) -> int:
    scale = height / person.shape[0]
    img = cv2.resize(person, (round(person.shape[1] * scale), height), interpolation=cv2.INTER_AREA)
    canvas[canvas.shape[0] - height:, x:x + img.shape[1]] = img
    return x + img.shape[1] // 2


@pytest.mark.skipif(not (DANCE.is_file() and WOMAN.is_file()), reason="../shared/testdata is absent")
@pytest.mark.parametrize("woman_left", [True, False])
def test_the_tracker_follows_the_largest_of_two_people(woman_left: bool) -> None:
    # The woman's photo 1000 px tall beside a dancer's video frame 900 px tall: in the frame she is
    # about 880 px, the dancer 800. BlazePose's own pick, both ways round, was the dancer.
    with av.open(str(DANCE)) as clip:
        dancer = next(clip.decode(video=0)).to_ndarray(format="rgb24")
    woman = cv2.cvtColor(cv2.imread(str(WOMAN)), cv2.COLOR_BGR2RGB)
    canvas = np.full((1080, 1920, 3), 128, np.uint8)
    if woman_left:
        woman_x, dancer_x = _paste(canvas, woman, 1000, 100), _paste(canvas, dancer, 900, 1300)
    else:
        dancer_x, woman_x = _paste(canvas, dancer, 900, 200), _paste(canvas, woman, 1000, 1100)
    with PoseEstimator(tracking=True, largest_person=True) as estimator:
        hips = []
        for _ in range(3):  # the first frame picks; the next ones follow without help
            found = estimator.estimate(canvas)
            assert found is not None
            hips.append(float(found.pose.points[[23, 24], 0].mean()))
    assert all(abs(x - woman_x) < 100 for x in hips), (hips, woman_x, dancer_x)


@pytest.mark.skipif(not (DANCE.is_file() and WOMAN.is_file()), reason="../shared/testdata is absent")
def test_the_driver_analysis_follows_the_largest_person_through_the_clip(tmp_path: Path) -> None:
    # 4 s: the dancer moving (800 px of 1080 in the frame) beside the woman's photo standing still (880).
    from motionctl.engine.analysis_process import DriverAnalysisProcess
    from motionctl.engine.config import EngineConfig
    from motionctl.engine.process_messages import DriverJob

    woman = cv2.cvtColor(cv2.imread(str(WOMAN)), cv2.COLOR_BGR2RGB)
    clip = tmp_path / "two.mp4"
    with av.open(str(DANCE)) as src, av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 960, 540, "yuv420p"
        for i, frame in enumerate(src.decode(video=0)):
            if i % 2:
                continue  # 24 -> 12 fps
            canvas = np.full((1080, 1920, 3), 128, np.uint8)
            woman_x = _paste(canvas, woman, 1000, 100)
            _paste(canvas, frame.to_ndarray(format="rgb24"), 900, 1300)
            small = cv2.resize(canvas, (960, 540), interpolation=cv2.INTER_AREA)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(small, format="rgb24")))
            if i >= 96:
                break
        out.mux(stream.encode(None))
    hips = []
    with DriverAnalysisProcess(DriverJob(clip, 12.0, EngineConfig())) as motion:
        for batch in motion.batches():
            width = batch.driver_size[0]
            hips += [float(f.points[[23, 24], 0].mean()) / width for f in batch.frames]
    assert len(hips) >= 40
    assert all(abs(x - woman_x / 1920) < 0.05 for x in hips)


def _person(x: float, torso: float, width: float = 400, height: float = 300) -> Person:
    """Landmarks of someone standing with their shoulders centred at ``x``: the torso ``torso`` px long,
    legs as long again below it, arms hanging."""
    top = 60.0
    pts = np.tile([x, top], (33, 1)).astype(float)  # face and hands' points at the neck
    pts[0] = (x, top - 0.3 * torso)
    pts[[11, 12]] = (x + 0.2 * torso, top), (x - 0.2 * torso, top)
    pts[[13, 14]] = (x + 0.25 * torso, top + 0.5 * torso), (x - 0.25 * torso, top + 0.5 * torso)
    pts[[15, 16]] = (x + 0.25 * torso, top + torso), (x - 0.25 * torso, top + torso)
    pts[[23, 24]] = (x + 0.15 * torso, top + torso), (x - 0.15 * torso, top + torso)
    pts[[25, 26]] = (x + 0.15 * torso, top + 1.5 * torso), (x - 0.15 * torso, top + 1.5 * torso)
    pts[[27, 28]] = (x + 0.15 * torso, top + 2 * torso), (x - 0.15 * torso, top + 2 * torso)
    return Person.from_landmarks(pts, width, height)


def test_someone_walking_in_half_outside_the_frame_is_not_followed_over_a_whole_person() -> None:
    # A man nearer the camera (torso 130 px) walking in at the left edge, half of him outside; a
    # whole woman further back (torso 100 px) in the picture.
    walking_in = _person(-15, 130, height=400)
    whole = _person(250, 100, height=400)
    assert walking_in.torso > whole.torso and walking_in.whole < 0.7 and whole.whole == 1.0
    rgb = np.full((400, 400, 3), 50, np.uint8)
    out = largest_alone(rgb, [walking_in, whole])
    assert (out[whole.box.pixels(400, 400)] == 50).all()  # the whole person is kept
    assert (out[100:200, 0:20] == GREY).all()  # the one at the edge is greyed out
    # Once he is in the picture, he is the larger and is followed.
    inside = _person(100, 130, height=400)
    out = largest_alone(rgb, [inside, _person(300, 100, height=400)])
    assert (out[inside.box.pixels(400, 400)] == 50).all()
