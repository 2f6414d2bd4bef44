"""The workbench is served by `install(app)`: page, assets and limits, with nothing fetched from
outside (it must work offline)."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from motionctl.core import limits
from motionctl.web import STATIC_DIR, install


def client() -> TestClient:
    app = FastAPI()
    install(app)
    return TestClient(app)


def test_page_and_every_asset_it_references_are_served() -> None:
    c = client()
    page = c.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    refs = re.findall(r'(?:src|href)="(/static/workbench/[^"]+)"', page.text)
    assert "/static/workbench/app.js" in refs
    for ref in refs:
        assert c.get(ref).status_code == 200, ref
    # Every module the page imports is served too (relative ES module imports).
    for js in STATIC_DIR.glob("*.js"):
        for dep in re.findall(r'from "\./([\w.]+)"', js.read_text()):
            r = c.get(f"/static/workbench/{dep}")
            assert r.status_code == 200, (js.name, dep)
            assert "javascript" in r.headers["content-type"]


def test_limits_module_is_generated_from_core_limits() -> None:
    text = client().get("/static/workbench/limits.js").text
    payload = json.loads(text.split("export const LIMITS = ", 1)[1].rstrip().rstrip(";"))
    assert payload["image"]["minSide"] == limits.IMAGE_MIN_SIDE
    assert payload["image"]["maxBytes"] == limits.IMAGE_MAX_BYTES
    assert payload["image"]["maxAspect"] == limits.IMAGE_MAX_ASPECT
    assert payload["video"]["maxSeconds"] == limits.VIDEO_MAX_SECONDS
    assert payload["video"]["minSeconds"] == limits.VIDEO_MIN_SECONDS
    assert payload["modeResolution"] == limits.MODE_RESOLUTION
    assert payload["promptMaxChars"] == limits.PROMPT_MAX_CHARS


def test_nothing_is_loaded_from_another_origin() -> None:
    for f in STATIC_DIR.iterdir():
        text = f.read_text()
        # The only absolute URL allowed is the SVG namespace identifier (never fetched).
        urls = [u for u in re.findall(r"https?://[^\s\"')]+", text) if u != "http://www.w3.org/2000/svg"]
        assert urls == [], (f.name, urls)


def test_static_files_are_flat_so_package_data_ships_them() -> None:
    # pyproject.toml ships "web/static/*": a subdirectory would be missing from the wheel.
    assert all(p.is_file() for p in STATIC_DIR.iterdir())
