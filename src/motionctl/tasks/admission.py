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
    def slot(self, account_id: int) -> Iterator[Slot]:
        """Hold one of the account's slots while its inputs are fetched. ConcurrencyLimited when
        the account already has max_active submissions fetching."""
        with self._lock:
            taken = self._fetching.get(account_id, 0)
            if taken >= self.max_active:
                raise concurrency_error(self.max_active, 0, taken)
            self._fetching[account_id] = taken + 1
        slot = Slot(self, account_id)
        try:
            yield slot
        finally:
            slot.fetched()

    def _release(self, account_id: int) -> None:
        with self._lock:
            left = self._fetching[account_id] - 1
            if left:
                self._fetching[account_id] = left
            else:
                del self._fetching[account_id]


class Slot:
    """One submission's place while it fetches; ``fetched()`` gives it back before the task row is
    written, so the row and the slot are never both counted."""

    def __init__(self, admission: Admission, account_id: int) -> None:
        self._admission = admission
        self._account_id = account_id
        self._held = True

    def others(self) -> int:
        """The account's other submissions still fetching."""
        return self._admission.fetching(self._account_id) - (1 if self._held else 0)

    def fetched(self) -> None:
        if self._held:
            self._held = False
            self._admission._release(self._account_id)
