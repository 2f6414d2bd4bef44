"""The workbench's Elements panel (seed 004): a face video checked in the page before upload (the
512 px original refused with the rule, a name over 20 characters too), a 720 px one made into an
element whose views show as thumbnails, the element picked in the form with orientation video (the
request's element_list), and deleted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
from wb_browser import browser_marks, expect
from wb_server import SHARED, Server, sign_in

from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder

D3 = SHARED / "faces" / "driving_d3.mp4"

pytestmark = browser_marks(600, needs=D3)


def face_720(folder: Path) -> Path:
    """4 s of the d3 face clip from 3.8 s, scaled to 720x720 at 15 fps with the media layer."""
    out = folder / "face_720.mp4"
    with VideoEncoder(out, 720, 720, 15.0, preset="ultrafast") as enc:
        for n, f in enumerate(iter_frames(D3, max_fps=15.0, start=3.8)):
            if n >= 60:
                break
            enc.write(cv2.resize(f.rgb, (720, 720), interpolation=cv2.INTER_CUBIC))
    return out


def test_create_view_pick_and_delete_an_element(page: Any, server: Server, tmp_path: Path) -> None:
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if r.url.endswith("/v1/files") else None)
    sign_in(page, server)
    panel = page.locator("[data-testid=elements]")
    create = panel.locator("[data-testid=element-create]")
    problems = panel.locator("[data-testid=element-problems]")

    page.fill("[data-testid=element-name]", "Sam")
    page.set_input_files("[data-testid=element-file]", str(D3))
    expect(problems).to_contain_text(
        "element_video_list: width and height must each be between 720 and 2160 px (got 512×512)")
    expect(create).to_be_disabled()

    page.set_input_files("[data-testid=element-file]", str(face_720(tmp_path)))
    page.fill("[data-testid=element-name]", "x" * 21)
    expect(problems).to_have_text("element_name: at most 20 characters (got 21)")
    expect(create).to_be_disabled()
    assert uploads == []  # nothing left the page while a rule was broken

    page.fill("[data-testid=element-name]", "Sam")
    expect(create).to_be_enabled()
    create.click()
    expect(panel.locator("[data-testid=element-status]")).to_have_text("ready", timeout=300_000)
    views = panel.locator("[data-testid=element-views] img")
    assert views.count() >= 3
    page.wait_for_function("[...document.querySelectorAll('[data-testid=element-views] img')]"
                           ".every(i => i.complete && i.naturalWidth === 256)")
    element_id = panel.locator("li.element").get_attribute("data-element")

    # The picker: only with orientation video.
    expect(page.locator("#element-field")).to_be_hidden()
    page.click("[data-field=character_orientation] label:has-text('Video')")
    expect(page.locator("#element-field")).to_be_visible()
    page.select_option("#element", element_id)
    page.click("#copy-curl")
    snippet = page.locator("#snippet").text_content() or ""
    body = json.loads(snippet.split("--data-raw '", 1)[1].rsplit("'", 1)[0])
    assert body["element_list"] == [{"element_id": element_id}]
    assert body["character_orientation"] == "video"

    panel.locator("[data-testid=element-delete]").click()
    expect(panel.locator("li.element")).to_have_count(0)
    expect(page.locator("#element-field")).to_be_hidden()
    assert server.api("GET", "/v1/elements") == []
