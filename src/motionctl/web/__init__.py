"""The workbench: one static page that drives the public HTTP API from the browser.

The page is plain HTML + CSS + ES modules (no build step, no CDN), so it works offline. It talks to
the service only through the documented endpoints (`/v1/files`, `/v1/videos/motion-control...`) with
the API key the user signs in with; nothing here reaches into tasks/ or storage/.

The only server-side piece besides static files is `limits.js`, generated from core/limits.py so the
checks the page makes before uploading can never drift from the ones the server makes after.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from motionctl.core import limits

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static/workbench"


def limits_payload() -> dict[str, object]:
    """The documented limits, as the page's schema needs them."""
    return {
        "image": {
            "formats": list(limits.IMAGE_FORMATS),
            "maxBytes": limits.IMAGE_MAX_BYTES,
            "minSide": limits.IMAGE_MIN_SIDE,
            "maxSide": limits.IMAGE_MAX_SIDE,
            "minAspect": limits.IMAGE_MIN_ASPECT,
            "maxAspect": limits.IMAGE_MAX_ASPECT,
        },
        "video": {
            "formats": list(limits.VIDEO_FORMATS),
            "maxBytes": limits.VIDEO_MAX_BYTES,
            "minSide": limits.VIDEO_MIN_SIDE,
            "maxSide": limits.VIDEO_MAX_SIDE,
            "minSeconds": limits.VIDEO_MIN_SECONDS,
            "maxSeconds": dict(limits.VIDEO_MAX_SECONDS),
        },
        "modeResolution": dict(limits.MODE_RESOLUTION),
        "resolutionShortSide": dict(limits.RESOLUTION_SHORT_SIDE),
        "promptMaxChars": limits.PROMPT_MAX_CHARS,
        "element": {
            "formats": list(limits.ELEMENT_VIDEO_FORMATS),
            "maxBytes": limits.ELEMENT_VIDEO_MAX_BYTES,
            "minSide": limits.ELEMENT_VIDEO_MIN_SIDE,
            "maxSide": limits.ELEMENT_VIDEO_MAX_SIDE,
            "maxSeconds": limits.ELEMENT_VIDEO_MAX_SECONDS,
            "nameMaxChars": limits.ELEMENT_NAME_MAX_CHARS,
            "descriptionMaxChars": limits.ELEMENT_DESCRIPTION_MAX_CHARS,
        },
    }


def limits_module() -> str:
    return "// Generated from motionctl.core.limits — do not edit.\nexport const LIMITS = " + json.dumps(
        limits_payload(), indent=2
    ) + ";\n"


def install(app: FastAPI) -> None:
    """Serve the workbench at `/` and its assets under `/static/workbench/`."""
    # Revalidate on every load: a fresh `motionctl serve` must never run yesterday's cached JS.
    no_cache = {"Cache-Control": "no-cache"}
    limits_js = limits_module()

    @app.get("/", include_in_schema=False)
    def workbench_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=no_cache)

    # Registered before the mount so it wins over the static directory.
    @app.get(f"{STATIC_PREFIX}/limits.js", include_in_schema=False)
    def workbench_limits() -> Response:
        return Response(limits_js, media_type="text/javascript", headers=no_cache)

    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="workbench-static")
