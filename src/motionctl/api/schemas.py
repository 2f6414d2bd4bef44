"""The official dialect's request body (seeds 002 and 003: field names, enums and limits), and its
adapter to the internal request."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from motionctl.core import limits
from motionctl.core.errors import InvalidInput

from . import field_docs as doc
from .request import GenerationRequest

# Characters a URL path segment carries as they are, so the id can be queried: GET .../{external_task_id}.
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9._~:@+=!$*,;-]*$"
MAX_JSON_DEPTH = 32  # the body's objects nest 3 deep; anything far deeper is not a request
LENIENT_MAX_BYTES = 256 * 1024  # comments and trailing commas are forgiven in bodies up to this size


class WatermarkInfo(BaseModel):
    """``{"enabled": true}`` (seed 002); seed 003's ``[{"watermark_info": true}]`` is read as the same."""

    model_config = ConfigDict(extra="ignore")
    enabled: bool = Field(default=False, description=doc.WATERMARK)

    @model_validator(mode="before")
    @classmethod
    def _seed_003_form(cls, data: Any) -> Any:
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        if isinstance(data, bool):
            return {"enabled": data}
        if isinstance(data, dict) and "enabled" not in data and "watermark_info" in data:
            return {"enabled": data["watermark_info"]}
        return data


class Element(BaseModel):
    model_config = ConfigDict(extra="ignore")
    element_id: int | str


class MotionControlRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model_name: Literal["kling-v2-6", "kling-v3"] = Field(
        default="kling-v2-6", description="Model name; both run the motionctl engine"
    )
    prompt: str = Field(default="", max_length=limits.PROMPT_MAX_CHARS, description=doc.PROMPT)
    image_url: str = Field(
        min_length=1, description="http(s) URL, raw base64 (no data: prefix) or /v1/files URL"
    )
    video_url: str = Field(min_length=1, description="http(s) URL of an .mp4/.mov, or a /v1/files URL")
    element_list: list[Element] = Field(
        default_factory=list, max_length=limits.MAX_ELEMENTS, description=doc.ELEMENTS
    )
    keep_original_sound: Literal["yes", "no"] = Field(
        default="yes", description=doc.KEEP_SOUND, json_schema_extra=doc.KEEP_SOUND_CHOICES
    )
    character_orientation: Literal["image", "video"] = Field(
        description=doc.ORIENTATION, json_schema_extra=doc.ORIENTATION_CHOICES
    )
    mode: Literal["std", "pro"] = Field(description=doc.MODE, json_schema_extra=doc.MODE_CHOICES)
    watermark_info: WatermarkInfo = Field(
        default_factory=WatermarkInfo,
        description='{"enabled": true}; also accepted as [{"watermark_info": true}] (seed 003)',
    )
    callback_url: str = doc.callback_url_field()
    external_task_id: str = Field(
        default="", max_length=255, pattern=EXTERNAL_ID_PATTERN, description=doc.EXTERNAL_TASK_ID
    )

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_defaults(cls, data: Any) -> Any:
        # Clients often send null for "not set"; the documented defaults apply then.
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if v is not None}
        return data

    @field_validator("callback_url")
    @classmethod
    def _callback_is_http(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v

    def to_request(self) -> GenerationRequest:
        # No resolution field in this dialect: the mode decides (std 720p, pro 1080p).
        return GenerationRequest(
            image=self.image_url,
            video=self.video_url,
            orientation=self.character_orientation,
            mode=self.mode,
            model_name=self.model_name,
            prompt=self.prompt,
            keep_sound=self.keep_original_sound == "yes",
            watermark=self.watermark_info.enabled,
            callback_url=self.callback_url,
            external_task_id=self.external_task_id,
            element_ids=tuple(str(e.element_id) for e in self.element_list),
        )


def lenient_json(raw: bytes) -> Any:
    """Parse a JSON body; on failure retry without ``//`` comments and trailing commas, which the
    documented cURL example (seed 003) sends verbatim. The retry walks the text character by
    character, so it is only made for bodies up to LENIENT_MAX_BYTES (a hand-written request)."""
    text = raw.decode("utf-8-sig")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if len(raw) > LENIENT_MAX_BYTES:
            raise
    return json.loads(_strip_trailing_commas(_strip_comments(text)))


def check_depth(value: Any, max_depth: int) -> None:
    """InvalidInput when objects/arrays nest deeper than ``max_depth`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > max_depth:
                    raise InvalidInput(
                        f"body: JSON nested at most {max_depth} deep (got deeper)", code=1200, field="body"
                    )
                stack.append((child, depth + 1))


def _strip_comments(text: str) -> str:
    out: list[str] = []
    i, n, in_str = 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            out.append(c)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _strip_trailing_commas(text: str) -> str:
    out: list[str] = []
    in_str = False
    i = 0
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                out.append(text[i : i + 2])
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == ",":
            j = i + 1
            while j < len(text) and text[j] in " \t\r\n":
                j += 1
            if j < len(text) and text[j] in "}]":
                i += 1
                continue
        out.append(c)
        i += 1
    return "".join(out)
