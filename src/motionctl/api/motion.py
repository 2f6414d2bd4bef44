"""The official dialect's routes (seeds 002/003): create, query one (task_id or external_task_id),
list, cancel, delete. The same routes answer under ``/kling`` (seed 003's path prefix).

Create answers async by default; ``Prefer: wait`` makes it sync and ``Accept: text/event-stream``
streams the task's events (modes.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.models import Task, TaskEvent
from motionctl.tasks.view import submit_data, task_data

from . import modes
from .auth import AccountDep
from .errors import envelope
from .openapi import body_doc
from .schemas import MotionControlRequest, lenient_json
from .services import ServicesDep, base_url
from .submit import submit

router = APIRouter(tags=["motion-control"])
MAX_BODY_BYTES = 16 * 1024 * 1024  # a 10 MB image in base64 is 13.4 MB
TASKS = "/v1/videos/motion-control"


async def _read_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise rule_violation(InvalidInput, "body", "at most 16 MB", f"more than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_payload(request: Request) -> dict[str, Any]:
    """The JSON object of a create request (comments and trailing commas tolerated: seed 003)."""
    raw = await _read_body(request)
    try:
        payload = lenient_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"body: must be a JSON object ({exc})", code=1200) from None
    if not isinstance(payload, dict):
        raise InvalidInput(f"body: must be a JSON object (got {type(payload).__name__})", code=1200)
    return payload


_MODES_DOC = (
    "Async by default. `Prefer: wait` (or `wait=SECONDS`) blocks until the task ends, then answers as "
    "the query does (or with the task as it is when the wait is over). `Accept: text/event-stream` "
    "streams the task: one event per status or progress change, named by task_status, `data` the "
    "query's `data`; reconnect with `Last-Event-ID`."
)


@router.post(
    TASKS,
    openapi_extra=body_doc(MotionControlRequest),
    summary="Create a motion-control task",
    description=_MODES_DOC,
    max_body_size=MAX_BODY_BYTES,
)
async def create_task(request: Request, account: AccountDep, services: ServicesDep) -> Response:
    req = MotionControlRequest.model_validate(await read_payload(request)).to_request()
    request.app.state.rate_limiter.check(account.id)
    own = (base_url(request), services.settings.public_url)
    task = await run_in_threadpool(submit, services, request.app.state.intake, account, req, own)
    links = services.links(base_url(request))

    def at_event(t: Task, ev: TaskEvent) -> dict[str, Any]:
        return {**task_data(t, links), "task_status": ev.status, "progress": ev.progress}

    if modes.wants_events(request):
        return modes.event_stream(request, services, task.id, at_event, "task_status")
    wait = modes.prefer_wait(request, services.settings.sync_wait_max_seconds)
    if wait is None:
        return JSONResponse(envelope(request, submit_data(task)))
    done = await modes.wait_until_final(services, task.id, wait) or task
    headers = {"Preference-Applied": f"wait={wait:g}"}
    return JSONResponse(envelope(request, task_data(done, links)), headers=headers)


@router.get(TASKS + "/{task_id}", summary="Query a task by task_id or external_task_id")
def get_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> dict[str, Any]:
    task = services.store.get(account.id, task_id)
    return envelope(request, task_data(task, services.links(base_url(request))))


@router.get(TASKS, summary="List the caller's tasks, newest first")
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


@router.post(
    TASKS + "/{task_id}/cancel",
    summary="Cancel a submitted or processing task (extension)",
    description="The task fails with task_status_msg 'cancelled by the user', its callback is sent and "
    "nothing is charged; a running engine stops within about a second.",
)
def cancel_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> dict[str, Any]:
    task = services.store.cancel(account.id, task_id)
    return envelope(request, task_data(task, services.links(base_url(request))))


@router.delete(TASKS + "/{task_id}", summary="Delete a task and its results (extension)")
def delete_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> dict[str, Any]:
    task = services.store.delete(account.id, task_id)
    for key in (task.result_key, task.watermark_key):
        if key:
            services.storage.delete(key)
    return envelope(request, {"task_id": task.id, "deleted": True})
