"""The one internal request every dialect's body becomes: what a motion-control task needs.

Dialect bodies (schemas.py for the official API, unified_schemas.py for the unified endpoint's
models) are thin declarative adapters: each validates its own field names and values and returns a
``GenerationRequest`` from ``to_request()``. Submission (submit.py), billing and the engine see only
this.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class GenerationRequest:
    image: str  # http(s) URL, raw base64 or a /v1/files URL
    video: str  # http(s) URL or a /v1/files URL
    orientation: str  # "image" | "video"
    mode: str  # "std" | "pro"
    model_name: str  # the price table's model (kling-v2-6, kling-v3)
    model_id: str | None = None  # the unified endpoint's catalogue id; None for the official API
    resolution: str | None = None  # "720p" | "1080p"; None: the mode's default
    prompt: str = ""
    keep_sound: bool = True
    watermark: bool = False
    callback_url: str = ""
    external_task_id: str = ""
    element_ids: tuple[str, ...] = field(default_factory=tuple)

    def request_hash(self) -> str:
        """Identity of the request for external_task_id idempotency (defaults filled in)."""
        canon = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canon.encode()).hexdigest()
