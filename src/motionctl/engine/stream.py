"""The streaming part of a generation: decode -> pose -> tracker -> retarget -> render -> encode.

Three threads share the two cores: the decoder (FFmpeg releases the GIL), pose estimation on the
calling thread (mediapipe releases it too), and a render thread that draws and encodes each frame
as soon as the motion tracker has made it final. Bounded queues keep memory flat on long clips.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from motionctl.core.types import GenerationSpec, Pose
from motionctl.engine.config import EngineConfig
from motionctl.engine.motion import DriverFrame, MotionTracker, Observation
from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator, face_params
from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.face import FaceAnimator
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Posed, Retargeter
from motionctl.media.decode import Frame, iter_frames
from motionctl.media.encode import EncodedVideo, VideoEncoder
from motionctl.media.probe import VideoInfo

_DONE = object()
PREVIEW_EVERY = 8  # keep every n-th frame for the debug pictures


def watermark_path(output: Path) -> Path:
    """Where the watermarked copy of ``output`` goes: OUT_watermark.mp4 beside it."""
    return output.with_name(output.stem + "_watermark" + output.suffix)


def _drain(q: queue.Queue) -> None:
    with contextlib.suppress(queue.Empty):
        while True:
            q.get_nowait()


def _face_crop_params(faces: FaceMeshEstimator | None, big: np.ndarray | None, pose: Pose | None,
                      small_shape: tuple[int, ...]) -> np.ndarray | None:
    """Face expression parameters from a crop around the driver's head (pro)."""
    if faces is None or big is None or pose is None:
        return None
    s = big.shape[1] / small_shape[1]
    head = pose.points[[0, 7, 8]] * s
    ear_gap = float(np.linalg.norm(head[1] - head[2])) or 20 * s
    cx, cy = head.mean(axis=0)
    r = 1.6 * ear_gap
    h, w = big.shape[:2]
    x0, y0 = int(max(cx - r, 0)), int(max(cy - r, 0))
    x1, y1 = int(min(cx + r, w)), int(min(cy + r, h))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    pts = faces.estimate(np.ascontiguousarray(big[y0:y1, x0:x1]))
    return None if pts is None else face_params(pts).as_array()


class StreamingRun:
    def __init__(self, spec: GenerationSpec, cfg: EngineConfig, character: Character, video: VideoInfo,
                 fps: float, canvas: tuple[int, int], output: Path, report: Callable[[float], None],
                 debug_dir: Path | None) -> None:
        self.spec, self.cfg, self.character, self.video = spec, cfg, character, video
        self.fps, self.canvas, self.output, self.report = fps, canvas, output, report
        self.debug_dir = debug_dir
        self.reason: str | None = None
        self.expected = max(1, int(round(video.duration * min(fps, video.fps))))
        self.previews: list[tuple[np.ndarray, np.ndarray, DriverFrame, Posed]] = []
        self.driver_frames: dict[int, np.ndarray] = {}

    def _frames(self) -> Iterator[tuple[Frame, np.ndarray | None]]:
        """Driver frames at pose size, plus a larger copy for face tracking (pro)."""
        side = self.cfg.face_side or self.cfg.pose_side
        for frame in iter_frames(self.spec.video, max_fps=self.fps, max_side=side, field="video"):
            big = None
            if self.cfg.face_side:
                big = frame.rgb
                h, w = big.shape[:2]
                s = self.cfg.pose_side / max(h, w)
                small = cv2.resize(big, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
                frame = Frame(frame.index, frame.time, small)
            yield frame, big

    def execute(self, stages: dict[str, float]) -> EncodedVideo:
        frames_q: queue.Queue[Any] = queue.Queue(maxsize=16)
        errors: list[BaseException] = []
        timings = {"decode": 0.0, "pose": 0.0}
        stop = threading.Event()

        def decode() -> None:
            try:
                it = self._frames()
                while not stop.is_set():
                    t = time.perf_counter()
                    item = next(it, None)
                    timings["decode"] += time.perf_counter() - t
                    if item is None:
                        break
                    frames_q.put(item)
            except BaseException as exc:  # re-raised on the calling thread
                errors.append(exc)
            finally:
                frames_q.put(_DONE)

        worker = RenderWorker(self)
        decoder = threading.Thread(target=decode, name="motionctl-decode", daemon=True)
        decoder.start()
        tracker = MotionTracker(self.fps)
        try:
            faces_cm = FaceMeshEstimator(tracking=True) if self.cfg.expressions else contextlib.nullcontext()
            with PoseEstimator(tracking=True, max_side=self.cfg.pose_side) as poses, faces_cm as faces:
                while True:
                    item = frames_q.get()
                    if item is _DONE:
                        break
                    frame, big = item
                    t = time.perf_counter()
                    skipped = frame.index % self.cfg.pose_stride != 0 and frame.index > 0
                    found = None if skipped else poses.estimate(frame.rgb)
                    pose = found.pose if found else None
                    face = None if skipped else _face_crop_params(faces, big, pose, frame.rgb.shape)
                    timings["pose"] += time.perf_counter() - t
                    thumb = cv2.resize(cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2GRAY), (64, 36),
                                       interpolation=cv2.INTER_AREA)
                    worker.driver_size = (frame.rgb.shape[1], frame.rgb.shape[0])
                    if self.debug_dir is not None and frame.index % PREVIEW_EVERY == 0:
                        self.driver_frames[frame.index] = frame.rgb
                    obs = Observation(frame.index, frame.time, pose, thumb, face, skipped=skipped)
                    worker.submit(tracker.push(obs))
                    worker.check()
                    if tracker.stopped:
                        break
            if errors:
                raise errors[0]
            worker.submit(tracker.finish())
            self.reason = tracker.end_reason
            encoded = worker.finish()
        except BaseException:
            worker.abort()
            raise
        finally:
            stop.set()
            _drain(frames_q)
            decoder.join(timeout=10)
        stages.update(timings)
        stages.update(worker.timings)
        return encoded


