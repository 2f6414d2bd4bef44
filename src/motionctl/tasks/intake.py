"""Submit-time input handling: fetch (URL, raw base64 or our own upload URL), validate with the
documented media limits, and store content-addressed, before any task row exists."""

from __future__ import annotations

import base64
import binascii
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from motionctl.core import limits
from motionctl.core.errors import InvalidInput, MotionctlError, rule_violation
from motionctl.storage import LocalStorage, UrlSigner
from motionctl.storage.local import is_key
from motionctl.tasks.download import AddressPolicy, fetch

Check = Callable[[Path, str | None], None]  # (file, name the user gave) -> raises MediaRejected
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
    return None


def _preview(value: str) -> str:
    return value if len(value) <= 60 else value[:60] + "..."


# Validation results are cached per content hash, rule set and given extension: resubmitting the
# same file (retries, idempotent clients, load tests) skips the expensive decode checks. Bump when
# the media limits or validators change.
VALIDATION_VERSION = "2"


@dataclass
class Intake:
    storage: LocalStorage
    signer: UrlSigner
    policy: AddressPolicy
    max_seconds: float = 60.0
    max_redirects: int = 5
    min_coverage: float = 0.0  # the character's least share of the image (seed 003: more than 5%)

    def image(self, value: str, *, own_bases: tuple[str, ...] = (), field: str = "image_url") -> str:
        from motionctl.media.validate import validate_image  # media parses untrusted files; load on use
        from motionctl.tasks.coverage import check_coverage

        def check(path: Path, name: str | None) -> None:
            validate_image(path, field=field, name=name)
            check_coverage(path, self.min_coverage, field)

        if value.startswith(("http://", "https://")):
            key = self._own_upload(value, own_bases, field)
            if key is not None:
                return self._check_stored(key, "image", check)
            return self._fetch_validate(value, field, limits.IMAGE_MAX_BYTES, "image", check)
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
        scratch = self.storage.scratch_dir()
        try:
            path = scratch / f"image.{ext}"
            path.write_bytes(data)
            return self._store_checked(path, ext, "image", None, check)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def video(self, value: str, orientation: str, *, own_bases: tuple[str, ...] = (), field: str = "video_url") -> str:
        from motionctl.core.types import Orientation
        from motionctl.media.validate import validate_video

        if not value.startswith(("http://", "https://")):
            raise rule_violation(InvalidInput, field, "an http(s) URL", _preview(value))
        orient = Orientation(orientation)

        def check(path: Path, name: str | None) -> None:
            validate_video(path, orient, field=field, name=name)

        kind = f"video-{orient.value}"
        key = self._own_upload(value, own_bases, field)
        if key is not None:
            return self._check_stored(key, kind, check)
        return self._fetch_validate(value, field, limits.VIDEO_MAX_BYTES, kind, check)

    def _store_checked(self, path: Path, ext: str, kind: str, name: str | None, check: Check) -> str:
        """Validate (unless this content passed the same rules before) and store; nothing is stored
        when validation fails."""
        key = self.storage.key_of(path, ext)
        given = Path(name).suffix.lower().lstrip(".") if name else "-"
        tag = f"{kind}.{given}.v{VALIDATION_VERSION}"
        if not (self.storage.has_mark(key, tag) and self.storage.exists(key)):
            check(path, name)
        key = self.storage.put_file(path, ext, move=True, key=key)
        self.storage.mark(key, tag)
        return key

    def video_seconds(self, key: str) -> float:
        """A stored, validated video's duration (what a submission's units estimate is based on)."""
        from motionctl.media.probe import probe_video

        return float(probe_video(self.storage.open_path(key)).duration)

    def _check_stored(self, key: str, kind: str, check: Check) -> str:
        tag = f"{kind}.-.v{VALIDATION_VERSION}"
        if not self.storage.has_mark(key, tag):
            check(self.storage.open_path(key), None)
            self.storage.mark(key, tag)
        return key

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

    def _fetch_validate(self, url: str, field: str, max_bytes: int, kind: str, check: Check) -> str:
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
            # The extension rule applies to the name the user gave; a URL without one (signed CDN
            # links) is judged by its content alone.
            given = Path(urlsplit(url).path).name if suffix.isalpha() and len(suffix) <= 4 else None
            return self._store_checked(path, "jpg" if ext == "jpeg" else ext, kind, given, check)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
