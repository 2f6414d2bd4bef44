"""Callback delivery: Standard Webhooks signatures a receiver verifies with the standardwebhooks
library, retries with backoff after failures, and refusal of non-public callback addresses."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from standardwebhooks import Webhook
from svc_env import make_settings
from svc_servers import FileServer, Receiver
from test_service_api import body

from motionctl.tasks.accounts import Credentials, create_account
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Callback
from motionctl.tasks.runtime import Services, build_services
from motionctl.tasks.worker import housekeeping


def wait_for(cond: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)


def test_signed_callback_retried_until_delivered(
    api: Any, auth: dict[str, str], account: Credentials, services: Services, fs: FileServer,
    media: dict[str, Path], receiver: Receiver,
) -> None:  # fmt: skip
    receiver.fail_first = 2
    tid = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, callback_url=receiver.url)).json()[
        "data"
    ]["task_id"]
    stop = threading.Event()
    keeper = threading.Thread(target=housekeeping, args=(services, stop), kwargs={"retention": False})
    keeper.start()
    try:
        wait_for(lambda: len(receiver.calls) == 1)
    finally:
        stop.set()
        keeper.join(timeout=10)
    headers, raw = receiver.calls[0]
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(headers)
    payload = Webhook(account.webhook_secret).verify(raw, headers)  # raises when the signature is wrong
    assert payload["task_id"] == tid and payload["task_status"] == "submitted"
    query = api.get(f"/v1/videos/motion-control/{tid}", headers=auth).json()["data"]
    assert set(payload) == set(query)  # the query response's data, same fields
    tampered = json.dumps({**payload, "task_status": "succeed"})
    try:
        Webhook(account.webhook_secret).verify(tampered, headers)
        raise AssertionError("a tampered body verified")
    except Exception as exc:  # standardwebhooks raises WebhookVerificationError
        assert "signature" in str(exc).lower() or type(exc).__name__ == "WebhookVerificationError"
    with session_scope(services.engine, write=False) as s:
        cb = s.scalar(select(Callback).where(Callback.task_id == tid))
    assert cb is not None and cb.state == "delivered" and cb.attempts == 3
    assert 'motionctl_callbacks{state="delivered"} 1.0' in api.get("/metrics").text


def test_private_callback_address_given_up_without_touching_task(
    tmp_path: Path, fs: FileServer, media: dict[str, Path], receiver: Receiver
) -> None:
    svc = build_services(make_settings(tmp_path / "d", callback_max_attempts=2))
    acc = create_account(svc.engine)
    strict = build_services(make_settings(tmp_path / "d", allow_private_urls=False, callback_max_attempts=2))
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient
        from motionctl.api import create_app

        with TestClient(create_app(services=svc)) as client:
            h = {"Authorization": f"Bearer {acc.api_key}"}
            r = client.post("/v1/videos/motion-control", headers=h, json=body(fs, media, callback_url=receiver.url))
            tid = r.json()["data"]["task_id"]
        stop = threading.Event()
        keeper = threading.Thread(target=housekeeping, args=(strict, stop), kwargs={"retention": False})
        keeper.start()

        def given_up() -> bool:
            with session_scope(svc.engine, write=False) as s:
                cb = s.scalar(select(Callback).where(Callback.task_id == tid))
                return cb is not None and cb.state == "gave_up"

        try:
            wait_for(given_up)
        finally:
            stop.set()
            keeper.join(timeout=10)
        assert receiver.calls == []
        with session_scope(svc.engine, write=False) as s:
            cb = s.scalar(select(Callback).where(Callback.task_id == tid))
        assert cb is not None and "non-public address" in cb.last_error
        assert svc.store.get(acc.account_id, tid).status == "submitted"  # the task is untouched
    finally:
        svc.engine.dispose()
        strict.engine.dispose()
