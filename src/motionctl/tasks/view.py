"""The query response's ``data`` object for a task (also the body of its callbacks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from motionctl.core.engines import engine_for_model
from motionctl.storage import UrlSigner
from motionctl.tasks.billing import format_number, format_units
from motionctl.tasks.models import Task


@dataclass(frozen=True)
class Links:
    """Turns blob keys into signed absolute URLs under ``base_url``."""

    signer: UrlSigner
    base_url: str

    def blob(self, key: str) -> str:
        return self.signer.sign(self.base_url, f"/v1/files/{key}")


def _videos(task: Task, links: Links) -> list[dict[str, Any]]:
    videos: list[dict[str, Any]] = []
    if task.status == "succeed" and task.result_key:
        videos.append(
            {
                "id": task.video_id or task.id,
                "url": links.blob(task.result_key),
                "watermark_url": links.blob(task.watermark_key) if task.watermark_key else "",
                "duration": format_number(task.duration or 0.0),
            }
        )
    return videos


def status_msg(task: Task) -> str:
    """The task's status message; a queued task whose model only a GPU engine runs says what it waits
    for (CPU workers never claim it, tasks/queue.py)."""
    if task.status == "submitted" and not task.status_msg:
        engine = engine_for_model(task.model_name)
        if engine is not None and engine.needs_gpu:
            return (f"queued: waits for a GPU worker running the {engine.name} engine "
                    f"(motionctl worker --engine {engine.name})")
    return task.status_msg


def task_data(task: Task, links: Links) -> dict[str, Any]:
    """The official dialect's task (seed 002's query response ``data``)."""
    videos = _videos(task, links)
    return {
        "task_id": task.id,
        "task_status": task.status,
        "task_status_msg": status_msg(task),
        "task_info": {
            "external_task_id": task.external_task_id or "",
            # Extensions: the creation parameters, so a client can show a task without its request.
            "model_name": task.model_name,
            "mode": task.mode,
            "resolution": task.resolution or "",
            "character_orientation": task.orientation,
            "keep_original_sound": "yes" if task.keep_sound else "no",
            "prompt": task.prompt,
            "image_url": links.blob(task.image_key),
            "video_url": links.blob(task.video_key),
        },
        "task_result": {"videos": videos},
        "watermark_info": {"enabled": bool(task.watermark)},
        "final_unit_deduction": format_units(task.units if task.status == "succeed" else 0.0),
        "progress": int(task.progress),
        "created_at": int(task.created_at),
        "updated_at": int(task.updated_at),
    }


def submit_data(task: Task) -> dict[str, Any]:
    """The create response's ``data`` (the documented subset)."""
    return {
        "task_id": task.id,
        "task_info": {"external_task_id": task.external_task_id or ""},
        "task_status": task.status,
        "created_at": int(task.created_at),
        "updated_at": int(task.updated_at),
    }


# The unified endpoint's status words (documented in OpenAPI as UnifiedTask.status).
UNIFIED_STATUS = {"submitted": "queued", "processing": "processing", "succeed": "completed", "failed": "failed"}
UNIFIED_PREFIX = "task_"


def unified_id(task_id: str) -> str:
    return UNIFIED_PREFIX + task_id


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def element_result(task: Task) -> dict[str, Any] | None:
    """An element creation's ``result_data`` (seed 004: the element_id, kept in the result id)."""
    return {"element_id": task.video_id, "element_name": task.prompt} if task.status == "succeed" else None


def unified_data(task: Task, links: Links) -> dict[str, Any]:
    """A task as ``GET /v1/videos/generations/{task_id}`` returns it (any model)."""
    element = task.mode == "element"  # an element creation (seed 004, tasks/elements.py)
    failed = task.status == "failed"
    error = None
    if failed:
        kind = "cancelled" if task.status_msg == "cancelled by the user" else "generation_failed"
        error = {"code": kind, "message": task.status_msg}
    return {
        "task_id": unified_id(task.id),
        "object": "video.generation.task",
        "model": task.model_id or task.model_name,
        "status": UNIFIED_STATUS.get(task.status, task.status),
        "progress": 100 if task.status == "succeed" else int(task.progress),
        "status_msg": status_msg(task),
        "error": error,
        "result_data": element_result(task) if element else (
            {"videos": _videos(task, links)} if task.status == "succeed" else None),
        "usage": {"units": format_units(task.units if task.status == "succeed" else 0.0)},
        "input": {"element_name": task.prompt, "video_url": links.blob(task.video_key)} if element else {
            "mode": task.mode,
            "resolution": (task.resolution or ("1080p" if task.mode == "pro" else "720p")).upper(),
            "character_orientation": task.orientation,
            "keep_original_sound": bool(task.keep_sound),
            "prompt": task.prompt,
            "image_url": links.blob(task.image_key),
            "video_url": links.blob(task.video_key),
        },
        "external_task_id": task.external_task_id or "",
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
        "completed_at": iso(task.finished_at) if task.status in ("succeed", "failed") else None,
    }


def render_any(task: Task, links: Links) -> dict[str, Any]:
    """A task in the dialect it was created in (callback bodies, server-sent events)."""
    return unified_data(task, links) if task.model_id else task_data(task, links)
