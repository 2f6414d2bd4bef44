"""The motion-control pipeline: character image + driving video -> MP4 of the character moving.

Reads top to bottom as numbered steps. Analysis and rendering overlap in four processes (docs/ENGINE.md):
one child process looks at the character image while another decodes the driver and tracks its pose;
here a render thread retargets and draws each frame as soon as the motion tracker has made it final;
a third child encodes it.
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
from motionctl.core.types import GenerationResult, GenerationSpec, Orientation, Pose
from motionctl.engine.character_cache import CharacterCache, character_key
from motionctl.engine.config import EngineConfig
from motionctl.engine.debug import contact_sheet, draw_skeleton, rig_picture, side_by_side
from motionctl.engine.elements import ElementFace, FaceBank, load_bank
from motionctl.engine.image_perception import ImageJob, ImagePerception
from motionctl.engine.motion_process import MotionProcess
from motionctl.engine.puppet.character import Character, analyze_character, pose_from_joints
from motionctl.engine.stream import StreamingRun
from motionctl.media.decode import LoadedImage, load_image, output_fps
from motionctl.media.encode import output_size
from motionctl.media.probe import ImageInfo, VideoInfo
from motionctl.media.validate import check_video_end, validate_image, validate_video

Progress = Callable[[float], None]


class MotionControlPipeline:
    def __init__(self, config: EngineConfig | None = None, cache: CharacterCache | None = None) -> None:
        self.config = config
        self.cache = cache  # analysed characters by image (engine/character_cache.py); None: none kept

    # -- step helpers ------------------------------------------------------------------------------
    @staticmethod
    def check_inputs(spec: GenerationSpec) -> tuple[ImageInfo, VideoInfo]:
        """Every documented limit but the slow one, that the driver's end decodes: the pipeline checks
        that (``check_video_end``) once the perception processes have their jobs."""
        image = validate_image(spec.image, field="image")
        video = validate_video(spec.video, spec.orientation, field="video", check_end=False)
        return image, video

    def prepare_character(self, loaded: LoadedImage, canvas: tuple[int, int], cfg: EngineConfig,
                          seen: ImagePerception, given: Pose | None) -> Character:
        """The puppet from what the detectors saw in the image, or from the user's joints (``given``)."""
        h, w = loaded.rgb.shape[:2]
        if given is not None:
            pose: Pose = given
            seg = seen.mask
        elif seen.pose is None or not np.all(seen.pose.visibility[[11, 12]] >= 0.5):
            raise rule_violation(ContentRejected, "image", "must show a person with head, shoulders and arms "
                                 "visible; a drawing no detector can read needs its joints given (command line: "
                                 "motionctl generate --joints)", "no person detected")
        else:
            pose, seg = seen.pose, seen.mask
        character = analyze_character(loaded.rgb, loaded.alpha, canvas, pose=pose, seg_mask=seg)
        if cfg.face_mesh and seen.face is not None:
            character.face = seen.face[:, :2] * np.array([canvas[0] / w, canvas[1] / h], np.float32)
            character.face_z = seen.face[:, 2] * np.float32(canvas[0] / w)
        return character

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

        # 0. A character analysed before is taken from the cache; start the perception processes now (the
        #    image's, unless cached, and the driver's): they load their models while the inputs are checked.
        key = _cache_key(spec, cfg) if self.cache is not None else None
        cached = self.cache.get(key) if self.cache is not None and key is not None else None
        looks = MotionProcess() if cached is None else contextlib.nullcontext(None)
        with looks as looker, MotionProcess() as motion:
            # 1. Check the inputs against the documented limits (the driver's end is checked in step 2).
            t = time.perf_counter()
            _, video = self.check_inputs(spec)
            output = Path(output)
            if output.suffix.lower() != ".mp4":
                raise rule_violation(InvalidInput, "output", "must be a .mp4 path", output.name)
            if not output.parent.is_dir():
                raise rule_violation(InvalidInput, "output", "folder must exist", str(output.parent))
            loaded = load_image(spec.image, field="image")
            canvas = output_size(loaded.width, loaded.height, spec.effective_resolution)
            fps = output_fps(video)
            stages["check"] = time.perf_counter() - t

            # 2. Give them their jobs: the character image (pose, segmentation, face mesh: mediapipe is
            #    loaded in those processes only) to one, the driver (decode, pose, tracking) to the other.
            #    In one process, one after the other, the driver started 1.3 s later and the renderer
            #    then sat idle waiting for its first frames.
            given = pose_from_joints(spec.joints, (loaded.width, loaded.height)) if spec.joints else None
            if looker is not None:
                looker.begin(None, fps, cfg, False, ImageJob(spec.image, cfg.image_pose_side, given, cfg.face_mesh))
            motion.begin(spec.video, fps, cfg, debug_dir is not None, None)
            # The last check decodes the driver's end (~0.5 s for the 1080x1920 dance, its keyframe is
            # far back): the driver's process, idle after loading its models, decodes meanwhile. A clip
            # cut short is still rejected here, before a frame is drawn; leaving the block stops both.
            t = time.perf_counter()
            check_video_end(video, "video")
            stages["check"] += time.perf_counter() - t

            # 3. Analyse the character: pose (or given joints), matte, layers, skin, background plate.
            t = time.perf_counter()
            if cached is not None:
                character = cached
            elif looker is not None:
                character = self.prepare_character(loaded, canvas, cfg, looker.image_perception(), given)
                if self.cache is not None and key is not None:
                    self.cache.put(key, character)
            else:  # unreachable: the looker is started whenever nothing was cached
                raise InternalError("character analysis: neither cached nor looked at")
            element = ElementFace(bank, character) if bank is not None else None
            stages["character"] = time.perf_counter() - t
            report(0.05)

            # 4-5. Retarget, render and encode each tracked driver frame as it arrives.
            run = StreamingRun(spec, cfg, character, video, fps, canvas, output, report, debug_dir, element)
            encoded = run.execute(motion, stages)

        # 6. Debug pictures, when asked: driver skeletons, the rig, driver | output previews.
        if debug_dir is not None:
            write_debug_pictures(Path(debug_dir), character, run.previews)

        wall = time.perf_counter() - started
        driver_seconds = video.duration
        shortened = None
        if encoded.duration < driver_seconds - 1.5 / fps:
            shortened = (f"output is {encoded.duration:.2f} s of the driver's {driver_seconds:.2f} s: "
                         f"{run.reason or 'usable motion ended'}")
        report(1.0)
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
