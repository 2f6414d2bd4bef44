"""Retention: finished tasks older than the retention period are deleted with their results, and
stored inputs/uploads no task references any more are deleted once they are as old."""

from __future__ import annotations

import logging
import shutil
import time

from sqlalchemy import delete, select

from motionctl.storage import LocalStorage
from motionctl.tasks.db import session_scope
from motionctl.tasks.elements import blob_keys
from motionctl.tasks.models import Callback, Element, Task, now_ms
from motionctl.tasks.store import FINAL, TaskStore

log = logging.getLogger("motionctl.retention")


def cleanup(store: TaskStore, storage: LocalStorage, retention_days: float) -> dict[str, int]:
    cutoff_ms = now_ms() - int(retention_days * 86400 * 1000)
    with session_scope(store.engine, write=True) as s:
        old = list(s.scalars(select(Task).where(Task.status.in_(FINAL), Task.finished_at < cutoff_ms)))
        ids = [t.id for t in old]
        if ids:
            s.execute(delete(Callback).where(Callback.task_id.in_(ids)))
            s.execute(delete(Task).where(Task.id.in_(ids)))
    removed = 0
    for t in old:
        for key in (t.result_key, t.watermark_key):
            removed += bool(key and storage.delete(key))
    with session_scope(store.engine, write=False) as s:
        referenced: set[str] = set()
        for row in s.execute(select(Task.image_key, Task.video_key, Task.result_key, Task.watermark_key)):
            referenced.update(k for k in row if k)
        for element in s.scalars(select(Element)):  # kept until the element is deleted
            referenced.update(blob_keys(element))
    cutoff_s = time.time() - retention_days * 86400
    orphans = 0
    for path in storage.root.glob("??/??/*"):
        if path.name not in referenced and path.is_file() and path.stat().st_mtime < cutoff_s:
            orphans += storage.delete(path.name)  # with its validation marks
    for path in (storage.root / ".scratch").glob("*"):  # left by a killed process
        if path.stat().st_mtime < time.time() - 86400:
            shutil.rmtree(path, ignore_errors=True)
    result = {"tasks": len(ids), "results": removed, "orphan_blobs": orphans}
    if any(result.values()):
        log.info("retention cleanup %s", result)
    return result
