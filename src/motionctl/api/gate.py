"""What a submission passes before its task exists: the account's rate limit, its admission slot
(submissions still fetching count against its active-task limit), and the intake that fetches and
validates its inputs, run on threads of their own.

Submissions wait on the network for as long as their input URLs take; they run on a thread limiter
of their own, so they can never take the threads that queries (plain ``def`` routes, on Starlette's
default limiter) need.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from motionctl.tasks.admission import Admission
from motionctl.tasks.intake_pool import IntakePool, LocalIntake

from .ratelimit import ByteQuota, RateLimiter

T = TypeVar("T")
SUBMIT_THREADS = 64  # submissions fetching inputs at once, all accounts together


@dataclass
class Gate:
    rate_limiter: RateLimiter
    admission: Admission
    fetcher: IntakePool | LocalIntake
    upload_limiter: RateLimiter
    upload_quota: ByteQuota
    threads: int = SUBMIT_THREADS
    _limiter: anyio.CapacityLimiter | None = field(default=None, repr=False)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a submission thread."""
        if self._limiter is None:  # made on first use: it belongs to the running event loop
            self._limiter = anyio.CapacityLimiter(self.threads)
        return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=self._limiter)
