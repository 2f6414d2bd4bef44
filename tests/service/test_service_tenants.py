"""One account cannot touch another's data or starve it: results are each task's own (deleting one
task never removes another's video), a slow input download holds only its own account's
submissions, and a hanging callback receiver delays only its own account's callbacks."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from svc_env import make_settings
from svc_servers import FileServer, Receiver, webhook_receiver
from test_service_api import body
from test_service_callbacks import wait_for

from motionctl.core.types import GenerationResult, GenerationSpec
from motionctl.tasks.accounts import create_account
from motionctl.tasks.runtime import Services, build_services
from motionctl.tasks.worker import Worker, housekeeping


def _client(services: Services) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from motionctl.api import create_app

    return TestClient(create_app(services=services))


def _copy_driver(spec: GenerationSpec, output: Path, progress: Any) -> GenerationResult:
    """Same inputs, same output bytes (as the engine's are): the driver copied through."""
    output.write_bytes(Path(spec.video).read_bytes())
    return GenerationResult(output, None, duration=3.5, frames=84, fps=24.0, width=360, height=640, wall_seconds=0.1)


def test_deleting_a_task_keeps_another_accounts_identical_result(
    api: Any, services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    keys = [create_account(services.engine, n).api_key for n in ("a", "b")]
    auths = [{"Authorization": f"Bearer {k}"} for k in keys]
    ids = [api.post("/v1/videos/motion-control", headers=h, json=body(fs, media)).json()["data"]["task_id"]
           for h in auths]  # fmt: skip
    worker = Worker(services, runner=_copy_driver)
    assert worker.run_once() and worker.run_once()
    assert api.delete(f"/v1/videos/motion-control/{ids[0]}", headers=auths[0]).status_code == 200
    other = api.get(f"/v1/videos/motion-control/{ids[1]}", headers=auths[1]).json()["data"]
    assert other["task_status"] == "succeed"
    url = other["task_result"]["videos"][0]["url"]
    got = api.get(url)
    assert got.status_code == 200 and got.content == media["video"].read_bytes()


@pytest.fixture
def pooled(tmp_path: Path) -> Iterator[tuple[Services, Any]]:
    """The API with one real validation process, as `motionctl serve` runs it (scaled down)."""
    svc = build_services(make_settings(tmp_path / "data", intake_processes=1, max_active_tasks=2))
    with _client(svc) as client:
        yield svc, client
    svc.engine.dispose()


def test_a_held_download_holds_only_its_own_accounts_submissions(
    pooled: tuple[Services, Any], fs: FileServer, media: dict[str, Path]
) -> None:
    services, api = pooled
    slow, fast = (create_account(services.engine, n).api_key for n in ("slow", "fast"))
    fs.add("held.png", media["image"])
    fs.held.add("/held.png")
    slow_body = body(fs, media, image_url=f"{fs.base}/held.png")
    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(api.post, "/v1/videos/motion-control", headers={"Authorization": f"Bearer {slow}"},
                            json=slow_body) for _ in range(2)]  # fmt: skip
        wait_for(lambda: fs.hits.count("/held.png") == 2)
        # Downloads in progress count against the account's active-task limit (2 here).
        third = api.post("/v1/videos/motion-control", headers={"Authorization": f"Bearer {slow}"}, json=slow_body)
        assert third.status_code == 429 and third.json()["code"] == 1303
        done = threading.Event()

        def other_account() -> Any:
            r = api.post("/v1/videos/motion-control", headers={"Authorization": f"Bearer {fast}"},
                         json=body(fs, media))  # fmt: skip
            done.set()
            return r

        t = threading.Thread(target=other_account)
        t.start()
        finished = done.wait(30)  # the held downloads are still held: nothing of theirs ends meanwhile
        assert not any(f.done() for f in held), "the held downloads ended early"
        fs.release.set()
        t.join(timeout=60)
        assert finished, "another account's submission waited for the held downloads"
        assert all(f.result().status_code == 200 for f in held), [f.result().text for f in held]


def test_a_hanging_receiver_delays_only_its_own_accounts_callbacks(
    tmp_path: Path, fs: FileServer, media: dict[str, Path], receiver: Receiver
) -> None:
    svc = build_services(make_settings(tmp_path / "d", callback_timeout_seconds=40.0, max_active_tasks=10))
    with webhook_receiver() as hanging, _client(svc) as api:
        hanging.hang = True
        slow, fast = (create_account(svc.engine, n).api_key for n in ("slow", "fast"))
        for _ in range(4):
            r = api.post("/v1/videos/motion-control", headers={"Authorization": f"Bearer {slow}"},
                         json=body(fs, media, callback_url=hanging.url))  # fmt: skip
            assert r.status_code == 200
        stop = threading.Event()
        keeper = threading.Thread(target=housekeeping, args=(svc, stop), kwargs={"retention": False})
        keeper.start()
        try:
            wait_for(lambda: len(hanging.attempts) >= 1)
            start = time.monotonic()
            r = api.post("/v1/videos/motion-control", headers={"Authorization": f"Bearer {fast}"},
                         json=body(fs, media, callback_url=receiver.url))  # fmt: skip
            assert r.status_code == 200
            wait_for(lambda: len(receiver.calls) == 1, timeout=30)  # the hanging ones answer after 40 s
            assert time.monotonic() - start < 30
        finally:
            stop.set()
            hanging.release.set()
            keeper.join(timeout=60)
    svc.engine.dispose()
