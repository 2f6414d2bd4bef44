"""The unified endpoint (seeds 000, 001, 004): ``POST /v1/videos/generations`` creates a task of any
model in the catalogue (dispatched on ``model``), ``GET /v1/videos/generations/{task_id}`` queries any
task, ``GET /v1/videos/generations`` lists them (paged as the official list), ``POST .../{task_id}/cancel``
cancels one and ``GET .../{task_id}/events`` streams its events.

Answers are the unified task (unified_schemas.UnifiedTask) plus the request id, with no envelope
(seed 000's create answer is flat); errors keep the service's ``{code, message, request_id}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from motionctl.tasks.models import Task, TaskEvent
from motionctl.tasks.runtime import Services
from motionctl.tasks.view import UNIFIED_PREFIX, UNIFIED_STATUS, unified_data

from . import catalogue, modes
from . import elements as _elements  # noqa: F401 - registers kling-custom-element before UNIFIED_BODIES
from .auth import AccountDep
from .errors import request_id
from .motion import read_payload
from .openapi import bodies_doc
from .paging import PageDep
from .services import ServicesDep, base_url
from .submit import submit_request
from .unified_schemas import UnifiedTask, UnifiedTaskList

router = APIRouter(tags=["generations"])
TASKS = catalogue.UNIFIED
UNIFIED_BODIES = [spec.body for spec in catalogue.all_models() if spec.endpoint == TASKS]  # OpenAPI's oneOf
_DOC = (
    "`model` picks the body (see GET /v1/models/{id} for each one's json_request_schema). Async by "
    "default; `Prefer: wait` (or `wait=SECONDS`) blocks until the task ends; `Accept: text/event-stream` "
    "streams its events (named by status, `data` the task as GET returns it; reconnect with Last-Event-ID)."
)


def task_id_of(value: str) -> str:
    """Our id from the unified one (``task_<id>``); an external_task_id is passed through."""
    return value[len(UNIFIED_PREFIX) :] if value.startswith(UNIFIED_PREFIX) else value


def answer(request: Request, services: Services, task: Task) -> dict[str, Any]:
    return {**unified_data(task, services.links(base_url(request, services))), "request_id": request_id(request)}


def stream(request: Request, services: Services, task_id: str, after: int = 0) -> Response:
    links = services.links(base_url(request, services))

    def at_event(t: Task, ev: TaskEvent) -> dict[str, Any]:
        data = unified_data(t, links)
        if ev.status != t.status:  # an earlier event, replayed: its status and progress as they were
            data.update(status=UNIFIED_STATUS[ev.status], progress=ev.progress, result_data=None, error=None)
        else:
            data["progress"] = 100 if t.status == "succeed" else ev.progress
        return data

    return modes.event_stream(request, services, task_id, at_event, "status", after)


@router.post(
    TASKS,
    summary="Create a generation task (any model of the catalogue)",
    description=_DOC,
    openapi_extra=bodies_doc(UNIFIED_BODIES),
    responses={200: {"model": UnifiedTask, "description": "The task (async), or the finished task (sync)"}},
)
async def create(request: Request, account: AccountDep, services: ServicesDep) -> Response:
    payload = await read_payload(request)
    spec = catalogue.unified(payload.get("model"))
    body = spec.body.model_validate(payload)
    if spec.create is not None:  # another kind of task (element creation, seed 004)
        return JSONResponse(await spec.create(request, body))
    req = body.to_request()  # type: ignore[attr-defined]
    task = await submit_request(request, services, account, req)
    if modes.wants_events(request):
        return stream(request, services, task.id)
    wait = modes.prefer_wait(request, services.settings.sync_wait_max_seconds)
    if wait is None:
        return JSONResponse(answer(request, services, task))
    done = await modes.wait_until_final(services, task.id, wait) or task
    return JSONResponse(answer(request, services, done), headers={"Preference-Applied": f"wait={wait:g}"})


@router.get(TASKS + "/{task_id}", summary="Query a task (any model)", responses={200: {"model": UnifiedTask}})
def get_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> JSONResponse:
    return JSONResponse(answer(request, services, services.store.get(account.id, task_id_of(task_id))))


@router.get(
    TASKS, summary="List the caller's tasks (any model), newest first", responses={200: {"model": UnifiedTaskList}}
)
def list_tasks(
    request: Request,
    account: AccountDep,
    services: ServicesDep,
    page: PageDep,
) -> JSONResponse:
    links = services.links(base_url(request, services))
    tasks = services.store.list(account.id, page.num, page.size)
    return JSONResponse({"object": "list", "data": [unified_data(t, links) for t in tasks], "page_num": page.num,
                         "page_size": page.size, "request_id": request_id(request)})


@router.post(
    TASKS + "/{task_id}/cancel",
    summary="Cancel a queued or processing task",
    description="It fails with error.code 'cancelled' and status_msg 'cancelled by the user'; its callback "
    "is sent and nothing is charged; a running engine stops within about a second.",
    responses={200: {"model": UnifiedTask}},
)
def cancel_task(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> JSONResponse:
    return JSONResponse(answer(request, services, services.store.cancel(account.id, task_id_of(task_id))))


@router.get(
    TASKS + "/{task_id}/events",
    summary="Server-sent events of a task",
    description="One event per status or progress change since `Last-Event-ID` (all of them without it), "
    "named by status; `data` is the task as GET returns it. Ends after the final event; keep-alive "
    "comments in between.",
    response_class=Response,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def task_events(request: Request, task_id: str, account: AccountDep, services: ServicesDep) -> Response:
    task = services.store.get(account.id, task_id_of(task_id))
    return stream(request, services, task.id, modes.last_event_id(request))
