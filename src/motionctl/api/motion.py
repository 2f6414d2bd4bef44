"""The official dialect's routes (seeds 002/003): create, query one (task_id or external_task_id),
list, cancel, delete. The same routes answer under ``/kling`` (seed 003's path prefix).

Create answers async by default; ``Prefer: wait`` makes it sync and ``Accept: text/event-stream``
streams the task's events (modes.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from motionctl.core.errors import InvalidInput
from motionctl.tasks.models import Task, TaskEvent
from motionctl.tasks.view import submit_data, task_data

from . import modes
from .auth import AccountDep
from .bodies import MAX_BODY_BYTES, read_body
from .errors import envelope, envelope_response
from .openapi import body_doc
from .paging import PageDep
from .schemas import MAX_JSON_DEPTH, MotionControlRequest, check_depth, lenient_json
from .services import ServicesDep, base_url
from .submit import submit_request

router = APIRouter(tags=["motion-control"])
TASKS = "/v1/videos/motion-control"


def parse_payload(raw: bytes) -> dict[str, Any]:
    """The JSON object of a create request (comments and trailing commas tolerated: seed 003).
    CPU work on untrusted input: called off the event loop."""
    try:
        payload = lenient_json(raw)
    except RecursionError:
        raise InvalidInput("body: JSON nested too deeply to parse", code=1200, field="body") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"body: must be a JSON object ({exc})", code=1200, field="body") from None
    if not isinstance(payload, dict):
        raise InvalidInput(f"body: must be a JSON object (got {type(payload).__name__})", code=1200)
    check_depth(payload, MAX_JSON_DEPTH)
    return payload


async def read_payload(request: Request) -> dict[str, Any]:
    return await run_in_threadpool(parse_payload, await read_body(request, MAX_BODY_BYTES))


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
)
async def create_task(request: Request, account: AccountDep, services: ServicesDep) -> Response:
    req = MotionControlRequest.model_validate(await read_payload(request)).to_request()
    task = await submit_request(request, services, account, req)
    links = services.links(base_url(request, services))

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
def get_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> JSONResponse:
    task = services.store.get(account.id, task_id)
    return envelope_response(request, task_data(task, services.links(base_url(request, services))))


@router.get(TASKS, summary="List the caller's tasks, newest first")
def list_tasks(
    request: Request,
    account: AccountDep,
    services: ServicesDep,
    page: PageDep,
) -> JSONResponse:
    links = services.links(base_url(request, services))
    tasks = services.store.list(account.id, page.num, page.size)
    return envelope_response(request, [task_data(t, links) for t in tasks])


@router.post(
    TASKS + "/{task_id}/cancel",
    summary="Cancel a submitted or processing task (extension)",
    description="The task fails with task_status_msg 'cancelled by the user', its callback is sent and "
    "nothing is charged; a running engine stops within about a second.",
)
def cancel_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> JSONResponse:
    task = services.store.cancel(account.id, task_id)
    return envelope_response(request, task_data(task, services.links(base_url(request, services))))


@router.delete(TASKS + "/{task_id}", summary="Delete a task and its results (extension)")
def delete_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> JSONResponse:
    task = services.store.delete(account.id, task_id)
    for key in (task.result_key, task.watermark_key):
        if key:
            services.storage.delete(key)
    return envelope_response(request, {"task_id": task.id, "deleted": True})
