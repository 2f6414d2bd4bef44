"""``POST /v1/files`` stores an upload and returns a signed URL accepted as image_url/video_url;
``GET /v1/files/{key}`` serves any stored blob (inputs, results) behind a signed, expiring URL,
with HTTP Range support (Starlette's FileResponse)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse

from motionctl.core import limits
from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.intake import Fetched, sniff_ext

from .auth import AccountDep
from .errors import envelope
from .gate import Gate
from .services import ServicesDep, base_url

router = APIRouter(tags=["files"])
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "mp4": "video/mp4", "mov": "video/quicktime",
               "webm": "video/webm"}


async def _spool(file: UploadFile, dest: Path) -> int:
    size = 0
    with open(dest, "wb") as out:
        while chunk := await file.read(1024 * 1024):
            size += len(chunk)
            if size > limits.VIDEO_MAX_BYTES:
                raise rule_violation(InvalidInput, "file", "at most 100 MB", f"more than {size} bytes")
            out.write(chunk)
    return size


def _fetched(dest: Path, size: int, name: str | None) -> Fetched:
    """The spooled upload as an input to validate against the media limits (a video under the most
    permissive orientation's); a submission using it applies its own rules too."""
    with open(dest, "rb") as f:
        ext = sniff_ext(f.read(16))
    if ext is None:
        raise rule_violation(InvalidInput, "file", "a .jpg/.jpeg/.png image or .mp4/.mov video", name or "unnamed")
    if ext in ("jpg", "png") and size > limits.IMAGE_MAX_BYTES:
        raise rule_violation(InvalidInput, "file", "an image of at most 10 MB", f"{size} bytes")
    kind = "upload-image" if ext in ("jpg", "png") else "upload-video"
    given = name if name and Path(name).suffix else None
    return Fetched("file", kind, path=str(dest), ext=ext, given=given)


@router.post("/v1/files", summary="Upload an image or video; returns a URL for image_url/video_url")
async def upload_file(
    request: Request,
    file: Annotated[UploadFile, File(description=".jpg/.png image (≤10 MB) or .mp4/.mov video (≤100 MB)")],
    account: AccountDep,
    services: ServicesDep,
) -> dict[str, Any]:
    """The upload is checked like a submitted input (format, size, sides, duration, decodable)
    before it is stored; the account's upload rate and daily byte quota apply."""
    gate: Gate = request.app.state.gate
    gate.upload_limiter.check(account.id)
    dest = services.storage.scratch_dir() / "upload"
    try:
        size = await _spool(file, dest)
        gate.upload_quota.charge(account.id, size)
        key = await gate.run(gate.fetcher.check, _fetched(dest, size, file.filename))
    finally:
        shutil.rmtree(dest.parent, ignore_errors=True)
    url = services.signer.sign(base_url(request, services), f"/v1/files/{key}")
    content_type = MEDIA_TYPES[key.rsplit(".", 1)[-1]]
    data = {"file_id": key, "url": url, "size": size, "content_type": content_type, "name": file.filename}
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
