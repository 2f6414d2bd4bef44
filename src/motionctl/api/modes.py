"""How a create request is answered: async (the task at once), sync (``Prefer: wait`` or
``Prefer: wait=SECONDS``, RFC 7240: block until the task ends or the wait is over, then answer as
the query does), or server-sent events (``Accept: text/event-stream``: one event per status or
progress change, replayable from ``Last-Event-ID``, with keep-alive comments between them).

Events come from the task_events table (written in the same transaction as each change), so a
client that reconnects with the id of the last event it saw gets every later one, in order.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from motionctl.tasks.models import Task, TaskEvent
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import FINAL

# Renders a task as its dialect's query answers it, at one of its events (status and progress as
# they were then; the rest as the row is now).
EventRender = Callable[[Task, TaskEvent], dict[str, Any]]
_WAIT = re.compile(r"(?:^|[,;\s])wait(?:\s*=\s*\"?(\d+(?:\.\d+)?)\"?)?(?=$|[,;\s])", re.IGNORECASE)


def prefer_wait(request: Request, most: float) -> float | None:
    """Seconds to wait for from ``Prefer: wait[=N]`` (capped at ``most``); None: answer at once."""
    header = request.headers.get("prefer")
    if not header:
        return None
    match = _WAIT.search(header)
    if match is None:
        return None
    return min(float(match.group(1)), most) if match.group(1) else most


def wants_events(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "").lower()


async def wait_until_final(services: Services, task_id: str, seconds: float) -> Task | None:
    """The task once it has ended, or as it is when ``seconds`` are over (None if deleted)."""
    deadline = time.monotonic() + seconds
    poll = services.settings.sse_poll_seconds
    while True:
        task = await run_in_threadpool(services.store.get_any, task_id)
        if task is None or task.status in FINAL or time.monotonic() >= deadline:
            return task
        await asyncio.sleep(min(poll, max(0.0, deadline - time.monotonic())))


def last_event_id(request: Request) -> int:
    raw = request.headers.get("last-event-id", "").strip()
    return int(raw) if raw.isdigit() else 0


def event_stream(
    request: Request, services: Services, task_id: str, render: EventRender, status_key: str, after: int = 0
) -> EventSourceResponse:
    """The task's events after event id ``after`` until it ends; the event name is its status."""
    settings = services.settings

    async def events() -> AsyncIterator[ServerSentEvent]:
        last = after
        while True:
            # Events first, then the task: a task read before its final event (a cancel committing
            # between the two reads) would carry that event with the stale task's empty message.
            rows = await run_in_threadpool(services.store.events_after, task_id, last)
            task = await run_in_threadpool(services.store.get_any, task_id)
            if task is None:  # deleted meanwhile
                return
            for ev in rows:
                last = ev.id
                data = render(task, ev)
                yield ServerSentEvent(data=json.dumps(data), event=str(data[status_key]), id=str(ev.id))
                if ev.status in FINAL:
                    return
            if await request.is_disconnected():
                return
            await asyncio.sleep(settings.sse_poll_seconds)

    return EventSourceResponse(
        events(), ping=settings.sse_keepalive_seconds, headers={"Cache-Control": "no-cache"}
    )
