"""Content-addressed blob storage in a local (or shared, network-mounted) directory.

A key is ``<sha256>.<ext>``; the blob lives at ``<root>/<aa>/<bb>/<key>``. Writes go to a temporary
name in the same directory and are renamed, so a reader never sees half a file and two writers of
the same content race harmlessly.

Inputs are shared by content (the same upload used by many tasks is stored once and kept while any
task references it). Results are owned: ``owner`` mixes the owning task's id into the key, so two
tasks whose outputs are byte for byte the same still get two blobs, and deleting one task's result
never removes another's.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from motionctl.core.errors import NotFound

_KEY = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
_CHUNK = 1024 * 1024


def is_key(key: str) -> bool:
    return bool(_KEY.match(key))


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        if not is_key(key):
            raise NotFound(f"blob: unknown key (got {key!r})", field="key")
        return self.root / key[:2] / key[2:4] / key

    def exists(self, key: str) -> bool:
        return is_key(key) and self.path(key).is_file()

    def open_path(self, key: str) -> Path:
        """The file behind ``key``; NotFound when it was never stored or has been cleaned up."""
        p = self.path(key)
        if not p.is_file():
            raise NotFound(f"blob: not found (got {key})", field="key")
        return p

    @staticmethod
    def key_of(src: Path, ext: str, *, owner: str = "") -> str:
        """The key ``src`` would be stored under (its SHA-256 and extension); with ``owner`` the
        digest covers the owner's name first, so the key is that owner's alone."""
        digest = hashlib.sha256()
        if owner:
            digest.update(f"owner:{owner}\n".encode())
        with open(src, "rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                digest.update(chunk)
        return f"{digest.hexdigest()}.{ext.lower().lstrip('.')}"

    def put_file(
        self, src: Path, ext: str, *, move: bool = False, key: str | None = None, owner: str = ""
    ) -> str:
        """Store ``src`` and return its key; with ``move`` the source is consumed. ``key`` skips
        hashing when the caller computed it with key_of(); ``owner`` stores a blob of its own."""
        key = key or self.key_of(src, ext, owner=owner)
        dest = self.path(key)
        if dest.is_file():
            os.utime(dest)  # fresh again: retention deletes unreferenced blobs by age
            if move:
                Path(src).unlink(missing_ok=True)
            return key
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
        os.close(fd)
        try:
            if move:
                shutil.move(str(src), tmp)
            else:
                shutil.copyfile(src, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def put_bytes(self, data: bytes, ext: str) -> str:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return self.put_file(Path(tmp), ext, move=True)

    # Facts established about a blob's content (e.g. "passed validation rule set X"): empty files
    # beside the blobs, so they vanish with them and any process sharing the directory sees them.
    def _mark_path(self, key: str, tag: str) -> Path:
        return self.root / ".marks" / key[:2] / f"{key}.{tag}"

    def has_mark(self, key: str, tag: str) -> bool:
        return is_key(key) and self._mark_path(key, tag).exists()

    def mark(self, key: str, tag: str) -> None:
        p = self._mark_path(key, tag)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.touch()

    def delete(self, key: str) -> bool:
        if not is_key(key):
            return False
        for mark in (self.root / ".marks" / key[:2]).glob(f"{key}.*"):
            mark.unlink(missing_ok=True)
        p = self.path(key)
        try:
            p.unlink()
            return True
        except FileNotFoundError:
            return False

    def scratch_dir(self) -> Path:
        """A fresh private directory on the same filesystem (for downloads and engine output)."""
        base = self.root / ".scratch"
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=base))
