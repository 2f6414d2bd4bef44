"""The analysis processes: results in order, errors intact, the child never outlives us."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from motionctl.core.errors import ContentRejected, InternalError, MotionctlError
from motionctl.engine.analysis_process import DriverAnalysisProcess, ImageAnalysisProcess
from motionctl.engine.config import EngineConfig
from motionctl.engine.process_messages import DriverJob, ImageJob

ELF = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "pairs" / "upperbody_elf" / "video.mp4"
needs_shared = pytest.mark.skipif(not ELF.is_file(), reason="../shared/testdata is absent")


def empty_room(path: Path, seconds: float = 4.0, fps: int = 12) -> Path:
    """A clip with no person in it: a grey gradient drifting slowly (no cut, no body)."""
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = 384, 384, "yuv420p"
        ramp = np.tile(np.linspace(40, 200, 384, dtype=np.float32), (384, 1))
        for i in range(int(seconds * fps)):
            grey = np.roll(ramp, i, axis=1).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.dstack([grey] * 3), format="rgb24")
            out.mux(s.encode(frame))
        out.mux(s.encode(None))
    return path


@needs_shared
def test_every_frame_arrives_in_order_with_the_drivers_size() -> None:
    frames, sizes = [], set()
    with DriverAnalysisProcess(DriverJob(ELF, 30.0, EngineConfig(), keep_previews=True)) as motion:
        previews: dict[int, np.ndarray] = {}
        for batch in motion.batches():
            frames += batch.frames
            sizes.add(batch.driver_size)
            previews.update(batch.previews)
    indices = [f.index for f in frames]
    assert indices == list(range(len(indices))) and len(indices) >= 100  # the 3.5 s clip at 30 fps
    assert sizes == {(384, 216)}  # decoded at the pose size, 16:9
    assert motion.end is not None and motion.end.reason is None
    assert motion.end.timings["pose"] > 0 and motion.end.timings["motion_cpu"] > 0
    assert "face" not in motion.end.timings  # std reads no face (pro's reading has a timer of its own)
    assert sorted(previews) == list(range(0, indices[-1] + 1, 8))
    assert all(p.shape == (216, 384, 3) for p in previews.values())
    shoulders = np.array([f.points[11] for f in frames])
    assert np.ptp(shoulders[:, 0]) < 100  # the presenter stays put: one tracked person, no jumps


@needs_shared
def test_the_character_image_is_looked_at_beside_the_driver() -> None:
    image = ELF.parent / "image.jpeg"
    job = ImageJob(image, 1024, None, face=True)
    with ImageAnalysisProcess(job) as image_analysis, DriverAnalysisProcess(DriverJob(ELF, 30.0)) as driver:
        seen = image_analysis.perception()
        frames = sum(len(b.frames) for b in driver.batches())
    assert seen.pose is not None and np.all(seen.pose.visibility[[11, 12]] >= 0.5)  # both shoulders
    assert seen.mask is not None and seen.mask.shape == (720, 1280)  # the image's own size
    assert seen.face is not None and seen.face.shape == (478, 2)
    nose = seen.pose.points[0]
    assert np.linalg.norm(np.median(seen.face, axis=0) - nose) < 60  # the mesh is on the face
    assert frames >= 100


def test_a_clip_without_a_person_is_rejected_with_its_rule(tmp_path: Path) -> None:
    with DriverAnalysisProcess(DriverJob(empty_room(tmp_path / "room.mp4"), 12.0)) as motion:
        with pytest.raises(ContentRejected) as err:
            list(motion.batches())
    assert err.value.rule == "at least 3 s of continuous usable motion"
    assert err.value.field == "video_url" and err.value.value == 0.0
    assert "got 0.0 s" in str(err.value)


def test_leaving_early_stops_the_child(tmp_path: Path) -> None:
    with DriverAnalysisProcess(DriverJob(empty_room(tmp_path / "room.mp4", seconds=20), 12.0)) as motion:
        proc = motion._child.proc
        assert proc is not None and proc.poll() is None
    assert proc.poll() is not None  # killed and reaped on the way out


def test_a_child_started_early_and_never_given_a_job_is_stopped() -> None:
    # The pipeline starts the child before checking the inputs; rejected inputs never send a job.
    with DriverAnalysisProcess() as motion:
        proc = motion._child.proc
        assert proc is not None and proc.poll() is None
    assert proc.poll() is not None


def test_a_child_that_dies_is_an_internal_error(tmp_path: Path) -> None:
    with DriverAnalysisProcess(DriverJob(empty_room(tmp_path / "room.mp4", seconds=20), 12.0)) as motion:
        assert motion._child.proc is not None
        motion._child.proc.kill()
        with pytest.raises(InternalError, match="driver analysis stopped unexpectedly"):
            list(motion.batches())


def test_an_image_child_that_dies_says_it_was_the_image_perception(tmp_path: Path) -> None:
    with ImageAnalysisProcess() as image_analysis:
        image_analysis.begin(ImageJob(tmp_path / "any.png", 1024, None, face=False))
        assert image_analysis._child is not None
        image_analysis._child.proc.kill()
        with pytest.raises(InternalError, match="image perception stopped unexpectedly"):
            image_analysis.perception()


@needs_shared
def test_an_image_child_answers_its_perception_and_nothing_else() -> None:
    job = ImageJob(ELF.parent / "image.jpeg", 1024, None, face=False)
    with ImageAnalysisProcess() as image_analysis:
        image_analysis.begin(job)
        seen = image_analysis.perception()
        with pytest.raises(InternalError, match="image perception stopped unexpectedly"):
            image_analysis.perception()  # the child has ended: no second answer
    assert seen.pose is not None and seen.face is None


def test_a_bad_image_is_reported_as_the_childs_error(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"not an image")
    with ImageAnalysisProcess(ImageJob(tmp_path / "broken.png", 1024, None, face=False)) as image_analysis:
        with pytest.raises(MotionctlError):
            image_analysis.perception()


def test_std_lets_the_decoder_drop_unreferenced_frames_pro_reads_every_frame(tmp_path: Path) -> None:
    """Both pose every 2nd frame; std's decoder drops the B-frames no frame refers to (their slots
    hold the previous picture, marked repeat), pro decodes them all for its face reading."""
    from motionctl.core.types import Mode
    from motionctl.engine.driver_analysis import _frames

    clip = tmp_path / "pyramid.mp4"
    with av.open(str(clip), "w") as out:  # P b B b P, as x264 encodes most clips (forced here)
        s = out.add_stream("libx264", rate=12, options={"x264-params": "b-adapt=0:bframes=3:b-pyramid=normal"})
        s.width, s.height, s.pix_fmt = 384, 384, "yuv420p"
        for i in range(48):
            rgb = np.full((384, 384, 3), 60 + 3 * i, np.uint8)
            rgb[100:200, 8 * i % 300 : 8 * i % 300 + 60] = 230
            out.mux(s.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        out.mux(s.encode(None))
    std = list(_frames(clip, 12.0, EngineConfig.for_mode(Mode.STD)))
    pro = list(_frames(clip, 12.0, EngineConfig.for_mode(Mode.PRO)))
    assert len(std) == len(pro) == 48
    assert 10 <= sum(f.repeat for f in std) <= 30
    assert not any(f.repeat for f in pro) and all(f.large is not None for f in pro)
