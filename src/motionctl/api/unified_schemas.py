"""The unified endpoint's bodies (``POST /v1/videos/generations``), one per model family, and the
unified task it answers with. Each body is a thin adapter: its own field names, enums and defaults,
and ``to_request()`` to the internal request.

- seed 000, ``kling/kling-v3-motion-control``: ``reference_images`` / ``reference_videos`` (one
  ``{"url": ...}`` each), ``resolution`` 720P/1080P (default 720P), ``generate_audio`` (default
  false: the driver's sound is kept only when asked), ``extra_params.character_orientation``.
- seed 001, ``kling-video-v3-pro-motion-control``: ``input_image`` / ``input_video``,
  ``character_orientation`` (default "video"), ``keep_original_sound`` boolean (default true),
  ``elements``.
- ``wan2.2-animate`` (ours: Wan2.2-Animate-14B, the GPU engine): seed 001's field names plus ``resolution``; a GPU
  worker (``motionctl worker --engine wan-animate``) runs it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from motionctl.core import limits

from . import field_docs as doc
from .request import GenerationRequest
from .schemas import EXTERNAL_ID_PATTERN

IMAGE_DOC = "http(s) URL of a .jpg/.png image (or a /v1/files URL); the character must cover more than 5% of it"
VIDEO_DOC = "http(s) URL of an .mp4/.mov video (or a /v1/files URL); 3-10 s (orientation image) or 3-30 s (video)"


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


class MediaRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    url: str = Field(min_length=1)


class ExtraParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    character_orientation: Literal["image", "video"] = Field(
        default="video", description=doc.ORIENTATION, json_schema_extra=doc.ORIENTATION_CHOICES
    )


class KlingV3MotionControlBody(_Body):
    """Seed 000's request: Kling 3.0 motion control on the unified endpoint."""

    model: Literal["kling/kling-v3-motion-control"]
    prompt: str = Field(default="", max_length=limits.PROMPT_MAX_CHARS, description=doc.PROMPT)
    resolution: Literal["720P", "1080P"] = Field(
        default="720P", description=doc.RESOLUTION, json_schema_extra=doc.RESOLUTION_CHOICES
    )
    reference_images: list[MediaRef] = Field(min_length=1, max_length=1, description=IMAGE_DOC)
    reference_videos: list[MediaRef] = Field(min_length=1, max_length=1, description=VIDEO_DOC)
    generate_audio: bool = Field(default=False, description="Keep the reference video's sound in the output")
    extra_params: ExtraParams = Field(default_factory=ExtraParams, description="Extension parameters")
    callback_url: str = doc.callback_url_field()
    external_task_id: str = Field(
        default="", max_length=255, pattern=EXTERNAL_ID_PATTERN, description=doc.EXTERNAL_TASK_ID
    )

    def to_request(self) -> GenerationRequest:
        return GenerationRequest(
            image=self.reference_images[0].url,
            video=self.reference_videos[0].url,
            orientation=self.extra_params.character_orientation,
            mode="std",  # the dialect has no mode: the fast path, at the resolution asked for
            model_name="kling-v3",
            model_id=self.model,
            resolution=self.resolution.lower(),
            prompt=self.prompt,
            keep_sound=self.generate_audio,
            callback_url=self.callback_url,
            external_task_id=self.external_task_id,
        )


class ElementRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    element_id: int | str


class KlingV3ProMotionControlBody(_Body):
    """Seed 001's request: Kling 3.0 Pro motion control (pro mode, 1080p)."""

    model: Literal["kling-video-v3-pro-motion-control"]
    prompt: str = Field(max_length=limits.PROMPT_MAX_CHARS, description=doc.PROMPT)
    input_image: str = Field(min_length=1, description=IMAGE_DOC, json_schema_extra={"format": "uri"})
    input_video: str = Field(min_length=1, description=VIDEO_DOC, json_schema_extra={"format": "uri"})
    character_orientation: Literal["image", "video"] = Field(
        default="video", description=doc.ORIENTATION, json_schema_extra=doc.ORIENTATION_CHOICES
    )
    keep_original_sound: bool = Field(default=True, description=doc.KEEP_SOUND)
    elements: list[ElementRef] = Field(
        default_factory=list, max_length=limits.MAX_ELEMENTS, description=doc.ELEMENTS
    )
    callback_url: str = doc.callback_url_field()
    external_task_id: str = Field(
        default="", max_length=255, pattern=EXTERNAL_ID_PATTERN, description=doc.EXTERNAL_TASK_ID
    )

    def to_request(self) -> GenerationRequest:
        return GenerationRequest(
            image=self.input_image,
            video=self.input_video,
            orientation=self.character_orientation,
            mode="pro",
            model_name="kling-v3",
            model_id=self.model,
            prompt=self.prompt,
            keep_sound=self.keep_original_sound,
            callback_url=self.callback_url,
            external_task_id=self.external_task_id,
            element_ids=tuple(str(e.element_id) for e in self.elements),
        )


