"""Per-account submission rate limit (1302), a sliding one-minute window kept in this process."""

from __future__ import annotations

import threading
import time
from collections import deque

from motionctl.core.errors import RateLimited


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
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
                raise RateLimited(
                    f"rate: at most {self.per_minute} submissions per minute per account "
                    f"(got {len(hits) + 1}); retry in {60.0 - (now - hits[0]):.0f} s",
                    rule="rate_limit_per_minute",
                )
            hits.append(now)
