"""Signed, expiring URLs: ``<base>/<prefix>/<key>?expires=<unix s>&sig=<hmac>``.

The HMAC key is a random secret kept in the data dir (created once, 0600), so every process of a
deployment that shares the data dir signs and verifies alike, and nothing else can mint URLs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

from motionctl.core.errors import AuthError


def load_or_create_secret(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be between create and write
            data = path.read_bytes().strip()
            if data:
                return base64.urlsafe_b64decode(data)
            time.sleep(0.02)
        raise RuntimeError(f"url signing secret {path} is empty") from None
    secret = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as f:
        f.write(base64.urlsafe_b64encode(secret))
    return secret


class UrlSigner:
    def __init__(self, secret: bytes, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def _sig(self, path: str, expires: int) -> str:
        mac = hmac.new(self._secret, f"{path}\n{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode().rstrip("=")

    def sign(self, base_url: str, path: str, *, now: float | None = None) -> str:
        """Absolute URL for ``path`` (starting with '/') valid for ttl_seconds."""
        # Round expiry up to the minute so repeated polls return the same URL (cache friendly).
        t = int(now if now is not None else time.time()) + self.ttl_seconds
        expires = t - t % 60 + 60
        query = urlencode({"expires": expires, "sig": self._sig(path, expires)})
        return f"{base_url.rstrip('/')}{path}?{query}"

    def verify(self, path: str, expires: str | None, sig: str | None, *, now: float | None = None) -> None:
        if not expires or not sig or not expires.isdigit():
            raise AuthError("url: signature required (got none); ask the API for a fresh URL", code=1002)
        if not hmac.compare_digest(self._sig(path, int(expires)), sig):
            raise AuthError("url: invalid signature; ask the API for a fresh URL", code=1002)
        if int(expires) < (now if now is not None else time.time()):
            raise AuthError(f"url: expired at {expires}; ask the API for a fresh URL", code=1004)
