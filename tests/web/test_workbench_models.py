"""The workbench with the models catalogue: a unified model picked from GET /v1/models (its form and
body in its own field names), the request's estimated units and the account's balance, live
progress over server-sent events, and Cancel (the task fails as cancelled; nothing is charged)."""

from __future__ import annotations

import json
from typing import Any

from test_workbench_browser import choose
from wb_browser import browser_marks, expect
from wb_server import ELF, Server, sign_in

pytestmark = browser_marks(600)


def test_unified_model_sse_progress_cancel_and_balance(page: Any, server: Server) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, server)
    page.wait_for_function("document.querySelectorAll('#model option').length >= 4")  # the catalogue loaded
    options = page.locator("#model option").evaluate_all("os => os.map(o => o.value)")
    assert {"kling/kling-v3-motion-control", "kling-video-v3-pro-motion-control", "kling-v2-6"} <= set(options)
    expect(page.locator("[data-testid=balance]")).to_contain_text("units used")
    balance = page.locator("[data-testid=balance]").text_content()

    page.select_option("#model", "kling/kling-v3-motion-control")
    expect(page.locator("#params [data-field=mode]")).to_be_hidden()  # seed 000 has no mode
    expect(page.locator("#params [data-field=watermark_info]")).to_be_hidden()
    page.click("[data-field=resolution] label:has-text('1080P')")
    choose(page, ELF / "image.jpeg", ELF / "video.mp4")
    expect(page.locator("#submit")).to_be_enabled(timeout=30_000)  # uploads are validated first
    expect(page.locator("[data-testid=estimate]")).to_have_text(
        "Estimated: at most 0.4011 units (3.5 s × 0.1134 units/s)"  # the clip is 3.537 s; seed 004's price
    )

    page.select_option("#snippet-mode", "sse")
    page.click("#copy-curl")
    snippet = page.locator("#snippet").text_content() or ""
    assert "/v1/videos/generations" in snippet and "Accept: text/event-stream" in snippet
    body = json.loads(snippet.split("--data-raw '", 1)[1].rsplit("'", 1)[0])
    assert body["model"] == "kling/kling-v3-motion-control" and body["resolution"] == "1080P"
    # Seed 000's defaults, as its schema gives them.
    assert body["extra_params"] == {"character_orientation": "video"} and body["generate_audio"] is False

    page.click("#submit")
    page.wait_for_function("document.body.dataset.following")
    # Progress arrives over the event stream: the page shows it moving without polling the task.
    page.wait_for_function(
        "() => { const p = document.querySelector('#result [data-testid=progress]');"
        " return p && parseInt(p.textContent) >= 10; }",
        timeout=300_000,
    )
    tid = page.locator("#result .task-id").text_content()
    assert any(u.endswith(f"/v1/videos/generations/task_{tid}/events") for u in requests)
    assert not any(u.endswith(f"/v1/videos/motion-control/{tid}") for u in requests)
    page.click("[data-testid=cancel]")
    expect(page.locator("#result")).to_have_attribute("data-state", "failed", timeout=30_000)
    expect(page.locator("#result")).to_contain_text("cancelled by the user")
    expect(page.locator("[data-testid=balance]")).to_have_text(balance or "")