class WanAnimateBody(_Body):
    """Wan2.2-Animate-14B (the wan-animate engine, on a GPU worker), in seed 001's field names."""

    model: Literal["wan2.2-animate"]
    prompt: str = Field(default="", max_length=limits.PROMPT_MAX_CHARS,
                        description="Empty: Wan's own prompt for animate mode")
    input_image: str = Field(min_length=1, description=IMAGE_DOC, json_schema_extra={"format": "uri"})
    input_video: str = Field(min_length=1, description=VIDEO_DOC, json_schema_extra={"format": "uri"})
    character_orientation: Literal["image", "video"] = Field(
        default="video", description=doc.ORIENTATION + " (Wan's animate mode either way)",
        json_schema_extra=doc.choices(
            image="The driver's bones at the character's lengths, on the character's framing · driving video "
            f"{limits.VIDEO_MIN_SECONDS:g}-{limits.VIDEO_MAX_SECONDS['image']:g} s",
            video="The driver's placement · driving video "
            f"{limits.VIDEO_MIN_SECONDS:g}-{limits.VIDEO_MAX_SECONDS['video']:g} s",
        ))
    resolution: Literal["720P", "1080P"] = Field(
        default="720P", description="Generated at 1280x720 by area; 1080P resizes the generated frames",
        json_schema_extra=doc.RESOLUTION_CHOICES)
    keep_original_sound: bool = Field(default=True, description=doc.KEEP_SOUND)
    callback_url: str = doc.callback_url_field()
    external_task_id: str = Field(
        default="", max_length=255, pattern=EXTERNAL_ID_PATTERN, description=doc.EXTERNAL_TASK_ID
    )

    def to_request(self) -> GenerationRequest:
        return GenerationRequest(
            image=self.input_image,
            video=self.input_video,
            orientation=self.character_orientation,
            mode="std",  # the engine has one quality; resolution says the output's size
            model_name=self.model,
            model_id=self.model,
            resolution=self.resolution.lower(),
            prompt=self.prompt,
            keep_sound=self.keep_original_sound,
            callback_url=self.callback_url,
            external_task_id=self.external_task_id,
        )


# -- the unified task (what GET /v1/videos/generations/{task_id} returns) ---------------------------
class UnifiedVideo(BaseModel):
    id: str
    url: str = Field(description="Signed, expiring download URL")
    watermark_url: str = ""
    duration: str = Field(description="Seconds, as a decimal string")


class UnifiedResult(BaseModel):
    videos: list[UnifiedVideo]


class ElementResult(BaseModel):
    """What an element creation (kling-custom-element, seed 004) answers when it completes."""

    element_id: str = Field(description="Bind it with element_list / elements")
    element_name: str


class UnifiedError(BaseModel):
    code: Literal["cancelled", "generation_failed"]
    message: str


class UnifiedUsage(BaseModel):
    units: str = Field(description="Units charged: output seconds times the price (0 unless completed)")


class UnifiedTask(BaseModel):
    """A task on the unified endpoint. ``status``: queued → processing → completed | failed; a
    cancelled task is failed with ``error.code`` "cancelled" and ``status_msg`` "cancelled by the user"."""

    task_id: str = Field(examples=["task_2042864638838083584"])
    object: Literal["video.generation.task"] = "video.generation.task"
    model: str = Field(examples=["kling/kling-v3-motion-control"])
    status: Literal["queued", "processing", "completed", "failed"]
    progress: int = Field(ge=0, le=100)
    status_msg: str
    error: UnifiedError | None
    result_data: UnifiedResult | ElementResult | None
    usage: UnifiedUsage
    input: dict[str, Any]
    external_task_id: str
    created_at: str = Field(description="ISO 8601", examples=["2026-04-21T07:17:39.146Z"])
    updated_at: str
    completed_at: str | None
    request_id: str | None = Field(default=None, description="On the create and cancel answers")


class UnifiedTaskList(BaseModel):
    """``GET /v1/videos/generations``: the caller's tasks of any model, newest first, a page at a time
    (``pageNum``/``pageSize``, as the official list pages)."""

    object: Literal["list"] = "list"
    data: list[UnifiedTask]
    page_num: int = Field(ge=1, examples=[1])
    page_size: int = Field(ge=1, examples=[30])
    request_id: str
