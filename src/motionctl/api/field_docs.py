"""What each request field means, in the seeds' words with the limits of core/limits.py: one text per
field, shared by every dialect's body, so the OpenAPI document, the models catalogue's
``json_request_schema`` and the workbench form (which renders that schema) say the same thing.

Choices carry one description per value under ``x-enumDescriptions`` (value -> text, the vendor
extension Redoc reads): JSON Schema has no per-value description, and the workbench shows the text of
the value picked.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from motionctl.core import limits
from motionctl.tasks.guard import MAX_URL_CHARS

_MIN_S = f"{limits.VIDEO_MIN_SECONDS:g}"


def choices(**texts: str) -> dict[str, Any]:
    """``json_schema_extra`` for a choice: one description per value."""
    return {"x-enumDescriptions": texts}


def _short_side(resolution: str) -> str:
    return f"{limits.RESOLUTION_SHORT_SIDE[resolution.lower()]} px on the short side, the image's aspect ratio"


PROMPT = f"Text prompt for the scene or character, positive and negative descriptions; at most " \
    f"{limits.PROMPT_MAX_CHARS} characters"
ORIENTATION = "Whether the output character's orientation matches the reference image or the reference video; " \
    "the driving video's longest duration depends on it"
ORIENTATION_CHOICES = choices(
    image="Keeps the framing and facing of the image, better for following camera movements · driving video "
    f"{_MIN_S}-{limits.VIDEO_MAX_SECONDS['image']:g} s",
    video="Follows the driver's placement and facing, better for complex motions · driving video "
    f"{_MIN_S}-{limits.VIDEO_MAX_SECONDS['video']:g} s",
)
MODE = "Video generation mode; it also sets the output's resolution"
MODE_CHOICES = choices(
    std=f"Standard: fast, cost-effective · {limits.MODE_RESOLUTION['std']} output, "
    f"{_short_side(limits.MODE_RESOLUTION['std'])}",
    pro=f"Professional: face and hand detail, slower · {limits.MODE_RESOLUTION['pro']} output, "
    f"{_short_side(limits.MODE_RESOLUTION['pro'])}",
)
RESOLUTION = "Output resolution"
RESOLUTION_CHOICES = choices(**{r: _short_side(r) for r in ("720P", "1080P")})
KEEP_SOUND = "Whether to keep the original sound of the reference video"
KEEP_SOUND_CHOICES = choices(yes="Keeps the driving video's audio track", no="Silent output")
WATERMARK = "Also produce a watermarked copy (watermark_url: two downloads); custom watermarks are not supported"
ELEMENTS = f"An element (GET /v1/elements) for facial consistency; at most {limits.MAX_ELEMENTS}, " \
    "bound only with character_orientation video"
CALLBACK_URL = "Notified on every status change with the task as the query returns it; https, at most " \
    f"{MAX_URL_CHARS} characters"
EXTERNAL_TASK_ID = "Your id for the task (letters, digits and . _ ~ - : @ + = ! $ * , ;), usable in place of " \
    "task_id in queries"


def callback_url_field() -> Any:
    """Every dialect's ``callback_url``; format "uri" tells clients (and the workbench's one-line input)
    what the string is."""
    return Field(default="", max_length=MAX_URL_CHARS, description=CALLBACK_URL, json_schema_extra={"format": "uri"})
