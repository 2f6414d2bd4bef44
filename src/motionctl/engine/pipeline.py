"""The motion-control pipeline: character image + driving video -> MP4 of the character moving.

``MotionControlPipeline.__call__`` reads top to bottom as the numbered steps of docs/ENGINE.md:
1 check the inputs, 2 analyse the character, 3 analyse the motion, 4 retarget, 5 render, 6 encode,
7 debug pictures. The work overlaps in four processes: an image-analysis and a driver-analysis child
(engine/analysis_process.py) look at the image and the driver at once; here a render thread retargets
and draws each frame as soon as the driver's tracker has made it final (engine/stream.py); an encoder
child encodes it (media/encode_process.py).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from motionctl.core.errors import ContentRejected, InternalError, InvalidInput, MotionctlError, rule_violation
from motionctl.core.limits import IMAGE_MAX_BYTES
from motionctl.core.types import VISIBLE, GenerationResult, GenerationSpec, Orientation, Pose, joint_indices
from motionctl.engine.analysis_process import DriverAnalysisProcess, ImageAnalysisProcess
from motionctl.engine.character_cache import CharacterCache, character_key
from motionctl.engine.config import EngineConfig
from motionctl.engine.debug import contact_sheet, draw_skeleton, rig_picture, side_by_side
from motionctl.engine.elements import ElementFace, FaceBank, load_bank
from motionctl.engine.process_messages import DriverJob, ImageJob, ImagePerception
from motionctl.engine.puppet.character import Character, analyze_character, limbs_doubt, pose_from_joints
from motionctl.engine.stream import StreamingRun
from motionctl.media.decode import LoadedImage, load_image, output_fps
from motionctl.media.encode import EncodedVideo, output_size
from motionctl.media.probe import ImageInfo, VideoInfo
from motionctl.media.validate import check_video_end, validate_image, validate_video

Progress = Callable[[float], None]
SHOULDERS = joint_indices("left_shoulder", "right_shoulder")
# Progress through steps 1-2 (the checks, the image's perception, the character's build), reported
# as each part ends, at each frame of the driver's end check and every few tenths of a second while
# the perception is pending: a caller's
# progress callback is where it can stop a run (a cancelled task, tasks/worker.py), so there is one
# within a step of any moment before the first frame. benchmarks/cancel_latency.py measures it.
CHECKED, PERCEIVING, ANALYSED = 0.01, 0.02, 0.05


class MotionControlPipeline:
    def __init__(self, config: EngineConfig | None = None, cache: CharacterCache | None = None) -> None:
        self.config = config
        self.cache = cache  # analysed characters by image (engine/character_cache.py); None: none kept

    # -- step helpers ------------------------------------------------------------------------------
    @staticmethod
    def check_inputs(spec: GenerationSpec) -> tuple[ImageInfo, VideoInfo]:
        """Every documented limit but the one that reads the driver's end: the pipeline checks that
        (``check_video_end``) once the analysis processes have their jobs."""
        image = validate_image(spec.image, field="image")
        video = validate_video(spec.video, spec.orientation, field="video", check_end=False)
        return image, video

    def prepare_character(self, loaded: LoadedImage, canvas: tuple[int, int], cfg: EngineConfig,
                          seen: ImagePerception, given: Pose | None,
                          step: Callable[[float], None] | None = None) -> Character:
        """The puppet from what the detectors saw in the image, or from the user's joints (``given``);
        ``step`` as analyze_character's."""
        h, w = loaded.rgb.shape[:2]
        if given is not None:
            pose: Pose = given
            seg = seen.mask
        elif seen.pose is None or not np.all(seen.pose.visibility[SHOULDERS] >= VISIBLE):
            raise rule_violation(ContentRejected, "image", "must show a person with head, shoulders and arms "
                                 "visible; a drawing no detector can read needs its joints given (command line: "
                                 "motionctl generate --joints)", "no person detected")
        else:
            pose, seg = seen.pose, seen.mask
        character = analyze_character(loaded.rgb, loaded.alpha, canvas, pose=pose, seg_mask=seg, step=step)
        doubts = [] if given is not None else [seen.doubt, limbs_doubt(character)]
        character.doubt = "; ".join(d for d in doubts if d) or None
        if cfg.face_mesh and seen.face is not None:
            character.face = seen.face[:, :2] * np.array([canvas[0] / w, canvas[1] / h], np.float32)
            character.face_z = seen.face[:, 2] * np.float32(canvas[0] / w)
        return character

    @staticmethod
    def check_output(output: Path) -> Path:
        """The output path: a .mp4 file in a folder that exists."""
        output = Path(output)
        if output.suffix.lower() != ".mp4":
            raise rule_violation(InvalidInput, "output", "must be a .mp4 path", output.name)
        if not output.parent.is_dir():
            raise rule_violation(InvalidInput, "output", "folder must exist", str(output.parent))
        return output

    # -- the pipeline ------------------------------------------------------------------------------
    def __call__(self, spec: GenerationSpec, output: Path, *, progress: Progress | None = None,
                 debug_dir: Path | None = None) -> GenerationResult:
        started = time.perf_counter()
        report = progress or (lambda _f: None)
        cfg = self.config or EngineConfig.for_mode(spec.mode)
        stages: dict[str, float] = {}
        bank = load_element(spec)
        if bank is not None:  # the face mesh is read on the image and the driver, in std too
            cfg = replace(cfg, element_face=True, face_side=cfg.face_side or ELEMENT_FACE_SIDE)

        # The analysis processes start first and load their models while the inputs are checked: the
        # image's (none for a character from the cache) and the driver's.
        key = _cache_key(spec, cfg) if self.cache is not None else None
        cached = self.cache.get(key) if self.cache is not None and key is not None else None
        image_source = contextlib.nullcontext(cached) if cached is not None else ImageAnalysisProcess()
        with image_source as image, DriverAnalysisProcess() as driver_analysis:
            # 1. Check the inputs against the documented limits (the driver's end just below).
            t = time.perf_counter()
            _, video = self.check_inputs(spec)
            output = self.check_output(output)
            loaded = load_image(spec.image, field="image")
            canvas = output_size(loaded.width, loaded.height, spec.effective_resolution)
            fps = output_fps(video)
            stages["check"] = time.perf_counter() - t
            report(CHECKED)

            # 2-3. The analysis processes get their jobs: the character image (pose, segmentation, face
            #    mesh) to one, the driver (decode, pose, tracking) to the other, so the driver's decode
            #    does not wait for the image's pose views. mediapipe is loaded in those processes only.
            given = pose_from_joints(spec.joints, (loaded.width, loaded.height)) if spec.joints else None
            if isinstance(image, ImageAnalysisProcess):
                image.begin(ImageJob(spec.image, cfg.image_pose_side, given, cfg.face_mesh))
            driver_analysis.begin(DriverJob(spec.video, fps, cfg, keep_previews=debug_dir is not None))
            # 1, last check: the driver's end is read (its packets, not decoded) while the driver's
            #    process starts decoding. A clip cut short is still rejected here, before a frame is
            #    drawn; leaving the block stops both processes.
            t = time.perf_counter()
            check_video_end(video, "video", each_frame=lambda: report(CHECKED))
            stages["check"] += time.perf_counter() - t
            report(PERCEIVING)

            # 2. Analyse the character: pose (or given joints), matte, layers, skin, background plate.
            t = time.perf_counter()
            character = image if isinstance(image, Character) else self._analyse_character(
                key, loaded, canvas, cfg, image.perception(waiting=lambda: report(PERCEIVING)), given,
                step=lambda f: report(PERCEIVING + (ANALYSED - PERCEIVING) * f))
            element = ElementFace(bank, character) if bank is not None else None
            stages["character"] = time.perf_counter() - t
            report(ANALYSED)

            # 3-6. The driver's tracked frames arrive from its process (3); each is retargeted (4),
            #    rendered (5) and encoded (6) as it arrives: steps 4-6 run per frame in the streaming run.
            run = StreamingRun(spec, cfg, character, video, fps, canvas, output, report, debug_dir, element)
            encoded = run.execute(driver_analysis, stages)

        # 7. Debug pictures, when asked: driver skeletons, the rig, driver | output previews.
        if debug_dir is not None:
            write_debug_pictures(Path(debug_dir), character, run.previews)
        result = _result(output, encoded, video, fps, canvas, time.perf_counter() - started, run.reason, stages)
        result.character_doubt = character.doubt
        report(1.0)
        return result

    def _analyse_character(self, key: str | None, loaded: LoadedImage, canvas: tuple[int, int],
                           cfg: EngineConfig, seen: ImagePerception, given: Pose | None,
                           step: Callable[[float], None]) -> Character:
        """Step 2 for an image not in the cache: the character built, and kept in the cache."""
        character = self.prepare_character(loaded, canvas, cfg, seen, given, step)
        if self.cache is not None and key is not None:
            self.cache.put(key, character)
        return character


