"""The streaming part of a generation: tracked poses from the motion process -> retarget -> render -> encode.

The driver is decoded and its pose estimated in a child process (engine/driver_analysis.py), so that
work and rendering each have a core of their own. Here a render thread retargets and draws each frame
as soon as its batch arrives and hands it to the encoder process (media/encode_process.py); bounded
queues and a fixed ring of frame slots keep memory flat on long clips. The calling thread only moves
batches from the pipe to the render thread, yet that read-ahead matters: rendering on the calling
thread instead lets the pipe limit how far the motion process runs ahead, and the run is slower
(benchmarks/ab.py).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from motionctl.core.child import Child
from motionctl.core.types import GenerationSpec
from motionctl.engine.analysis_process import DriverAnalysisProcess
from motionctl.engine.config import EngineConfig
from motionctl.engine.elements import ElementFace
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.face import FaceAnimator
from motionctl.engine.puppet.pose_stream import PoseStream
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Posed, Retargeter
from motionctl.media.encode import EncodedVideo
from motionctl.media.encode_process import EncoderProcess, discard_encoder_child, start_encoder_child
from motionctl.media.probe import VideoInfo

_DONE = object()


def watermark_path(output: Path) -> Path:
    """Where the watermarked copy of ``output`` goes: OUT_watermark.mp4 beside it."""
    return output.with_name(output.stem + "_watermark" + output.suffix)


def _drain(q: queue.Queue) -> None:
    with contextlib.suppress(queue.Empty):
        while True:
            q.get_nowait()


class StreamingRun:
    def __init__(self, spec: GenerationSpec, cfg: EngineConfig, character: Character, video: VideoInfo,
                 fps: float, canvas: tuple[int, int], output: Path, report: Callable[[float], None],
                 debug_dir: Path | None, element: ElementFace | None = None) -> None:
        self.spec, self.cfg, self.character, self.video = spec, cfg, character, video
        self.element = element  # an element's face drawn over the character's (engine/elements)
        self.fps, self.canvas, self.output, self.report = fps, canvas, output, report
        self.debug_dir = debug_dir
        self.reason: str | None = None
        self.expected = max(1, int(round(video.duration * min(fps, video.fps))))
        self.previews: list[tuple[np.ndarray, np.ndarray, DriverFrame, Posed]] = []
        self.driver_frames: dict[int, np.ndarray] = {}

    def execute(self, motion: DriverAnalysisProcess, stages: dict[str, float]) -> EncodedVideo:
        """Render every batch ``motion`` sends; its errors (too little usable motion...) surface here."""
        worker = RenderWorker(self)
        try:
            for batch in motion.batches():
                worker.driver_size = batch.driver_size
                self.driver_frames.update(batch.previews)
                worker.submit(batch.frames)
                worker.check()
            self.reason = motion.end.reason if motion.end else None
            encoded = worker.finish()
        except BaseException:
            worker.abort()
            raise
        if motion.end is not None:
            stages.update(motion.end.timings)
        stages.update(worker.timings)
        return encoded


class RenderWorker:
    """Retargets, renders and encodes final frames on its own thread.

    Retargeting keeps state from frame to frame (the drawing order's hysteresis), so it runs on this
    thread in order; drawing a posed frame does not, and runs on a small pool (OpenCV's warps
    release the GIL): once the driver analysis has finished, drawing is the only work left on the
    caller's core while the other core encodes. Frames reach the encoder in order.
    """

    def __init__(self, run: StreamingRun) -> None:
        self.run = run
        self.q: queue.Queue[Any] = queue.Queue(maxsize=128)
        self.timings = {"render": 0.0, "encode": 0.0}
        self.driver_size = (1, 1)
        self.encoder: EncoderProcess | None = None
        self.error: BaseException | None = None
        self.done = 0
        # The encoder's process starts now, so its start-up overlaps the wait for the first batch.
        self._spare: Child | None = start_encoder_child()
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
        self._discard_spare()
        self.check()
        if self.encoder is None:
            raise RuntimeError("no frame was rendered")
        t = time.perf_counter()
        encoded = self.encoder.close()
        self.timings["encode"] += time.perf_counter() - t
        self.timings["encode_cpu"] = self.encoder.child_cpu_seconds
        return encoded

    def abort(self) -> None:
        _drain(self.q)
        self.q.put(_DONE)
        self._thread.join(timeout=30)
        self._discard_spare()
        if self.encoder is not None:
            self.encoder.abort()

    def _discard_spare(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            discard_encoder_child(spare)

    def _drawing(self) -> tuple[Renderer, FaceAnimator | None]:
        """What draws the frames, built from the character alone as soon as the thread starts: it
        needs no driver frame, so the layers' per-bone copies (the Renderer, the largest part of the
        set-up) are cut while the first batch and the encoder's start are still awaited, not after
        them (benchmarks/element_speed.py)."""
        run = self.run
        cv2.setNumThreads(run.cfg.render_threads)
        face = FaceAnimator(run.character) if run.cfg.expressions and run.character.face is not None else None
        return Renderer(run.character), face

    def _open(self, first: DriverFrame) -> PoseStream:
        run = self.run
        spec, cfg = run.spec, run.cfg
        retarget = Retargeter(run.character, self.driver_size, spec.orientation,
                              hand_orientation=cfg.hand_orientation, head_roll=cfg.expressions)
        wm = watermark_path(run.output) if spec.watermark else None
        spare, self._spare = self._spare, None
        self.encoder = EncoderProcess(
            run.output, run.canvas[0], run.canvas[1], run.fps, child=spare, crf=cfg.crf, preset=cfg.preset,
            x264_params=cfg.x264_params,
            audio_source=spec.video if spec.keep_sound and run.video.has_audio else None,
            audio_start=first.time, watermark_copy=wm, threads=cfg.encode_threads,
        )
        return PoseStream(retarget, look_ahead=cfg.hand_look_ahead, fast_steps=cfg.hand_fast_steps)

    def _loop(self) -> None:
        poses: PoseStream | None = None
        workers = max(1, self.run.cfg.render_workers)
        pending: deque[tuple[DriverFrame, Posed, Future[np.ndarray]]] = deque()
        try:
            renderer, face = self._drawing()
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="motionctl-draw") as pool:

                def draw(posed_frames: list[tuple[DriverFrame, Posed]]) -> None:
                    for frame, posed in posed_frames:
                        pending.append((frame, posed, pool.submit(_draw, renderer, face, self.run.element,
                                                                  posed, frame)))
                        while len(pending) > 2 * workers:
                            self._write(*pending.popleft())

                while True:
                    batch = self.q.get()
                    if batch is _DONE:
                        break
                    if poses is None:
                        poses = self._open(batch[0])
                        poses.retarget.prime(batch)
                        if face is not None:
                            face.prime(batch)
                        if self.run.element is not None:
                            self.run.element.prime(batch)
                    for frame in batch:
                        draw(poses.push(frame))
                if poses is not None:
                    draw(poses.flush())
                while pending:
                    self._write(*pending.popleft())
        except BaseException as exc:  # surfaced by check()/finish() on the calling thread
            self.error = exc
            for *_, future in pending:
                future.cancel()
            _drain(self.q)

    def _write(self, frame: DriverFrame, posed: Posed, drawn: Future[np.ndarray]) -> None:
        encoder = self.encoder
        if encoder is None:
            raise RuntimeError("render worker has no encoder")
        t = time.perf_counter()
        image = drawn.result()
        t2 = time.perf_counter()
        encoder.write(image)
        self.timings["render"] += t2 - t  # the wait for the drawing: how far rendering holds up encoding
        self.timings["encode"] += time.perf_counter() - t2
        self.done += 1
        self._keep_preview(frame, image, posed)
        self.run.report(0.05 + 0.93 * min(1.0, self.done / self.run.expected))

    def _keep_preview(self, frame: DriverFrame, image: np.ndarray, posed: Posed) -> None:
        drv = self.run.driver_frames.pop(frame.index, None)
        if drv is not None:
            self.run.previews.append((drv, image.copy(), frame, posed))


def _draw(renderer: Renderer, face: FaceAnimator | None, element: ElementFace | None, posed: Posed,
          frame: DriverFrame) -> np.ndarray:
    """One posed frame drawn: the layers over the plate, the element's face turned as the driver's
    (when bound), then the face's expression (pro) on the face drawn."""
    image = renderer.render(posed)
    points = element.apply(image, posed.affines["head"], frame.turn) if element is not None else None
    if face is not None:
        face.apply(image, posed, frame, points)
    return image
