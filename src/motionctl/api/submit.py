"""Submission, shared by every dialect: idempotency by external_task_id, capacity, the inputs
fetched and checked in the intake processes, the units estimate, then the task row."""

from __future__ import annotations

import logging

from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.accounts import AccountInfo
from motionctl.tasks.billing import units_for
from motionctl.tasks.intake_pool import IntakePool, LocalIntake
from motionctl.tasks.models import Task
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import NewTask, check_same_request

from .request import GenerationRequest

log = logging.getLogger("motionctl.api")
Fetcher = IntakePool | LocalIntake


def submit(
    services: Services,
    fetcher: Fetcher,
    account: AccountInfo,
    req: GenerationRequest,
    own: tuple[str, ...],
) -> Task:
    if req.element_ids:
        raise rule_violation(
            InvalidInput,
            "element_list[0].element_id",
            "an element of this account's element library",
            req.element_ids[0],
            detail="no element library exists on this server; drop the element",
        )
    store, settings = services.store, services.settings
    ext = req.external_task_id or None
    digest = req.request_hash()
    if ext:  # idempotent resubmission: answer before fetching anything
        existing = store.find_external(account.id, ext)
        if existing is not None:
            check_same_request(existing, digest, ext)
            return existing
    store.check_capacity(account.id, settings.max_active_tasks)  # before the slow downloads
    image_key, video_key, seconds = fetcher.fetch(req.image, req.video, req.orientation, own)
    new = NewTask(
        account_id=account.id,
        request_hash=digest,
        model_name=req.model_name,
        model_id=req.model_id,
        mode=req.mode,
        orientation=req.orientation,
        resolution=req.resolution,
        image_key=image_key,
        video_key=video_key,
        prompt=req.prompt,
        keep_sound=req.keep_sound,
        watermark=req.watermark,
        callback_url=req.callback_url or None,
        external_task_id=ext,
        # The output is at most as long as the driver: its seconds are the most a task can cost.
        estimate_units=units_for(settings.prices, req.model_name, req.mode, seconds),
        require_units=settings.require_units,
    )
    task, created = store.create(new, max_active=settings.max_active_tasks)
    if created:
        log.info("task submitted", extra={"task_id": task.id, "event": "submitted"})
    return task
