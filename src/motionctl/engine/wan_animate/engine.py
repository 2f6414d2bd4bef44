"""The wan-animate engine: character image + driving video -> MP4, by Wan2.2-Animate on a GPU.

1. Check the inputs against the documented limits (as the puppet engine does).
2. Perceive: the driver's tracked poses; for orientation image, the character's pose (inputs.perceive).
3. Condition: the pose video and the 512x512 face video at 30 fps, the image fitted to the generation
   size, 1280x720 by area (inputs.condition, sizing).
4. Generate segment by segment (77 frames, each continuing the last frame of the one before), each
   segment's new frames resized to the output size and encoded as they come: memory holds one segment.
5. Encode: H.264 at 30 fps, short side 720 px (1080 px: the generated frames resized), the driver's
   audio copied when asked, a watermarked copy when asked (media/encode.py, as the puppet engine).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from PIL import Image

from motionctl.core.engines import WAN_ANIMATE
from motionctl.core.errors import InternalError, InvalidInput, MotionctlError, rule_violation
from motionctl.core.types import GenerationResult, GenerationSpec
from motionctl.engine.registry import EngineOptions
from motionctl.engine.wan_animate.inputs import Conditioning, condition, perceive
from motionctl.engine.wan_animate.segments import OVERLAP, SEGMENT_FRAMES, Segment, Stitcher, plan_segments
from motionctl.engine.wan_animate.sizing import WAN_FPS, fit_padded, generation_size
from motionctl.engine.wan_animate.weights import check_weights, load_pipeline, pick_device
from motionctl.media.decode import load_image, output_fps
from motionctl.media.encode import VideoEncoder, output_size
from motionctl.media.validate import validate_image, validate_video

Progress = Callable[[float], None]
# Wan's own prompt for animate mode ("the person in the video is moving"), used when none is given.
DEFAULT_PROMPT = "视频中的人在做动作"


class WanAnimateEngine:
    """Loads the pipeline once (a worker keeps it between tasks); call it like the puppet's ``generate``."""

    def __init__(self, options: EngineOptions) -> None:
        if options.weights is None:
            raise rule_violation(InvalidInput, "weights", "is required with --engine wan-animate", "none")
        check_weights(options.weights)  # before picking a device: a missing file is the first thing to say
        self.options = options
        self.device = pick_device(options.device)
        self.pipe = load_pipeline(options.weights, dtype=options.dtype, offload=options.offload, device=self.device)

    def __call__(self, spec: GenerationSpec, output: Path, progress: Progress | None = None) -> GenerationResult:
        try:
            return self._run(spec, Path(output), progress or (lambda _f: None))
        except MotionctlError:
            raise
        except Exception as exc:  # an engine bug (or the worker's Interrupted): one error type, the cause chained
            raise InternalError(f"generation failed: {type(exc).__name__}: {exc}") from exc

    def _run(self, spec: GenerationSpec, output: Path, report: Progress) -> GenerationResult:
        started = time.perf_counter()
        stages: dict[str, float] = {}
        refusal = WAN_ANIMATE.refusal(mode=spec.mode, orientation=spec.orientation,
                                      resolution=spec.effective_resolution)
        if refusal:
            raise InvalidInput(refusal)
        # 1. Check the inputs.
        validate_image(spec.image, field="image")
        video = validate_video(spec.video, spec.orientation, field="video", check_end=False)
        if output.suffix.lower() != ".mp4":
            raise rule_violation(InvalidInput, "output", "must be a .mp4 path", output.name)
        if not output.parent.is_dir():
            raise rule_violation(InvalidInput, "output", "folder must exist", str(output.parent))
        image = load_image(spec.image, field="image")
        fps = output_fps(video)
        gen_size = generation_size(image.width, image.height, self.options.max_area)
        out_size = output_size(image.width, image.height, spec.effective_resolution)
        # 2-3. Perceive and condition.
        t = time.perf_counter()
        seen = perceive(spec, video, fps, (image.width, image.height))
        if len(seen.frames) < 2:
            raise rule_violation(InvalidInput, "video", "must show a person moving", "no usable motion")
        cond = condition(spec, seen, video, fps, image, gen_size)
        stages["perception"] = time.perf_counter() - t
        report(0.05)
        # 4-5. Generate and encode.
        t = time.perf_counter()
        reference = Image.fromarray(fit_padded(image.rgb, *gen_size))
        wm = output.with_name(output.stem + "_watermark" + output.suffix) if spec.watermark else None
        with VideoEncoder(output, *out_size, WAN_FPS, crf=18, preset="veryfast",
                          audio_source=spec.video if spec.keep_sound and video.has_audio else None,
                          audio_start=cond.start_time, watermark_copy=wm) as encoder:
            self._generate(spec, cond, reference, lambda frame: encoder.write(_resized(frame, out_size)), report)
            encoded = encoder.close()
        stages["generate"] = time.perf_counter() - t
        shortened = None
        if seen.end_reason and encoded.duration < video.duration - 1.5 / fps:
            shortened = f"output is {encoded.duration:.2f} s of the driver's {video.duration:.2f} s: {seen.end_reason}"
        report(1.0)
        return GenerationResult(
            output=output, watermark_output=encoded.watermark_path, duration=encoded.duration, frames=encoded.frames,
            fps=WAN_FPS, width=out_size[0], height=out_size[1], wall_seconds=time.perf_counter() - started,
            shortened_reason=shortened, has_audio=encoded.has_audio, stage_seconds=stages,
        )

    def _generate(self, spec: GenerationSpec, cond: Conditioning, reference: Image.Image,
                  write: Callable[[np.ndarray], None], report: Progress) -> None:
        """Run the segments in order, writing each one's new frames; the last frame carries over."""
        plan = plan_segments(len(cond.faces), SEGMENT_FRAMES, OVERLAP)
        stitcher = Stitcher(len(cond.faces))
        self.pipe.carry = None
        try:
            for k, segment in enumerate(plan):
                frames = self._segment(spec, cond, reference, segment, k, len(plan), report)
                for frame in stitcher.add(segment, list(frames)):
                    write(frame)
                tail = torch.from_numpy(np.ascontiguousarray(frames[-OVERLAP:])).permute(3, 0, 1, 2)[None]
                self.pipe.carry = tail * 2.0 - 1.0
        finally:
            self.pipe.carry = None
        if not stitcher.complete:
            raise InternalError(f"segments wrote {stitcher.written} of {stitcher.total} frames")

    def _segment(self, spec: GenerationSpec, cond: Conditioning, reference: Image.Image, segment: Segment,
                 k: int, segments: int, report: Progress) -> np.ndarray:
        steps = self.options.steps

        def on_step(_pipe: Any, i: int, _t: Any, _kwargs: dict[str, Any]) -> dict[str, Any]:
            report(0.05 + 0.95 * (k + (i + 1) / steps) / segments)
            return {}

        poses = [Image.fromarray(p) for p in cond.pose_frames(segment.start, segment.end)]
        faces = [Image.fromarray(f) for f in cond.faces[segment.start : segment.end]]
        result = self.pipe(
            image=reference, pose_video=poses, face_video=faces, prompt=spec.prompt or DEFAULT_PROMPT,
            height=cond.gen_size[1], width=cond.gen_size[0], segment_frame_length=SEGMENT_FRAMES,
            prev_segment_conditioning_frames=OVERLAP, num_inference_steps=steps, mode="animate",
            guidance_scale=1.0, generator=torch.Generator("cpu").manual_seed(self.options.seed + k),
            output_type="np", callback_on_step_end=on_step,
        )
        return np.asarray(result.frames[0], dtype=np.float32)  # (T, H, W, 3) in [0, 1]


def _resized(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    rgb = np.clip(frame * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if rgb.shape[1] == size[0] and rgb.shape[0] == size[1]:
        return rgb
    shrink = size[0] * size[1] < rgb.shape[0] * rgb.shape[1]
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LANCZOS4)
