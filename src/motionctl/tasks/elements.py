"""The element library (seed 004): creation tasks, the account's elements, their face banks.

An element is created by a task like any other (mode ``element``, model ``kling-custom-element``),
so it has progress, callbacks, cancellation and retries; its row here is made with the task and gets
its bank's blob when the worker has built it. A generation bound to an element carries the bank's
blob key (``Task.element_key``). Deleting an element deletes its bank.
"""

from __future__ import annotations

import builtins
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from motionctl.core.errors import InvalidInput, NotFound, rule_violation
from motionctl.storage import LocalStorage
from motionctl.tasks.billing import ELEMENT_CREATION_UNITS
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Element, Task, now_ms
from motionctl.tasks.store import NewTask, TaskStore
from motionctl.tasks.view import Links

MODEL = "kling-custom-element"
MODE = "element"  # Task.mode of a creation task
CREATION_UNITS = ELEMENT_CREATION_UNITS  # seed 004: 1 credit, $0.0139 a creation; refunded on failure


@dataclass(frozen=True)
class ElementRequest:
    name: str
    description: str
    video: str  # the face video's URL
    callback_url: str = ""
    external_task_id: str = ""


def new_element_id() -> str:
    """18 digits, like seed 002's element_id (a long)."""
    return str(10**17 + secrets.randbelow(9 * 10**17))


def blob_keys(element: Element) -> list[str]:
    """The blobs an element owns: its bank and its views' thumbnails."""
    thumbs = json.loads(element.summary or "{}").get("thumbnails", [])
    return [k for k in [element.bank_key, *thumbs] if k]


def element_data(element: Element, task: Task | None, links: Links) -> dict[str, Any]:
    """An element as the list and get endpoints answer it (thumbnails as signed URLs)."""
    status = "ready" if element.bank_key else (task.status if task is not None else "submitted")
    bank = json.loads(element.summary or "{}")
    thumbnails = [links.blob(k) for k in bank.pop("thumbnails", [])]
    return {"element_id": element.id, "element_name": element.name, "element_description": element.description,
            "status": status, "status_msg": task.status_msg if task is not None else "", "task_id": element.task_id,
            "bank": bank, "thumbnails": thumbnails, "created_at": int(element.created_at)}


class ElementLibrary:
    def __init__(self, store: TaskStore, storage: LocalStorage) -> None:
        self.store, self.storage = store, storage

    def create(self, account_id: int, req: ElementRequest, video_key: str, *, max_active: int,
               require_units: bool) -> tuple[Task, Element]:
        """The creation task and its (not yet ready) element."""
        new = NewTask(account_id=account_id, request_hash=_hash(req), model_name=MODEL, model_id=MODEL, mode=MODE,
                      orientation="video", image_key="", video_key=video_key, prompt=req.name,
                      callback_url=req.callback_url or None, external_task_id=req.external_task_id or None,
                      estimate_units=CREATION_UNITS, require_units=require_units)
        task, created = self.store.create(new, max_active=max_active)
        with session_scope(self.store.engine, write=True) as s:
            element = s.scalar(select(Element).where(Element.task_id == task.id))
            if element is None and created:
                element = Element(id=new_element_id(), account_id=account_id, task_id=task.id, name=req.name,
                                  description=req.description, bank_key=None, summary="{}", created_at=now_ms())
                s.add(element)
        if element is None:
            raise NotFound(f"external_task_id: names a task that is not an element creation (got "
                           f"{req.external_task_id})", field="external_task_id")
        return task, element

    def of_task(self, task_id: str) -> Element | None:
        with session_scope(self.store.engine, write=False) as s:
            return s.scalar(select(Element).where(Element.task_id == task_id))

    def attach(self, task_id: str, bank_key: str, summary: dict[str, Any]) -> None:
        """The worker's built bank, kept with the element."""
        with session_scope(self.store.engine, write=True) as s:
            element = s.scalar(select(Element).where(Element.task_id == task_id))
            if element is not None:
                element.bank_key, element.summary = bank_key, json.dumps(summary)

    def get(self, account_id: int, element_id: str) -> Element:
        with session_scope(self.store.engine, write=False) as s:
            element = s.get(Element, str(element_id))
        if element is None or element.account_id != account_id:
            raise NotFound(f"element_id: no such element in this account's library (got {element_id})",
                           field="element_id", value=element_id)
        return element

    def list(self, account_id: int, page_num: int, page_size: int) -> builtins.list[Element]:
        with session_scope(self.store.engine, write=False) as s:
            rows = s.scalars(select(Element).where(Element.account_id == account_id)
                             .order_by(Element.created_at.desc()).offset((page_num - 1) * page_size).limit(page_size))
            return list(rows)

    def delete(self, account_id: int, element_id: str) -> Element:
        """The element and its bank; a creation still running is cancelled."""
        element = self.get(account_id, element_id)
        task = self.store.get_any(element.task_id)
        if task is not None and task.status in ("submitted", "processing"):
            self.store.cancel(account_id, task.id)
        with session_scope(self.store.engine, write=True) as s:
            row = s.get(Element, element.id)
            if row is not None:
                s.delete(row)
            # Blobs are content-addressed: the same bank made twice is one blob, deleted with the last.
            kept = {k for other in s.scalars(select(Element)) for k in blob_keys(other)}
        for key in blob_keys(element):
            if key not in kept:
                self.storage.delete(key)
        return element

    def bank_for(self, account_id: int, element_id: str, field: str) -> str:
        """The bank key a generation binds; an unknown or unfinished element is refused naming ``field``."""
        try:
            element = self.get(account_id, element_id)
        except NotFound:
            raise rule_violation(InvalidInput, field, "an element of this account's library (GET /v1/elements)",
                                 element_id) from None
        if not element.bank_key:
            raise rule_violation(InvalidInput, field, "an element whose creation has succeeded",
                                 f"{element_id}, still being created or failed")
        return element.bank_key


def _hash(req: ElementRequest) -> str:
    import hashlib

    canon = json.dumps([MODEL, req.name, req.description, req.video, req.callback_url], separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()
