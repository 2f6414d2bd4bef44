"""Submit-time input handling, before any task row exists, in two steps:

1. ``fetch_*``: get the input onto local disk (download a URL, decode raw base64) or find our own
   upload. Only I/O: the API runs it in its own threads, where a slow sender holds one thread of
   its own account and nothing else.
2. ``check``: validate with the documented media limits and store content-addressed. This decodes
   untrusted media, so the API runs it in separate processes (intake_pool.py).
"""

from __future__ import annotations

import base64
import binascii
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from motionctl.core import limits
from motionctl.core.errors import InvalidInput, MotionctlError, rule_violation
from motionctl.storage import LocalStorage, UrlSigner
from motionctl.storage.local import is_key
from motionctl.tasks.download import AddressPolicy, fetch
from motionctl.tasks.guard import parse_url

_B64 = re.compile(r"^[A-Za-z0-9+/=_\-\s]+$")


def sniff_ext(head: bytes) -> str | None:
    """File type from magic bytes: the stored key's extension and the validator's hint."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"  # element creation's face videos only (seed 004)
    return None


def _preview(value: str) -> str:
    return value if len(value) <= 60 else value[:60] + "..."


# Validation results are cached per content hash, rule set and given extension: resubmitting the
# same file (retries, idempotent clients, load tests) skips the expensive decode checks. Bump when
# the media limits or validators change.
VALIDATION_VERSION = "2"


@dataclass(frozen=True)
class Fetched:
    """An input fetched but not yet validated: a file in its own scratch directory, or ``key`` when
    it is an upload already stored here. Plain data, so it crosses to a validation process."""

    field: str
    kind: str  # the rule set: "image", "video-image", "video-video", "upload-image", "upload-video"
    path: str = ""  # the file to validate and store ("" when ``key`` is set)
    ext: str = ""
    given: str | None = None  # the file name the user gave (the extension rule applies to it)
    key: str = ""

    def discard(self) -> None:
        """Remove the scratch directory (after storing, or when the submission is refused)."""
        if self.path:
            shutil.rmtree(Path(self.path).parent, ignore_errors=True)


@dataclass
class Intake:
    storage: LocalStorage
    signer: UrlSigner
    policy: AddressPolicy
    max_seconds: float = 60.0
    max_redirects: int = 5
    min_coverage: float = 0.0  # the character's least share of the image (seed 003: more than 5%)

    # -- the whole job in the calling thread (tests, the CLI, `intake_processes=0`) ----------------
    def image(self, value: str, *, own_bases: tuple[str, ...] = (), field: str = "image_url") -> str:
        return self.check(self.fetch_image(value, own_bases=own_bases, field=field))

    def video(self, value: str, orientation: str, *, own_bases: tuple[str, ...] = (), field: str = "video_url") -> str:
        return self.check(self.fetch_video(value, orientation, own_bases=own_bases, field=field))

    # -- step 1: fetch ----------------------------------------------------------------------------
    def fetch_image(self, value: str, *, own_bases: tuple[str, ...] = (), field: str = "image_url") -> Fetched:
        if value.startswith(("http://", "https://")):
            parse_url(value, field)
            key = self._own_upload(value, own_bases, field)
            if key is not None:
                return Fetched(field, "image", key=key)
            return self._download(value, field, limits.IMAGE_MAX_BYTES, "image")
        if value.lstrip().lower().startswith("data:"):
            raise rule_violation(
                InvalidInput,
                field,
                "raw base64 without a data: URI prefix",
                _preview(value),
                detail="drop everything up to and including the comma, e.g. send 'iVBORw0KGgo...' "
                "instead of 'data:image/png;base64,iVBORw0KGgo...'",
            )
        data = self._decode_base64(value, field)
        ext = sniff_ext(data[:16])
        if ext not in ("jpg", "png"):
            raise rule_violation(InvalidInput, field, "base64 of a .jpg/.jpeg/.png image", _preview(value))
        path = self.storage.scratch_dir() / f"image.{ext}"
        path.write_bytes(data)
        return Fetched(field, "image", path=str(path), ext=ext)

    def fetch_video(
        self, value: str, orientation: str, *, own_bases: tuple[str, ...] = (), field: str = "video_url"
    ) -> Fetched:
        from motionctl.core.types import Orientation

        if not value.startswith(("http://", "https://")):
            raise rule_violation(InvalidInput, field, "an http(s) URL", _preview(value))
        parse_url(value, field)
        kind = f"video-{Orientation(orientation).value}"
        key = self._own_upload(value, own_bases, field)
        if key is not None:
            return Fetched(field, kind, key=key)
        return self._download(value, field, limits.VIDEO_MAX_BYTES, kind)

    def element_video(self, value: str, *, own_bases: tuple[str, ...] = (),
                      field: str = "model_params.element_video_list.video_url") -> str:
        """An element's face video (seed 004: MP4/MOV/WEBM, <=100 MB, 720-2160 px, <=8 s), stored."""
        return self.check(self.fetch_element_video(value, own_bases=own_bases, field=field))

    def fetch_element_video(self, value: str, *, own_bases: tuple[str, ...] = (),
                            field: str = "model_params.element_video_list.video_url") -> Fetched:
        if not value.startswith(("http://", "https://")):
            raise rule_violation(InvalidInput, field, "an http(s) URL", _preview(value))
        parse_url(value, field)
        key = self._own_upload(value, own_bases, field)
        if key is not None:
            return Fetched(field, "element-video", key=key)
        return self._download(value, field, limits.ELEMENT_VIDEO_MAX_BYTES, "element-video")

    # -- step 2: check and store ------------------------------------------------------------------
    def check(self, item: Fetched) -> str:
        """Validate (unless this content passed the same rules before) and store; the key. Nothing
        is stored when validation fails; the scratch file is gone either way."""
        try:
            if item.key:
                return self._check_stored(item)
            return self._store_checked(item)
        finally:
            item.discard()

    def _validate(self, item: Fetched, path: Path) -> None:
        """The kind's rules: "image" (and the character's coverage), "video-<orientation>", or an
        upload's ("upload-image", "upload-video": the media limits only; a submission using the
        upload applies its own kind's rules to it)."""
        from motionctl.core.types import Orientation
        from motionctl.media.validate import validate_image, validate_video  # parses untrusted files

        kind = item.kind.removeprefix("upload-")
        if kind == "element-video":
            from motionctl.media.validate import validate_element_video

            validate_element_video(path, item.field, name=item.given)
        elif kind == "image":
            validate_image(path, field=item.field, name=item.given)
            if not item.kind.startswith("upload-"):
                from motionctl.tasks.coverage import check_coverage

                check_coverage(path, self.min_coverage, item.field)
        elif kind == "video":
            validate_video(path, Orientation.VIDEO, field=item.field, name=item.given)
        else:
            validate_video(path, Orientation(kind.split("-", 1)[1]), field=item.field, name=item.given)

    def _store_checked(self, item: Fetched) -> str:
        path = Path(item.path)
        key = self.storage.key_of(path, item.ext)
        given = Path(item.given).suffix.lower().lstrip(".") if item.given else "-"
        tag = f"{item.kind}.{given}.v{VALIDATION_VERSION}"
        if not (self.storage.has_mark(key, tag) and self.storage.exists(key)):
            self._validate(item, path)
        key = self.storage.put_file(path, item.ext, move=True, key=key)
        self.storage.mark(key, tag)
        return key

    def video_seconds(self, key: str) -> float:
        """A stored, validated video's duration (what a submission's units estimate is based on)."""
        from motionctl.media.probe import video_duration

        return video_duration(self.storage.open_path(key))

    def _check_stored(self, item: Fetched) -> str:
        tag = f"{item.kind}.-.v{VALIDATION_VERSION}"
        if not self.storage.has_mark(item.key, tag):
            self._validate(replace(item, given=None), self.storage.open_path(item.key))
            self.storage.mark(item.key, tag)
        return item.key

    # -- internals --------------------------------------------------------------------------------
    def _decode_base64(self, value: str, field: str) -> bytes:
        compact = "".join(value.split())
        if not compact or not _B64.match(compact):
            raise rule_violation(InvalidInput, field, "an http(s) URL or raw base64", _preview(value))
        if len(compact) * 3 // 4 > limits.IMAGE_MAX_BYTES:
            raise rule_violation(InvalidInput, field, "image of at most 10 MB", f"{len(compact) * 3 // 4} bytes")
        try:
            if "-" in compact or "_" in compact:
                return base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
            return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise rule_violation(InvalidInput, field, "valid base64", _preview(value)) from None

    def _own_upload(self, url: str, own_bases: tuple[str, ...], field: str) -> str | None:
        """The blob key when ``url`` is a signed /v1/files URL of this server, else None."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if not parts.path.startswith("/v1/files/") or origin not in {b.rstrip("/").lower() for b in own_bases}:
            return None
        key = parts.path[len("/v1/files/") :]
        if not is_key(key):
            return None
        q = parse_qs(parts.query)
        try:
            self.signer.verify(parts.path, q.get("expires", [None])[0], q.get("sig", [None])[0])
        except MotionctlError as exc:
            raise InvalidInput(f"{field}: {exc.message} (got {_preview(url)})", field=field, value=url) from None
        if not self.storage.exists(key):
            raise rule_violation(InvalidInput, field, "an existing upload (uploads expire)", _preview(url))
        return key

    def _download(self, url: str, field: str, max_bytes: int, kind: str) -> Fetched:
        scratch = self.storage.scratch_dir()
        try:
            raw = fetch(
                url,
                scratch / "download",
                field=field,
                max_bytes=max_bytes,
                max_seconds=self.max_seconds,
                policy=self.policy,
                max_redirects=self.max_redirects,
            )
            with open(raw, "rb") as f:
                head = f.read(16)
            suffix = Path(urlsplit(url).path).suffix.lower().lstrip(".")
            ext = sniff_ext(head) or (suffix if suffix.isalnum() and len(suffix) <= 5 else "bin")
            path = raw.rename(scratch / f"input.{ext}")
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        # The extension rule applies to the name the user gave; a URL without one (signed CDN
        # links) is judged by its content alone.
        given = Path(urlsplit(url).path).name if suffix.isalpha() and len(suffix) <= 4 else None
        return Fetched(field, kind, path=str(path), ext="jpg" if ext == "jpeg" else ext, given=given)
