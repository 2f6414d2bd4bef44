"""The query response's ``data`` object for a task (also the body of its callbacks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from motionctl.storage import UrlSigner
from motionctl.tasks.billing import format_number
from motionctl.tasks.models import Task


@dataclass(frozen=True)
class Links:
    """Turns blob keys into signed absolute URLs under ``base_url``."""

    signer: UrlSigner
    base_url: str

    def blob(self, key: str) -> str:
        return self.signer.sign(self.base_url, f"/v1/files/{key}")


def task_data(task: Task, links: Links) -> dict[str, Any]:
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
    return {
        "task_id": task.id,
        "task_status": task.status,
        "task_status_msg": task.status_msg,
        "task_info": {
            "external_task_id": task.external_task_id or "",
            # Extensions: the creation parameters, so a client can show a task without its request.
            "model_name": task.model_name,
            "mode": task.mode,
            "character_orientation": task.orientation,
            "keep_original_sound": "yes" if task.keep_sound else "no",
            "prompt": task.prompt,
            "image_url": links.blob(task.image_key),
            "video_url": links.blob(task.video_key),
        },
        "task_result": {"videos": videos},
        "watermark_info": {"enabled": bool(task.watermark)},
        "final_unit_deduction": format_number(task.units if task.status == "succeed" else 0.0),
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
