"""The workbench end to end: Debian's Chromium (headless, Playwright) against a real `motionctl serve`
with a worker, real uploads of ../shared/testdata, real generation, playback, compare and history.

Set MOTIONCTL_WORKBENCH_SHOTS=docs/workbench to also write the screenshots the README shows."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from wb_browser import browser_marks, expect
from wb_media import make_image, make_video
from wb_server import ELF, SHARED, Server, sign_in

pytestmark = browser_marks(900)

Shot = Callable[[Any, str], None]
GENERATION_TIMEOUT_S = 300  # a 3.5 s clip on a busy 2-core CI machine


def choose(pg: Any, image: Path | None = None, video: Path | None = None) -> None:
    if image is not None:
        pg.set_input_files("[data-testid=image-input]", str(image))
    if video is not None:
        pg.set_input_files("[data-testid=video-input]", str(video))


def drop_file(pg: Any, target: str, path: Path, mime: str) -> None:
    """Drop a file on an element as a drag from the desktop would (a real DataTransfer)."""
    data = base64.b64encode(path.read_bytes()).decode()
    transfer = pg.evaluate_handle(
        """([name, mime, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: mime }));
            return dt;
        }""",
        [path.name, mime, data],
    )
    pg.dispatch_event(target, "dragover", {"dataTransfer": transfer})
    pg.dispatch_event(target, "drop", {"dataTransfer": transfer})


def wait_for_result(pg: Any, midway: Callable[[], None] = lambda: None) -> list[int]:
    """Watch the result panel's progress (the page polls; we never reload) until the task ends;
    `midway` runs once when the progress is first between 20 and 99."""
    seen: list[int] = []
    deadline = time.monotonic() + GENERATION_TIMEOUT_S
    while time.monotonic() < deadline:
        # One read of both, so a re-render between two reads cannot race.
        state, text = pg.evaluate(
            "() => { const r = document.querySelector('#result');"
            " const p = r.querySelector('[data-testid=progress]');"
            " return [r.dataset.state, p ? p.textContent : '']; }"
        )
        if text.strip().endswith("%"):
            value = int(text.strip().rstrip("%").strip())
            if not seen or seen[-1] != value:
                seen.append(value)
                if 20 <= value < 100 and not any(20 <= v < 100 for v in seen[:-1]):
                    midway()
        if state in ("succeed", "failed"):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"task did not finish in {GENERATION_TIMEOUT_S} s; progress seen {seen}")


def playing_time(pg: Any, selector: str) -> list[float]:
    return list(pg.eval_on_selector_all(selector, "vs => vs.map(v => v.currentTime)"))


def test_sign_in_needs_a_key_the_server_accepts(page: Any, server: Server, shot: Shot) -> None:
    page.goto(server.base + "/")
    page.wait_for_selector("body[data-ready]")
    expect(page.locator("#signin")).to_be_visible()
    shot(page, "0-sign-in")
    page.fill("#api-key", "not-a-real-key")
    page.click("#signin-form button")
    expect(page.locator("#signin-error")).to_contain_text("not accepted")
    expect(page.locator("#workspace")).to_be_hidden()
    sign_in(page, server)
    # The key is kept in the browser: a reload stays signed in.
    page.reload()
    expect(page.locator("#workspace")).to_be_visible()
    expect(page.locator("#history-counts")).to_have_text("0 running · 0 completed")
    shot(page, "1-empty")


def test_each_choice_shows_the_rule_it_implies(page: Any, server: Server) -> None:
    sign_in(page, server)
    rule = page.locator("[data-rule-for=character_orientation]")
    expect(rule).to_contain_text("driving video 3-10 s")
    page.click("[data-field=character_orientation] label:has-text('Video')")
    expect(rule).to_contain_text("driving video 3-30 s")
    # The video slot's limits follow the orientation too.
    expect(page.locator("#drop-video .limits")).to_contain_text("3–30 s")

    mode = page.locator("[data-rule-for=mode]")
    expect(mode).to_contain_text("720p output")
    page.click("[data-field=mode] label:has-text('Pro')")
    expect(mode).to_contain_text("1080p output, 1080 px on the short side")

    page.click("[data-field='watermark_info.enabled'] .switch")
    expect(page.locator("[data-rule-for='watermark_info.enabled']")).to_contain_text("watermarked copy")

    page.fill("[data-field=prompt] textarea", "é" * 2500)
    expect(page.locator(".counter")).to_have_text("2500 / 2500")
    page.fill("[data-field=prompt] textarea", "é" * 2501)
    expect(page.locator(".counter")).to_have_text("2501 / 2500")
    expect(page.locator("[data-problem-for=prompt]")).to_have_text("prompt: at most 2500 characters (got 2501)")
    expect(page.locator("#submit")).to_be_disabled()


def test_rejected_inputs_show_the_rule_and_create_no_task(
    page: Any, server: Server, shot: Shot, tmp_path: Path
) -> None:
    before = len(server.tasks())
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if r.url.endswith("/v1/files") else None)
    sign_in(page, server)
    small = make_image(tmp_path / "small.png", 200, 200)
    short = make_video(tmp_path / "short.mp4", 640, 480, seconds=2.0)
    drop_file(page, "#drop-image", small, "image/png")  # drag-and-drop, like a user would
    choose(page, video=short)  # the file picker
    expect(page.locator("#drop-image")).to_have_attribute("data-state", "invalid")
    expect(page.locator("#drop-video")).to_have_attribute("data-state", "invalid")
    expect(page.locator("#drop-image .problems")).to_contain_text(
        "image_url: width and height at least 300 px (got 200×200)"
    )
    expect(page.locator("#drop-video .problems")).to_contain_text("video_url: duration at least 3 s (got 2.0 s)")
    expect(page.locator("#submit")).to_be_disabled()
    expect(page.locator("#submit-hint")).to_contain_text("at least 300 px")
    shot(page, "3-rejected")

    # Too wide for the documented aspect ratio.
    choose(page, make_image(tmp_path / "wide.jpg", 1200, 400))
    expect(page.locator("#drop-image .problems")).to_contain_text(
        "image_url: aspect ratio between 1:2.5 and 2.5:1 (got 1200×400)"
    )
    assert uploads == []

    # What the browser cannot tell, the server does: a WebP named .png passes the page's checks, and
    # the upload answers with the server's rule, shown in the same place.
    fake = tmp_path / "fake.png"
    make_image(tmp_path / "real.png", 640, 640).rename(fake)
    from PIL import Image

    Image.open(fake).save(fake, format="WEBP")
    choose(page, fake)
    expect(page.locator("#drop-image")).to_have_attribute("data-state", "invalid")
    expect(page.locator("#drop-image .problems")).to_contain_text("file:")
    assert len(uploads) == 1
    uploads.clear()

    # A 12 s driver is fine for orientation "video" but not for "image" (at most 10 s).
    dance = SHARED / "pairs" / "fullbody_cartoon" / "video.mp4"
    if dance.exists():
        choose(page, video=dance)
        expect(page.locator("#drop-video .problems")).to_contain_text(
            "duration at most 10 s with character_orientation=image (got 12.0 s)"
        )
        # Nothing rejected was uploaded, and no task exists.
        assert uploads == []
        page.click("[data-field=character_orientation] label:has-text('Video')")
        expect(page.locator("#drop-video")).to_have_attribute("data-state", "ready")
        assert len(uploads) == 1
    assert uploads.count(server.base + "/v1/files") == len(uploads)
    assert len(server.tasks()) == before


def test_generate_watch_play_compare_edit_delete_and_history(
    page: Any, server: Server, shot: Shot, tmp_path: Path
) -> None:
    sign_in(page, server)
    choose(page, ELF / "image.jpeg", ELF / "video.mp4")
    expect(page.locator("#drop-image")).to_have_attribute("data-state", "ready")
    expect(page.locator("#drop-video")).to_have_attribute("data-state", "ready")
    expect(page.locator("#drop-video .facts")).to_contain_text("1920×1080 · 3.5 s")
    expect(page.locator("#submit")).to_be_enabled(timeout=30_000)  # uploads are validated first
    shot(page, "2-files-chosen")

    # Copy as cURL shows the exact request, with the uploaded URLs and the form's values.
    page.click("#copy-curl")
    snippet = page.locator("#snippet").text_content() or ""
    body = json.loads(snippet.split("--data-raw '", 1)[1].rsplit("'", 1)[0])
    assert body["character_orientation"] == "image" and body["mode"] == "std"
    assert body["keep_original_sound"] == "yes" and body["watermark_info"] == {"enabled": False}
    assert "/v1/files/" in body["image_url"] and "/v1/files/" in body["video_url"]
    assert server.api_key not in snippet  # the key comes from $MOTIONCTL_API_KEY, never the clipboard

    page.click("#submit")
    page.wait_for_function("['submitted','processing'].includes(document.querySelector('#result').dataset.state)")
    first_id = page.locator("#result .task-id").text_content()
    seen = wait_for_result(page, midway=lambda: shot(page, "4-running"))
    assert page.get_attribute("#result", "data-state") == "succeed", page.locator("#result").inner_text()
    assert seen[-1] == 100 and len(seen) >= 2, seen  # the page showed progress move without a reload

    # The result plays: frames decode and time advances.
    video = page.locator("[data-testid=result-video]")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=result-video]');"
        " return v.readyState >= 2 && v.currentTime > 0.5; }"
    )
    assert video.evaluate("v => v.videoWidth") > 0
    video.evaluate("v => { v.pause(); v.currentTime = 1.0; }")
    shot(page, "5-done")

    # Compare the driver with the result: one transport drives both.
    page.click("#result button:has-text('Compare with driver')")
    expect(page.locator("#compare")).to_be_visible()
    expect(page.locator("#compare figcaption").first).to_have_text("Driving video")
    page.click("#compare button:has-text('Play both')")
    page.wait_for_function(
        "[...document.querySelectorAll('#compare video')].every(v => v.currentTime > 0.6)", timeout=15_000
    )
    a, b = playing_time(page, "#compare video")
    assert abs(a - b) < 0.3, (a, b)
    page.click("#compare button:has-text('Close')")

    # The download link serves the MP4.
    href = page.get_attribute("#result a[data-link=video]", "href") or ""
    got = httpx.get(href, timeout=30)
    assert got.status_code == 200 and got.headers["content-type"] == "video/mp4" and len(got.content) > 10_000

    # Edit inputs: the same files (already on the server) back in the form; turn the watermark on.
    page.click("#result button:has-text('Edit inputs')")
    expect(page.locator("#drop-image .drop-status")).to_contain_text("On the server")
    expect(page.locator("#drop-image .name")).to_have_text("image.jpeg")  # the name it was uploaded with
    expect(page.locator("#drop-video")).to_have_attribute("data-state", "ready")
    page.click("[data-field='watermark_info.enabled'] .switch")
    # The request shown follows the form.
    expect(page.locator("#snippet")).to_contain_text('"enabled": true')
    expect(page.locator("#submit")).to_be_enabled(timeout=30_000)  # uploads are validated first
    page.click("#submit")
    page.wait_for_function(f"document.querySelector('#result .task-id')?.textContent !== {json.dumps(first_id)}")
    second_id = page.locator("#result .task-id").text_content()
    wait_for_result(page)
    assert page.get_attribute("#result", "data-state") == "succeed"
    href = page.get_attribute("#result a[data-link=watermark]", "href") or ""
    assert httpx.get(href, timeout=30).headers["content-type"] == "video/mp4"
    expect(page.locator("#history-counts")).to_have_text("0 running · 2 completed")
    tasks = {t["task_id"]: t for t in server.tasks()}
    assert set(tasks) == {first_id, second_id}
    assert tasks[second_id]["watermark_info"] == {"enabled": True}
    strip = lambda u: u.split("?")[0]  # noqa: E731 - signed URLs differ only in their query
    for field in ("image_url", "video_url"):
        assert strip(tasks[second_id]["task_info"][field]) == strip(tasks[first_id]["task_info"][field])

    # Compare two results side by side, in sync.
    for task_id in (first_id, second_id):
        page.click(f".task[data-task-id='{task_id}'] button:has-text('Compare')")
    expect(page.locator("#compare")).to_be_visible()
    page.click("#compare button:has-text('Play both')")
    page.wait_for_function(
        "[...document.querySelectorAll('#compare video')].every(v => v.currentTime > 0.8)", timeout=15_000
    )
    a, b = playing_time(page, "#compare video")
    assert abs(a - b) < 0.3, (a, b)
    page.click("#compare button:has-text('Pause')")
    page.eval_on_selector_all("#compare video", "vs => vs.forEach(v => v.currentTime = 1.5)")
    shot(page, "6-compare")
    page.click("#compare button:has-text('Close')")

    # The copied cURL request runs as is (outside the browser) and makes a task the page lists.
    curl = shutil.which("curl")
    if curl is not None:
        out = subprocess.run(
            ["bash", "-c", snippet], env={**os.environ, "MOTIONCTL_API_KEY": server.api_key},
            capture_output=True, text=True, timeout=60, check=True,
        )
        made = json.loads(out.stdout)
        assert made["code"] == 0, out.stdout
        third_id = made["data"]["task_id"]
        item = page.locator(f".task[data-task-id='{third_id}']")
        expect(item).to_be_visible(timeout=15_000)
        item.locator("button:has-text('Delete')").click()
        expect(item).to_have_count(0)
        assert third_id not in {t["task_id"] for t in server.tasks()}

    # After a reload the history still has both results, with thumbnails, and the last one is shown.
    page.reload()
    expect(page.locator(".task")).to_have_count(2)
    for task_id in (first_id, second_id):
        expect(page.locator(f".task[data-task-id='{task_id}'] .chip")).to_have_text("Done")
    expect(page.locator("#history-counts")).to_have_text("0 running · 2 completed")
    expect(page.locator("#result .task-id")).to_have_text(second_id or "")
    # Each thumbnail shows a frame of its video (the page's default 20 s ran out once in CI, on a busy machine).
    page.wait_for_function("[...document.querySelectorAll('.thumb video')].every(v => v.readyState >= 2)",
                           timeout=60_000)
    shot(page, "7-history")

    # Phone width: everything stacks, nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#submit")).to_be_visible()
    shot(page, "8-phone")


def test_a_failed_task_says_why(page: Any, server: Server, shot: Shot) -> None:
    """A child's drawing passes every file limit, but the engine finds no person in it."""
    drawing = SHARED / "characters" / "drawn_char1" / "texture.png"
    if not drawing.exists():
        pytest.skip("../shared/testdata/characters is absent")
    sign_in(page, server)
    choose(page, drawing, ELF / "video.mp4")
    expect(page.locator("#submit")).to_be_enabled(timeout=30_000)  # uploads are validated first
    page.click("#submit")
    wait_for_result(page)
    assert page.get_attribute("#result", "data-state") == "failed"
    alert = page.locator("#result .alert")
    expect(alert).to_contain_text("Generation failed")
    reason = (alert.locator("p").text_content() or "").strip()
    task = next(t for t in server.tasks() if t["task_status"] == "failed")
    assert reason == task["task_status_msg"] and reason  # the server's own words, not a generic error
    item = page.locator(f".task[data-task-id='{task['task_id']}']")
    expect(item.locator(".task-error")).to_have_text(reason)
    expect(page.locator("#history-counts")).to_contain_text("1 failed")
    shot(page, "9-failed")

    # Re-run: the same request again, and the same reason.
    first_id = task["task_id"]
    page.click("#result button:has-text('Re-run')")
    page.wait_for_function(f"document.querySelector('#result .task-id')?.textContent !== {json.dumps(first_id)}")
    wait_for_result(page)
    expect(page.locator("#result .alert p")).to_have_text(reason)
    expect(page.locator("#history-counts")).to_contain_text("2 failed")

    # "Copy as Python" is a runnable program: it submits the same request and reports the outcome.
    page.click("#result button:has-text('Copy as Python')")
    program = page.locator("#snippet").text_content() or ""
    out = subprocess.run(
        [sys.executable, "-c", program], env={**os.environ, "MOTIONCTL_API_KEY": server.api_key},
        capture_output=True, text=True, timeout=GENERATION_TIMEOUT_S, check=True,
    )
    assert f"failed {reason}" in out.stdout, out.stdout + out.stderr
    expect(page.locator("#history-counts")).to_contain_text("3 failed", timeout=30_000)
