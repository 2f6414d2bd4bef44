"""Callback delivery: the outbox rows written with each status change are POSTed to the task's
callback_url with Standard Webhooks headers, in order per task, retried with exponential backoff,
and finally given up. Delivery runs beside the engine and never changes a task."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import aliased
from standardwebhooks import Webhook

from motionctl.tasks import accounts
from motionctl.tasks.db import session_scope
from motionctl.tasks.download import AddressPolicy, BlockedAddress, make_client
from motionctl.tasks.models import Callback, now_ms
from motionctl.tasks.store import TaskStore

log = logging.getLogger("motionctl.callbacks")


class Outbox:
    def __init__(
        self,
        store: TaskStore,
        policy: AddressPolicy,
        *,
        max_attempts: int = 8,
        backoff_s: float = 1.0,
        backoff_max_s: float = 300.0,
        timeout_s: float = 10.0,
    ) -> None:
        self.store = store
        self.policy = policy
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.timeout_s = timeout_s

    def claim(self) -> Callback | None:
        """The next due delivery whose earlier deliveries for the same task are finished; it is
        held for timeout + 30 s so another process does not send it twice meanwhile."""
        with session_scope(self.store.engine, write=False) as s:  # cheap check before taking the write lock
            due = s.scalar(
                select(Callback.id).where(Callback.state == "pending", Callback.next_attempt_at <= now_ms()).limit(1)
            )
        if due is None:
            return None
        earlier = aliased(Callback)
        with session_scope(self.store.engine, write=True) as s:
            now = now_ms()
            cb = s.scalar(
                select(Callback)
                .where(Callback.state == "pending", Callback.next_attempt_at <= now)
                .where(
                    ~select(earlier.id)
                    .where(
                        earlier.task_id == Callback.task_id,
                        earlier.id < Callback.id,
                        earlier.state == "pending",
                    )
                    .exists()
                )
                .order_by(Callback.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if cb is None:
                return None
            cb.next_attempt_at = now + int((self.timeout_s + 30) * 1000)
            cb.attempts += 1
            return cb

    def deliver_one(self) -> bool:
        """Deliver (or retry) one due callback; False when none was due."""
        cb = self.claim()
        if cb is None:
            return False
        error = self._post(cb)
        with session_scope(self.store.engine, write=True) as s:
            now = now_ms()
            values: dict[str, object]
            if error is None:
                values = {"state": "delivered", "delivered_at": now, "last_error": ""}
            elif cb.attempts >= self.max_attempts:
                values = {"state": "gave_up", "last_error": error}
            else:
                delay = min(self.backoff_max_s, self.backoff_s * 2 ** (cb.attempts - 1))
                values = {"next_attempt_at": now + int(delay * 1000), "last_error": error}
            s.execute(update(Callback).where(Callback.id == cb.id).values(**values))
        extra = {
            "task_id": cb.task_id,
            "event": f"callback_{values.get('state', 'retry')}",
            "attempt": cb.attempts,
        }
        log.info("callback %s: %s", cb.task_status, error or "delivered", extra=extra)
        return True

    def _post(self, cb: Callback) -> str | None:
        account = accounts.by_id(self.store.engine, cb.account_id)
        if account is None:
            return "account no longer exists"
        msg_id = f"msg_{cb.id}_{uuid.uuid4().hex[:12]}"
        sent_at = datetime.fromtimestamp(int(datetime.now(tz=UTC).timestamp()), tz=UTC)
        signature = Webhook(accounts.webhook_secret(account.secret_key)).sign(msg_id, sent_at, cb.payload)
        timestamp = str(int(sent_at.timestamp()))
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature,
        }
        try:
            with make_client(self.policy, timeout=self.timeout_s, max_redirects=0) as client:
                resp = client.post(cb.url, content=cb.payload.encode(), headers=headers)
        except BlockedAddress as exc:
            return f"callback_url resolves to a non-public address ({exc.ip})"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= resp.status_code < 300:
            return None
        return f"HTTP {resp.status_code}"
