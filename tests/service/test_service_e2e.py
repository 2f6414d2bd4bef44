"""End to end against real `motionctl serve` / `motionctl worker` processes and the real engine,
on the shortest shared clip (upperbody_elf, 3.5 s): callbacks arrive for every transition; a
SIGKILLed worker's task completes once; a stopped server resumes its queue after restart. The seeds'
request examples are in test_service_seeds_served.py."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from sqlalchemy import select
from standardwebhooks import Webhook
from svc_env import ELF, needs_engine, needs_shared
from svc_served import create_keys, serve, service_env, worker
from svc_servers import FileServer, Receiver, file_server

from motionctl.client import Client
from motionctl.tasks.db import make_engine, session_scope
from motionctl.tasks.models import Callback, Task

pytestmark = [pytest.mark.slow, needs_shared, needs_engine]

@pytest.fixture
def inputs() -> Iterator[FileServer]:
    with file_server() as fs:
        fs.add("image.jpeg", ELF / "image.jpeg")
        fs.add("video.mp4", ELF / "video.mp4")
        yield fs


def _wait(client: Client, task_id: str, timeout: float = 600) -> dict[str, Any]:
    return client.wait(task_id, timeout=timeout, interval=0.5)


def _check_video(url: str, short_side: int, tmp: Path) -> float:
    """Download the result and decode every frame: returns its duration in seconds."""
    out = tmp / f"result_{short_side}.mp4"
    with httpx.stream("GET", url, timeout=60) as r:
        assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
        out.write_bytes(r.read())
    with av.open(str(out)) as c:
        vs = c.streams.video[0]
        assert vs.codec_context.name == "h264"
        assert min(vs.codec_context.width, vs.codec_context.height) == short_side
        frames = sum(1 for _ in c.decode(vs))
        duration = float(c.duration or 0) / av.time_base
    assert frames > 0
    head = httpx.get(url, headers={"Range": "bytes=0-99"}, timeout=30)
    assert head.status_code == 206 and len(head.content) == 100 and head.content == out.read_bytes()[:100]
    return duration


def test_callbacks_for_every_transition(tmp_path: Path, inputs: FileServer, receiver: Receiver) -> None:
    env = service_env(tmp_path / "data")
    keys = create_keys(env)
    with (
        serve(env, workers=1, log=tmp_path / "serve.log") as srv,
        Client(srv.base, keys["api_key"]) as client,
    ):
        task = client.submit(f"{inputs.base}/image.jpeg", f"{inputs.base}/video.mp4", orientation="video",
                             mode="std", watermark=True, callback_url=receiver.url)  # fmt: skip
        done = _wait(client, task["task_id"])
        assert done["task_status"] == "succeed"
        (video,) = done["task_result"]["videos"]
        _check_video(video["url"], 720, tmp_path)  # std renders 720p
        _check_video(video["watermark_url"], 720, tmp_path / "..")
        deadline = time.monotonic() + 30
        while len(receiver.calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    hook = Webhook(keys["webhook_secret"])
    payloads = [hook.verify(raw, headers) for headers, raw in receiver.calls]
    assert [p["task_status"] for p in payloads] == ["submitted", "processing", "succeed"]
    assert all(p["task_id"] == task["task_id"] for p in payloads)
    assert payloads[-1]["task_result"]["videos"][0]["id"] == video["id"]
    assert len({h["webhook-id"] for h, _ in receiver.calls}) == 3


def _task_row(data_dir: Path, task_id: str) -> Task:
    engine = make_engine(f"sqlite:///{data_dir / 'motionctl.db'}")
    try:
        with session_scope(engine, write=False) as s:
            row = s.get(Task, task_id)
            assert row is not None
            return row
    finally:
        engine.dispose()


def test_sigkill_worker_mid_task(tmp_path: Path, inputs: FileServer, receiver: Receiver) -> None:
    data = tmp_path / "data"
    env = service_env(data, MOTIONCTL_LEASE_SECONDS="3")
    keys = create_keys(env)
    with (
        serve(env, workers=0, log=tmp_path / "serve.log") as srv,
        Client(srv.base, keys["api_key"]) as client,
    ):
        task = client.submit(f"{inputs.base}/image.jpeg", f"{inputs.base}/video.mp4", orientation="image",
                             mode="std", callback_url=receiver.url)  # fmt: skip
        tid = task["task_id"]
        with worker(env, tmp_path / "worker1.log") as w1:
            deadline = time.monotonic() + 120
            while True:  # kill it in the middle: claimed, and the engine has reported progress
                t = client.get(tid)
                if t["task_status"] == "processing" and t["progress"] > 0:
                    break
                assert t["task_status"] in ("submitted", "processing") and time.monotonic() < deadline, t
                time.sleep(0.1)
            os.kill(w1.pid, signal.SIGKILL)
            w1.wait()
        assert client.get(tid)["task_status"] == "processing"
        with worker(env, tmp_path / "worker2.log"):
            done = _wait(client, tid)
        assert done["task_status"] == "succeed", done
        assert len(done["task_result"]["videos"]) == 1
        _check_video(done["task_result"]["videos"][0]["url"], 720, tmp_path)
        time.sleep(1.0)  # let the API's callback sender flush
    row = _task_row(data, tid)
    assert row.attempts == 2 and row.lease_owner is None
    engine = make_engine(f"sqlite:///{data / 'motionctl.db'}")
    with session_scope(engine, write=False) as s:
        statuses = [c.task_status for c in s.scalars(select(Callback).where(Callback.task_id == tid))]
    engine.dispose()
    assert statuses.count("succeed") == 1 and statuses.count("processing") == 1
    stored = {p.name for p in (data / "blobs").glob("??/??/*.mp4")} - {row.video_key}
    assert stored == {row.result_key}  # one result, nothing left over from the killed attempt


def _live_in_group(pgid: int) -> list[str]:
    """Pid and command line of processes in process group ``pgid`` that are still running (zombies excluded)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            live.append(f"{stat.parent.name} {cmd[:200]}")
    return live


