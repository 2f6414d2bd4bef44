"""Cancel and units against a real `motionctl serve` with a worker and the real engine on the shared
clips: a running task cancelled (the engine stopped, the callback verified, the units back), a 10 s
std output charged 10 x the price and a failed task charged nothing. Each seed's example requests
(the unified endpoint's among them, with server-sent events) are in test_service_seeds_served.py."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from standardwebhooks import Webhook
from svc_env import ELF, SHARED, needs_engine, needs_shared
from svc_media import make_image
from svc_served import CLI, Served, serve, service_env
from svc_servers import FileServer, Receiver, file_server

from motionctl.client import Client

pytestmark = [pytest.mark.slow, needs_shared, needs_engine]
DANCE = SHARED / "pairs" / "fullbody_cartoon"


def ten_second_driver(dest: Path) -> Path:
    """The dance clip's first 10 s (a real dancer), at half size to keep the render short."""
    with av.open(str(DANCE / "video.mp4")) as src, av.open(str(dest), "w", format="mp4") as out:
        vin = src.streams.video[0]
        rate = Fraction(vin.average_rate or 24).limit_denominator(1001)
        vs = out.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = 540, 960, "yuv420p"
        for i, frame in enumerate(src.decode(vin)):
            if i >= round(10 * float(rate)):
                break
            img = frame.reformat(width=540, height=960, format="yuv420p")
            img.pts = i
            img.time_base = 1 / rate
            for packet in vs.encode(img):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
    return dest


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, dict[str, Any], FileServer, Path]]:
    tmp = tmp_path_factory.mktemp("served")
    env = service_env(tmp / "data", MOTIONCTL_REQUIRE_UNITS="1", MOTIONCTL_SSE_KEEPALIVE_SECONDS="1")
    out = subprocess.run([*CLI, "keys", "create", "--name", "d", "--units", "100"], env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    keys = json.loads(out.stdout)
    assert keys["remaining_units"] == "100"
    with file_server() as fs:
        fs.add("image.jpeg", ELF / "image.jpeg")
        fs.add("video.mp4", ELF / "video.mp4")
        fs.add("dance10.mp4", ten_second_driver(tmp / "dance10.mp4"))
        fs.add("dancer.png", DANCE / "image.png")
        fs.add("blank.png", make_image(tmp / "blank.png", 512, 768))
        with serve(env, workers=1, log=tmp / "serve.log") as srv:
            yield srv, keys, fs, tmp


def test_cancel_running_task(world: tuple[Served, dict[str, Any], FileServer, Path], receiver: Receiver) -> None:
    srv, keys, fs, tmp = world
    with Client(srv.base, keys["api_key"]) as client:
        before = client.account()
        task = client.submit(f"{fs.base}/image.jpeg", f"{fs.base}/video.mp4", orientation="video", mode="pro",
                             callback_url=receiver.url)  # fmt: skip
        tid = task["task_id"]
        while (t := client.get(tid))["task_status"] == "submitted" or t["progress"] < 10:
            assert t["task_status"] in ("submitted", "processing")
            time.sleep(0.1)
        cancelled = client.cancel(tid)
        assert cancelled["task_status"] == "failed" and cancelled["task_status_msg"] == "cancelled by the user"
        log = srv.log
        deadline = time.monotonic() + 60
        while "work discarded" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "work discarded" in log.read_text()  # the worker stopped the engine
        assert client.get(tid)["task_status"] == "failed"
        after = client.account()
        while len(receiver.calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert after["remaining_units"] == before["remaining_units"] and after["used_units"] == before["used_units"]
    payloads = [Webhook(keys["webhook_secret"]).verify(raw, h) for h, raw in receiver.calls]
    assert [p["task_status"] for p in payloads] == ["submitted", "processing", "failed"]
    assert payloads[-1]["task_status_msg"] == "cancelled by the user" and payloads[-1]["final_unit_deduction"] == "0"


def test_units_charged_per_output_second(world: tuple[Served, dict[str, Any], FileServer, Path]) -> None:
    srv, keys, fs, tmp = world
    with Client(srv.base, keys["api_key"]) as client:
        before = float(client.account()["remaining_units"])
        failed = client.wait(
            client.submit(f"{fs.base}/blank.png", f"{fs.base}/video.mp4", orientation="image", mode="std")["task_id"]
        )
        assert failed["task_status"] == "failed" and failed["final_unit_deduction"] == "0"
        assert float(client.account()["remaining_units"]) == before  # a failed task costs nothing
        done = client.wait(
            client.submit(f"{fs.base}/dancer.png", f"{fs.base}/dance10.mp4", orientation="video", mode="std")["task_id"]
        )
        assert done["task_status"] == "succeed", done
        seconds = float(done["task_result"]["videos"][0]["duration"])
        assert seconds == pytest.approx(10.0, abs=0.05)
        # kling-v2-6 std: unpriced by the seeds, charged at their one price (seed 004's $0.1134/s)
        assert float(done["final_unit_deduction"]) == pytest.approx(0.1134 * seconds, abs=0.0001)
        after = client.account()
        assert float(after["remaining_units"]) == pytest.approx(before - 0.1134 * seconds, abs=0.0001)
        kinds = [r["type"] for r in client.billing(page_size=3)]
    assert kinds == ["charge", "release", "reserve"]
