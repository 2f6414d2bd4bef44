"""``POST /v1/files`` stores an upload and returns a signed URL accepted as image_url/video_url;
``GET /v1/files/{key}`` serves any stored blob (inputs, results) behind a signed, expiring URL,
with HTTP Range support (Starlette's FileResponse)."""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from motionctl.core import limits
from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.intake import sniff_ext

from .auth import AccountDep
from .errors import envelope
from .services import ServicesDep, base_url

router = APIRouter(tags=["files"])
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "mp4": "video/mp4", "mov": "video/quicktime",
               "webm": "video/webm"}


# Refused while streaming, before the multipart parser spools an oversized upload to disk.
MAX_UPLOAD_BODY = limits.VIDEO_MAX_BYTES + 1024 * 1024  # the file plus multipart overhead


@router.post(
    "/v1/files",
    summary="Upload an image or video; returns a URL for image_url/video_url",
    max_body_size=MAX_UPLOAD_BODY,
)
async def upload_file(
    request: Request,
    file: Annotated[UploadFile, File(description=".jpg/.png image (≤10 MB) or .mp4/.mov video (≤100 MB)")],
    account: AccountDep,
    services: ServicesDep,
) -> dict[str, Any]:
    scratch = services.storage.scratch_dir()
    try:
        dest = scratch / "upload"
        size = 0
        with open(dest, "wb") as out:
            while chunk := await file.read(1024 * 1024):
                size += len(chunk)
                if size > limits.VIDEO_MAX_BYTES:
                    raise rule_violation(InvalidInput, "file", "at most 100 MB", f"more than {size} bytes")
                out.write(chunk)
        with open(dest, "rb") as f:
            ext = sniff_ext(f.read(16))
        if ext is None:
            raise rule_violation(
                InvalidInput, "file", "a .jpg/.jpeg/.png image or .mp4/.mov video", file.filename or "unnamed"
            )
        if ext in ("jpg", "png") and size > limits.IMAGE_MAX_BYTES:
            raise rule_violation(InvalidInput, "file", "an image of at most 10 MB", f"{size} bytes")
        key = await run_in_threadpool(services.storage.put_file, dest, ext, move=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    url = services.signer.sign(base_url(request), f"/v1/files/{key}")
    data = {"file_id": key, "url": url, "size": size, "content_type": MEDIA_TYPES[ext], "name": file.filename}
    return envelope(request, data)


@router.get("/v1/files/{key}", summary="Download a stored file (signed URL, Range supported)")
@router.head("/v1/files/{key}", include_in_schema=False)
def get_file(
    key: str, services: ServicesDep, expires: str | None = None, sig: str | None = None
) -> FileResponse:
    services.signer.verify(f"/v1/files/{key}", expires, sig)
    path = services.storage.open_path(key)
    ext = key.rsplit(".", 1)[-1]
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(ext, "application/octet-stream"),
        headers={"Cache-Control": "private, max-age=3600"},
    )
