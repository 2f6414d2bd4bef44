"""Per-account admission of submissions still fetching their inputs.

A submission spends most of its time downloading before its task row exists. Those in flight count
against the account's active-task limit (``max_active_tasks``) together with its unfinished tasks,
so one account can never hold more of the API's intake threads than its limit, whatever its input
URLs do; other accounts' submissions never wait behind them. Counted per API process.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from motionctl.core.errors import ConcurrencyLimited


def concurrency_error(max_active: int, active: int, fetching: int = 0) -> ConcurrencyLimited:
    detail = f" and {fetching} still fetching inputs" if fetching else ""
    return ConcurrencyLimited(
        f"concurrency: at most {max_active} active tasks per account (got {active} submitted or "
        f"processing{detail}); wait for one to finish",
        rule="max_active_tasks",
        value=active + fetching,
    )


class Admission:
    def __init__(self, max_active: int) -> None:
        self.max_active = max_active
        self._fetching: dict[int, int] = {}
        self._lock = threading.Lock()

    def fetching(self, account_id: int) -> int:
        with self._lock:
            return self._fetching.get(account_id, 0)

    @contextlib.contextmanager
    def slot(self, account_id: int) -> Iterator[int]:
        """Hold one of the account's slots while its inputs are fetched; yields how many of its
        other submissions are fetching. ConcurrencyLimited when all its slots are taken."""
        with self._lock:
            others = self._fetching.get(account_id, 0)
            if others >= self.max_active:
                raise concurrency_error(self.max_active, 0, others)
            self._fetching[account_id] = others + 1
        try:
            yield others
        finally:
            with self._lock:
                left = self._fetching[account_id] - 1
                if left:
                    self._fetching[account_id] = left
                else:
                    del self._fetching[account_id]
