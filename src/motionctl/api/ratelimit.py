"""Per-account rate limits (1302: submissions, uploads), a sliding one-minute window kept in this process."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from motionctl.core.errors import RateLimited


class RateLimiter:
    def __init__(self, per_minute: int, what: str = "submissions") -> None:
        self.per_minute = per_minute
        self.what = what
        self._hits: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, account_id: int) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(account_id, deque())
            while hits and hits[0] <= now - 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = max(1, math.ceil(60.0 - (now - hits[0])))
                raise RateLimited(
                    f"rate: at most {self.per_minute} {self.what} per minute per account "
                    f"(got {len(hits) + 1}); retry in {wait} s",
                    rule="rate_limit_per_minute",
                    retry_after=wait,
                )
            hits.append(now)


class ByteQuota:
    """Per-account bytes accepted in a sliding 24-hour window (uploads); 0 turns it off. Kept in
    this process, like the rate limits."""

    WINDOW_S = 86400.0

    def __init__(self, per_day: int) -> None:
        self.per_day = per_day
        self._charges: dict[int, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    def charge(self, account_id: int, size: int) -> None:
        if self.per_day <= 0:
            return
        now = time.monotonic()
        with self._lock:
            charges = self._charges.setdefault(account_id, deque())
            while charges and charges[0][0] <= now - self.WINDOW_S:
                charges.popleft()
            used = sum(n for _, n in charges)
            if used + size > self.per_day:
                wait = max(1, math.ceil(self.WINDOW_S - (now - charges[0][0]))) if charges else 60
                raise RateLimited(
                    f"upload quota: at most {self.per_day} bytes per account per 24 h (got {used + size}); "
                    f"retry in {wait} s",
                    rule="upload_quota_bytes",
                    retry_after=wait,
                )
            charges.append((now, size))