def test_restart_resumes_queue(tmp_path: Path, inputs: FileServer) -> None:
    data = tmp_path / "data"
    env = service_env(data, MOTIONCTL_LEASE_SECONDS="5")
    keys = create_keys(env)
    port = None
    ids: list[str] = []
    with (
        serve(env, workers=1, log=tmp_path / "serve1.log") as srv,
        Client(srv.base, keys["api_key"]) as client,
    ):
        port = int(srv.base.rsplit(":", 1)[1])
        for i in range(2):
            ids.append(
                client.submit(
                    f"{inputs.base}/image.jpeg",
                    f"{inputs.base}/video.mp4",
                    orientation="image",
                    mode="std",
                    external_task_id=f"r{i}",
                )["task_id"]  # fmt: skip
            )
        time.sleep(2.0)  # the worker is mid-way through the first task when the server stops
        srv.stop()  # SIGTERM: the API stops, its worker hands the running task back, then exits
        deadline = time.monotonic() + 10  # helpers (e.g. multiprocessing's tracker) exit on their own
        while (left := _live_in_group(srv.proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == []  # nothing of the server's processes is left running
    before = [_task_row(data, t) for t in ids]
    assert all(t.status in ("submitted", "processing") and t.lease_owner is None for t in before)
    with (
        serve(env, workers=1, log=tmp_path / "serve2.log", port=port) as srv,
        Client(srv.base, keys["api_key"]) as c,
    ):
        for tid in ids:
            done = _wait(c, tid)
            assert done["task_status"] == "succeed", done
            assert len(done["task_result"]["videos"]) == 1
    assert [_task_row(data, t).attempts for t in ids] == [1, 1]  # a graceful hand-back costs no attempt


def test_unusable_content_fails_without_charge(
    api: Any, auth: dict[str, str], services: Any, fs: FileServer, media: dict[str, Path], receiver: Receiver
) -> None:
    """A valid file with no person in it: the engine refuses it, the task fails with the engine's
    message (naming the field), nothing is charged, and the failure is called back."""
    from motionctl.tasks.worker import Worker, housekeeping

    b = {
        "image_url": fs.add("gradient.png", media["image"]),  # a colour gradient: no character
        "video_url": fs.add("video.mp4", ELF / "video.mp4"),
        "character_orientation": "image",
        "mode": "std",
        "callback_url": receiver.url,
    }
    tid = api.post("/v1/videos/motion-control", headers=auth, json=b).json()["data"]["task_id"]
    assert Worker(services).run_once()
    done = api.get(f"/v1/videos/motion-control/{tid}", headers=auth).json()["data"]
    assert done["task_status"] == "failed" and done["task_status_msg"].startswith("image_url:"), done
    assert done["final_unit_deduction"] == "0" and done["task_result"]["videos"] == []
    import threading

    stop = threading.Event()
    keeper = threading.Thread(target=housekeeping, args=(services, stop), kwargs={"retention": False})
    keeper.start()
    deadline = time.monotonic() + 30
    while len(receiver.calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    keeper.join(timeout=10)
    assert [json.loads(raw)["task_status"] for _, raw in receiver.calls] == ["submitted", "processing", "failed"]