class RenderWorker:
    """Retargets, renders and encodes final frames on its own thread."""

    def __init__(self, run: StreamingRun) -> None:
        self.run = run
        self.q: queue.Queue[Any] = queue.Queue(maxsize=128)
        self.timings = {"render": 0.0, "encode": 0.0}
        self.driver_size = (1, 1)
        self.encoder: VideoEncoder | None = None
        self.error: BaseException | None = None
        self.done = 0
        self._thread = threading.Thread(target=self._loop, name="motionctl-render", daemon=True)
        self._thread.start()

    def submit(self, frames: list[DriverFrame]) -> None:
        if frames:
            self.q.put(frames)

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def finish(self) -> EncodedVideo:
        self.q.put(_DONE)
        self._thread.join()
        self.check()
        if self.encoder is None:
            raise RuntimeError("no frame was rendered")
        t = time.perf_counter()
        encoded = self.encoder.close()
        self.timings["encode"] += time.perf_counter() - t
        return encoded

    def abort(self) -> None:
        _drain(self.q)
        self.q.put(_DONE)
        self._thread.join(timeout=30)
        if self.encoder is not None:
            self.encoder.abort()

    def _open(self, first: DriverFrame) -> tuple[Retargeter, Renderer, FaceAnimator | None]:
        run = self.run
        spec, cfg = run.spec, run.cfg
        retarget = Retargeter(run.character, self.driver_size, spec.orientation,
                              hand_orientation=cfg.hand_orientation)
        wm = watermark_path(run.output) if spec.watermark else None
        self.encoder = VideoEncoder(
            run.output, run.canvas[0], run.canvas[1], run.fps, crf=cfg.crf, preset=cfg.preset,
            audio_source=spec.video if spec.keep_sound and run.video.has_audio else None,
            audio_start=first.time, watermark_copy=wm,
        )
        face = FaceAnimator(run.character) if cfg.expressions and run.character.face is not None else None
        return retarget, Renderer(run.character), face

    def _loop(self) -> None:
        retarget: Retargeter | None = None
        renderer: Renderer | None = None
        face: FaceAnimator | None = None
        try:
            while True:
                batch = self.q.get()
                if batch is _DONE:
                    return
                if retarget is None or renderer is None:
                    retarget, renderer, face = self._open(batch[0])
                    retarget.prime(batch)
                    if face is not None:
                        face.prime(batch)
                encoder = self.encoder
                if encoder is None:
                    raise RuntimeError("render worker has no encoder")
                for frame in batch:
                    t = time.perf_counter()
                    posed = retarget.pose(frame)
                    image = renderer.render(posed)
                    if face is not None:
                        face.apply(image, posed, frame)
                    t2 = time.perf_counter()
                    encoder.write(image)
                    self.timings["render"] += t2 - t
                    self.timings["encode"] += time.perf_counter() - t2
                    self.done += 1
                    self._keep_preview(frame, image, posed)
                    self.run.report(0.05 + 0.93 * min(1.0, self.done / self.run.expected))
        except BaseException as exc:  # surfaced by check()/finish() on the calling thread
            self.error = exc
            _drain(self.q)

    def _keep_preview(self, frame: DriverFrame, image: np.ndarray, posed: Posed) -> None:
        drv = self.run.driver_frames.pop(frame.index, None)
        if drv is not None:
            self.run.previews.append((drv, image.copy(), frame, posed))