def _result(output: Path, encoded: EncodedVideo, video: VideoInfo, fps: float, canvas: tuple[int, int],
            wall: float, reason: str | None, stages: dict[str, float]) -> GenerationResult:
    """What the caller is told: the files, their size and length, why the output is short, if it is."""
    shortened = None
    if encoded.duration < video.duration - 1.5 / fps:
        shortened = (f"output is {encoded.duration:.2f} s of the driver's {video.duration:.2f} s: "
                     f"{reason or 'usable motion ended'}")
    return GenerationResult(
        output=output, watermark_output=encoded.watermark_path, duration=encoded.duration,
        frames=encoded.frames, fps=fps, width=canvas[0], height=canvas[1], wall_seconds=wall,
        shortened_reason=shortened, has_audio=encoded.has_audio, stage_seconds=stages,
    )


ELEMENT_FACE_SIDE = 960  # driver frames' longer side for the face mesh when std draws an element (pro's)


def load_element(spec: GenerationSpec) -> FaceBank | None:
    """The element's face bank, checked: binding needs orientation video (seeds 001-003)."""
    if spec.element is None:
        return None
    if spec.orientation != Orientation.VIDEO:
        raise rule_violation(InvalidInput, "element", "element binding is only supported when "
                             "character_orientation is video", spec.orientation.value)
    return load_bank(spec.element, "element")


