"""Callback delivery: the outbox rows written with each status change are POSTed to the task's
callback_url with Standard Webhooks headers, in order per task, retried with exponential backoff,
and finally given up. Delivery runs beside the engine and never changes a task.

``Dispatcher`` sends several at once, at most ``per_account`` of one account: a receiver that hangs
holds its own account's slots until its timeout and never delays another account's callbacks. Each
delivery keeps its ``webhook-id`` across retries, so receivers can drop duplicates.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from sqlalchemy import select, true, update
from sqlalchemy.orm import aliased
from standardwebhooks import Webhook

from motionctl.core.errors import InvalidInput
from motionctl.tasks import accounts
from motionctl.tasks.db import session_scope
from motionctl.tasks.guard import AddressPolicy, BlockedAddress, make_client, parse_url
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

    def claim(self, exclude_accounts: Collection[int] = ()) -> Callback | None:
        """The next due delivery (of an account not in ``exclude_accounts``) whose earlier
        deliveries for the same task are finished; it is held for timeout + 30 s so another process
        does not send it twice meanwhile."""
        others = Callback.account_id.not_in(list(exclude_accounts)) if exclude_accounts else true()
        with session_scope(self.store.engine, write=False) as s:  # cheap check before taking the write lock
            due = s.scalar(
                select(Callback.id)
                .where(Callback.state == "pending", Callback.next_attempt_at <= now_ms(), others)
                .limit(1)
            )
        if due is None:
            return None
        earlier = aliased(Callback)
        with session_scope(self.store.engine, write=True) as s:
            now = now_ms()
            cb = s.scalar(
                select(Callback)
                .where(Callback.state == "pending", Callback.next_attempt_at <= now, others)
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
        self.deliver(cb)
        return True

    def deliver(self, cb: Callback) -> None:
        """POST one claimed delivery and record the outcome; never raises for the receiver's faults."""
        try:
            error, permanent = self._post(cb)
        except Exception as exc:  # a bug of ours must not leave the row claimed forever
            log.exception("callback delivery failed")
            error, permanent = f"internal error: {type(exc).__name__}", False
        self._record(cb, error, permanent)

    def _record(self, cb: Callback, error: str | None, permanent: bool) -> None:
        with session_scope(self.store.engine, write=True) as s:
            now = now_ms()
            values: dict[str, object]
            if error is None:
                values = {"state": "delivered", "delivered_at": now, "last_error": ""}
            elif permanent or cb.attempts >= self.max_attempts:
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

    def _post(self, cb: Callback) -> tuple[str | None, bool]:
        """(error or None, whether retrying can never help)."""
        account = accounts.by_id(self.store.engine, cb.account_id)
        if account is None:
            return "account no longer exists", True
        try:
            parse_url(cb.url, "callback_url")
        except InvalidInput as exc:
            return exc.message, True
        # One id per delivery, the same on every retry (Standard Webhooks: receivers de-duplicate by it).
        msg_id = f"msg_{cb.task_id}_{cb.id}"
        sent_at = datetime.fromtimestamp(int(datetime.now(tz=UTC).timestamp()), tz=UTC)
        signature = Webhook(accounts.webhook_secret(account.secret_key)).sign(msg_id, sent_at, cb.payload)
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": signature,
        }
        try:
            client = make_client(self.policy, timeout=self.timeout_s, max_redirects=0, deadline_s=self.timeout_s)
            with client:
                resp = client.post(cb.url, content=cb.payload.encode(), headers=headers)
        except BlockedAddress as exc:
            return f"callback_url resolves to a non-public address ({exc.ip})", False
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}", False
        if 200 <= resp.status_code < 300:
            return None, False
        return f"HTTP {resp.status_code}", False


class Dispatcher:
    """Sends due callbacks from a pool of threads: at most ``concurrency`` at once in this
    process, at most ``per_account`` of any one account."""

    def __init__(self, outbox: Outbox, *, concurrency: int = 8, per_account: int = 2) -> None:
        self.outbox = outbox
        self.concurrency = concurrency
        self.per_account = per_account
        self._busy: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="callback")

    def pump(self) -> int:
        """Start as many due deliveries as there are free slots; how many were started."""
        started = 0
        while True:
            with self._lock:
                if sum(self._busy.values()) >= self.concurrency:
                    return started
                full = [a for a, n in self._busy.items() if n >= self.per_account]
            cb = self.outbox.claim(exclude_accounts=full)
            if cb is None:
                return started
            with self._lock:
                self._busy[cb.account_id] += 1
            self._pool.submit(self._deliver, cb)
            started += 1

    def _deliver(self, cb: Callback) -> None:
        try:
            self.outbox.deliver(cb)
        finally:
            with self._lock:
                self._busy[cb.account_id] -= 1
                if self._busy[cb.account_id] <= 0:
                    del self._busy[cb.account_id]

    def close(self, *, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)
