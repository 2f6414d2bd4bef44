"""Motion-control routes: create, query one (task_id or external_task_id), list, delete."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.accounts import AccountInfo
from motionctl.tasks.intake_pool import IntakePool, LocalIntake
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import NewTask, check_same_request
from motionctl.tasks.view import submit_data, task_data

from .auth import AccountDep
from .errors import envelope
from .schemas import MotionControlRequest, lenient_json
from .services import ServicesDep, base_url

log = logging.getLogger("motionctl.api")
Fetcher = IntakePool | LocalIntake
router = APIRouter(tags=["motion-control"])
MAX_BODY_BYTES = 16 * 1024 * 1024  # a 10 MB image in base64 is 13.4 MB

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": MotionControlRequest.model_json_schema()}},
    }
}


async def _read_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise rule_violation(InvalidInput, "body", "at most 16 MB", f"more than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_request(raw: bytes) -> MotionControlRequest:
    try:
        payload = lenient_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"body: must be a JSON object ({exc})", code=1200) from None
    if not isinstance(payload, dict):
        raise InvalidInput(f"body: must be a JSON object (got {type(payload).__name__})", code=1200)
    return MotionControlRequest.model_validate(payload)


def submit(
    services: Services,
    fetcher: Fetcher,
    account: AccountInfo,
    req: MotionControlRequest,
    own: tuple[str, ...],
) -> Any:
    if req.element_list:
        eid = req.element_list[0].element_id
        raise rule_violation(
            InvalidInput,
            "element_list[0].element_id",
            "an element of this account's element library",
            eid,
            detail="no element library exists on this server; drop element_list",
        )
    store, limit = services.store, services.settings.max_active_tasks
    ext = req.external_task_id or None
    digest = req.request_hash()
    if ext:  # idempotent resubmission: answer before fetching anything
        existing = store.find_external(account.id, ext)
        if existing is not None:
            check_same_request(existing, digest, ext)
            return submit_data(existing)
    store.check_capacity(account.id, limit)  # refuse before the (slow) downloads; re-checked on insert
    image_key, video_key = fetcher.fetch(req.image_url, req.video_url, req.character_orientation, own)
    new = NewTask(
        account_id=account.id,
        request_hash=digest,
        model_name=req.model_name,
        mode=req.mode,
        orientation=req.character_orientation,
        image_key=image_key,
        video_key=video_key,
        prompt=req.prompt,
        keep_sound=req.keep_original_sound == "yes",
        watermark=req.watermark_info.enabled,
        callback_url=req.callback_url or None,
        external_task_id=ext,
    )
    task, created = store.create(new, max_active=limit)
    if created:
        log.info("task submitted", extra={"task_id": task.id, "event": "submitted"})
    return submit_data(task)


@router.post(
    "/v1/videos/motion-control",
    openapi_extra=_BODY_DOC,
    summary="Create a motion-control task",
    max_body_size=MAX_BODY_BYTES,
)
async def create_task(
    request: Request,
    account: AccountDep,
    services: ServicesDep,
) -> dict[str, Any]:
    req = parse_request(await _read_body(request))
    request.app.state.rate_limiter.check(account.id)
    own = (base_url(request), services.settings.public_url)
    data = await run_in_threadpool(submit, services, request.app.state.intake, account, req, own)
    return envelope(request, data)


@router.get("/v1/videos/motion-control/{task_id}", summary="Query a task by task_id or external_task_id")
def get_task(
    request: Request,
    task_id: str,
    account: AccountDep,
    services: ServicesDep,
) -> dict[str, Any]:
    task = services.store.get(account.id, task_id)
    return envelope(request, task_data(task, services.links(base_url(request))))


@router.get("/v1/videos/motion-control", summary="List the caller's tasks, newest first")
def list_tasks(
    request: Request,
    account: AccountDep,
    services: ServicesDep,
    page_num: Annotated[int, Query(alias="pageNum", ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=500)] = 30,
) -> dict[str, Any]:
    links = services.links(base_url(request))
    tasks = services.store.list(account.id, page_num, page_size)
    return envelope(request, [task_data(t, links) for t in tasks])


@router.delete("/v1/videos/motion-control/{task_id}", summary="Delete a task and its results (extension)")
def delete_task(
    request: Request,
    task_id: str,
    account: AccountDep,
    services: ServicesDep,
) -> dict[str, Any]:
    task = services.store.delete(account.id, task_id)
    for key in (task.result_key, task.watermark_key):
        if key:
            services.storage.delete(key)
    return envelope(request, {"task_id": task.id, "deleted": True})