def write_debug_pictures(folder: Path, character: Character, previews: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)

    def save(name: str, rgb: np.ndarray) -> None:
        cv2.imwrite(str(folder / name), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))

    save("rig.png", rig_picture(character))
    picks = previews[:: max(1, len(previews) // 8)][:8]
    save("driver_skeleton.png", contact_sheet([
        side_by_side(draw_skeleton(d, f.points, f.visibility), d) for d, _, f, _ in picks], columns=2))
    save("preview.png", contact_sheet([side_by_side(d, o) for d, o, _, _ in picks], columns=2))


def _cache_key(spec: GenerationSpec, cfg: EngineConfig) -> str | None:
    """The character's cache key; None for an image that is missing, unreadable or over the documented
    size (not worth hashing: the checks of step 1 reject it with the rule named)."""
    try:
        if spec.image.stat().st_size > IMAGE_MAX_BYTES:
            return None
        return character_key(spec, cfg)
    except OSError:
        return None


def generate(spec: GenerationSpec, output: Path, *, progress: Progress | None = None,
             debug_dir: Path | None = None, config: EngineConfig | None = None,
             cache: CharacterCache | None = None) -> GenerationResult:
    """Generate ``output`` (and its watermarked copy when asked); see MotionControlPipeline."""
    try:
        return MotionControlPipeline(config, cache)(spec, Path(output), progress=progress, debug_dir=debug_dir)
    except MotionctlError:
        raise
    except Exception as exc:  # an engine bug: one error type for callers, the cause chained
        raise InternalError(f"generation failed: {type(exc).__name__}: {exc}") from exc
