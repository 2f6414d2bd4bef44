"""`motionctl serve --workers 0` as a real process: the intake process pool (errors rebuilt with
their code and message), the CLI client commands and the Python client, JSON logs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from svc_served import CLI, create_keys, serve, service_env
from svc_servers import FileServer

from motionctl.client import ApiError, Client


def test_served_api_cli_and_client(tmp_path: Path, fs: FileServer, media: dict[str, Path]) -> None:
    env = service_env(tmp_path / "data")
    keys = create_keys(env)
    assert {"api_key", "access_key", "secret_key"} <= set(keys)
    image, video = fs.add("p.png", media["image"]), fs.add("m.mp4", media["video"])
    short = fs.add("short.mp4", media["short_video"])
    with serve(env, workers=0, log=tmp_path / "serve.log") as srv:
        # Python client with a Kling-style JWT minted from the access/secret key pair.
        with Client(srv.base, access_key=keys["access_key"], secret_key=keys["secret_key"]) as client:
            task = client.submit(image, video, orientation="image", mode="std", external_task_id="cli-1")
            try:
                client.submit(image, short, orientation="image", mode="std")
                raise AssertionError("a 2 s video was accepted")
            except ApiError as exc:  # validated in the intake process, rebuilt here
                assert exc.code == 1201 and exc.http_status == 400
                assert exc.message.startswith("video_url: duration must be at least 3 s")
            uploaded = client.submit(media["image"], media["video"], orientation="video", mode="pro")
            assert uploaded["task_status"] == "submitted"

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*CLI, *args, "--server", srv.base, "--token", keys["api_key"]],
                env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip

        status = cli("status", "cli-1")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["task_id"] == task["task_id"]
        listed = cli("list", "--size", "5")
        assert [t["task_id"] for t in json.loads(listed.stdout)][-1] == task["task_id"]
        bad = cli("submit", "--image", image, "--video", short, "--orientation", "image")
        assert bad.returncode == 2 and "error 1201: video_url: duration must be at least 3 s" in bad.stderr
        missing = cli("status", "no-such-task")
        assert missing.returncode == 2 and "1203" in missing.stderr
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines() if line.startswith("{")]
    access = [ln for ln in lines if ln.get("logger") == "motionctl.access"]
    assert access and all(ln["request_id"] for ln in access)
    assert any(ln.get("task_id") == task["task_id"] for ln in lines)


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(stat.parent.name))
    return kids


def test_serve_replaces_a_dead_worker(tmp_path: Path) -> None:
    import os
    import signal
    import time

    env = service_env(tmp_path / "data", MOTIONCTL_INTAKE_PROCESSES="0")
    with serve(env, workers=1, log=tmp_path / "serve.log") as srv:
        deadline = time.monotonic() + 30
        while not (kids := _children(srv.proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        (first,) = kids
        os.kill(first, signal.SIGKILL)
        while time.monotonic() < deadline:
            kids = _children(srv.proc.pid)
            if kids and first not in kids:
                break
            time.sleep(0.2)
        assert len(kids) == 1 and first not in kids
    assert "starting another" in (tmp_path / "serve.log").read_text()
