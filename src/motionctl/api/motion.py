"""Motion-control routes: create, query one (task_id or external_task_id), list, delete."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.accounts import AccountInfo
from motionctl.tasks.guard import check_callback_url
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import NewTask, check_same_request
from motionctl.tasks.view import submit_data, task_data

from .auth import AccountDep
from .bodies import MAX_BODY_BYTES, read_body
from .errors import envelope
from .gate import Gate
from .schemas import MAX_JSON_DEPTH, MotionControlRequest, check_depth, lenient_json
from .services import ServicesDep, base_url

log = logging.getLogger("motionctl.api")
router = APIRouter(tags=["motion-control"])

def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON Schema with its ``$defs`` references inlined: the body is read by hand
    (lenient parsing), so its schema is not among OpenAPI's components for the refs to point at."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.rsplit("/", 1)[1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return dict(walk(schema))


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inlined(MotionControlRequest.model_json_schema())}},
    }
}


def parse_request(raw: bytes) -> MotionControlRequest:
    """The request body, parsed and validated. CPU work on untrusted input: run off the event loop."""
    try:
        payload = lenient_json(raw)
    except RecursionError:
        raise InvalidInput("body: JSON nested too deeply to parse", code=1200, field="body") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"body: must be a JSON object ({exc})", code=1200, field="body") from None
    if not isinstance(payload, dict):
        raise InvalidInput(f"body: must be a JSON object (got {type(payload).__name__})", code=1200)
    check_depth(payload, MAX_JSON_DEPTH)
    return MotionControlRequest.model_validate(payload)


def _refuse_elements(req: MotionControlRequest) -> None:
    if req.element_list:
        eid = req.element_list[0].element_id
        raise rule_violation(
            InvalidInput,
            "element_list[0].element_id",
            "an element of this account's element library",
            eid,
            detail="no element library exists on this server; drop element_list",
        )


def _new_task(account: AccountInfo, req: MotionControlRequest, keys: tuple[str, str]) -> NewTask:
    return NewTask(
        account_id=account.id,
        request_hash=req.request_hash(),
        model_name=req.model_name,
        mode=req.mode,
        orientation=req.character_orientation,
        image_key=keys[0],
        video_key=keys[1],
        prompt=req.prompt,
        keep_sound=req.keep_original_sound == "yes",
        watermark=req.watermark_info.enabled,
        callback_url=req.callback_url or None,
        external_task_id=req.external_task_id or None,
    )


def submit(
    services: Services, gate: Gate, account: AccountInfo, req: MotionControlRequest, own: tuple[str, ...]
) -> Any:
    """Create the task: answer a resent external_task_id at once, then the rate limit, the callback
    URL, the account's capacity (tasks and submissions still fetching), the inputs, the row."""
    _refuse_elements(req)
    store, st = services.store, services.settings
    ext = req.external_task_id or None
    if ext:  # idempotent resubmission: answer before counting or fetching anything
        existing = store.find_external(account.id, ext)
        if existing is not None:
            check_same_request(existing, req.request_hash(), ext)
            return submit_data(existing)
    gate.rate_limiter.check(account.id)
    if req.callback_url:
        check_callback_url(req.callback_url, allow_http=st.callback_allow_http, policy=services.intake.policy)
    with gate.admission.slot(account.id) as fetching:
        store.check_capacity(account.id, st.max_active_tasks, fetching)  # before the (slow) downloads
        keys = gate.fetcher.fetch(req.image_url, req.video_url, req.character_orientation, own)
        task, created = store.create(_new_task(account, req, keys), max_active=st.max_active_tasks - fetching)
    if created:
        log.info("task submitted", extra={"task_id": task.id, "event": "submitted"})
    return submit_data(task)


@router.post("/v1/videos/motion-control", openapi_extra=_BODY_DOC, summary="Create a motion-control task")
async def create_task(
    request: Request,
    account: AccountDep,
    services: ServicesDep,
) -> dict[str, Any]:
    raw = await read_body(request, MAX_BODY_BYTES)
    req = await run_in_threadpool(parse_request, raw)
    gate: Gate = request.app.state.gate
    own = (str(request.base_url).rstrip("/"), services.settings.public_url)  # URLs of our own uploads
    data = await gate.run(submit, services, gate, account, req, own)
    return envelope(request, data)


@router.get("/v1/videos/motion-control/{task_id}", summary="Query a task by task_id or external_task_id")
def get_task(
    request: Request,
    task_id: str,
    account: AccountDep,
    services: ServicesDep,
) -> dict[str, Any]:
    task = services.store.get(account.id, task_id)
    return envelope(request, task_data(task, services.links(base_url(request, services))))


@router.get("/v1/videos/motion-control", summary="List the caller's tasks, newest first")
def list_tasks(
    request: Request,
    account: AccountDep,
    services: ServicesDep,
    page_num: Annotated[int, Query(alias="pageNum", ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=500)] = 30,
) -> dict[str, Any]:
    links = services.links(base_url(request, services))
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
