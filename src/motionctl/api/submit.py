"""Submission, shared by every dialect: idempotency by external_task_id, then the rate limit, the
callback URL, capacity (unfinished tasks and submissions still fetching), the inputs fetched here
and checked in the intake processes, the units estimate, then the task row. Runs on the gate's
submission threads (gate.py)."""

from __future__ import annotations

import logging

from fastapi import Request

from motionctl.core import limits
from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.accounts import AccountInfo
from motionctl.tasks.billing import units_for
from motionctl.tasks.guard import check_callback_url
from motionctl.tasks.models import Task
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import NewTask, check_same_request

from .gate import Gate
from .request import GenerationRequest

log = logging.getLogger("motionctl.api")


async def submit_request(request: Request, services: Services, account: AccountInfo, req: GenerationRequest) -> Task:
    """``submit`` on a submission thread; our own upload URLs are recognised under either base."""
    gate: Gate = request.app.state.gate
    own = (str(request.base_url).rstrip("/"), services.settings.public_url)
    return await gate.run(submit, services, gate, account, req, own)


ELEMENT_RULE = "element binding is only supported when character_orientation is video"


def bound_element(services: Services, account: AccountInfo, req: GenerationRequest) -> str | None:
    """The face bank of the one element a request binds (seeds 001-003), None without one. The
    official API names it element_list, seed 001's body elements (and @Element1 in its prompt)."""
    field = "element_list[0].element_id" if req.model_id is None else "elements[0].element_id"
    if req.model_id is not None and "@Element" in req.prompt and not req.element_ids:
        raise rule_violation(InvalidInput, "prompt", "refers to @Element1: give the element in elements",
                             "no elements")
    if not req.element_ids:
        return None
    if len(req.element_ids) > limits.MAX_ELEMENTS:
        raise rule_violation(InvalidInput, field.split("[")[0], f"at most {limits.MAX_ELEMENTS} element",
                             f"{len(req.element_ids)} elements")
    if req.orientation != "video":
        raise rule_violation(InvalidInput, "character_orientation", f"must be video: {ELEMENT_RULE}",
                             req.orientation)
    return services.elements.bank_for(account.id, req.element_ids[0], field)


def submit(
    services: Services,
    gate: Gate,
    account: AccountInfo,
    req: GenerationRequest,
    own: tuple[str, ...],
) -> Task:
    element_key = bound_element(services, account, req)
    store, settings = services.store, services.settings
    ext = req.external_task_id or None
    digest = req.request_hash()
    if ext:  # idempotent resubmission: answer before counting or fetching anything
        existing = store.find_external(account.id, ext)
        if existing is not None:
            check_same_request(existing, digest, ext)
            return existing
    gate.rate_limiter.check(account.id)
    if req.callback_url:
        check_callback_url(req.callback_url, allow_http=settings.callback_allow_http, policy=services.intake.policy)
    with gate.admission.slot(account.id) as slot:
        store.check_capacity(account.id, settings.max_active_tasks, slot.others())  # before the slow downloads
        inputs = gate.fetcher.fetch(req.image, req.video, req.orientation, own)
        slot.fetched()
        new = _new_task(account, req, inputs, services, element_key)
        task, created = store.create(new, max_active=settings.max_active_tasks, fetching=slot.others)
    if created:
        log.info("task submitted", extra={"task_id": task.id, "event": "submitted"})
    return task


def _new_task(
    account: AccountInfo, req: GenerationRequest, inputs: tuple[str, str, float], services: Services,
    element_key: str | None,
) -> NewTask:
    settings = services.settings
    image_key, video_key, seconds = inputs
    return NewTask(
        account_id=account.id,
        request_hash=req.request_hash(),
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
        element_key=element_key,
        external_task_id=req.external_task_id or None,
        # The output is at most as long as the driver: its seconds are the most a task can cost.
        estimate_units=units_for(settings.prices, req.model_name, req.mode, req.resolution, seconds),
        require_units=settings.require_units,
    )
