"""The units ledger: each account's grants, the reservation a submission holds, the charge of a
finished task, and the reservation released when a task ends (succeeded, failed or cancelled).

A submission reserves its estimate (the driver's seconds times the price per output second) in the
same transaction that creates the task, so concurrent submissions cannot spend the same units twice.
When the task ends the reservation comes back and, on success only, the real charge (the output's
seconds times the price) is taken: a failed or cancelled task costs nothing.

Refusals (1101 in arrears, 1102 no units left) apply only when ``Settings.require_units`` is set; a
self-hosted install is unlimited by default and the ledger then just records what was used.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from motionctl.core.errors import AccountError
from motionctl.tasks.billing import format_number, format_units
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import LedgerEntry, Task, now_ms

GRANT, RESERVE, RELEASE, CHARGE = "grant", "reserve", "release", "charge"


@dataclass(frozen=True)
class Balance:
    granted: float  # every grant
    used: float  # every charge
    reserved: float  # held by unfinished tasks
    available: float  # granted - used - reserved

    def to_dict(self) -> dict[str, str]:
        return {
            "granted_units": format_units(self.granted),
            "used_units": format_units(self.used),
            "reserved_units": format_units(self.reserved),
            "remaining_units": format_units(self.available),
        }


def balance_in(s: Session, account_id: int) -> Balance:
    rows = s.execute(
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.units), 0.0))
        .where(LedgerEntry.account_id == account_id)
        .group_by(LedgerEntry.kind)
    )
    sums = {kind: float(total) for kind, total in rows}
    reserved = -(sums.get(RESERVE, 0.0) + sums.get(RELEASE, 0.0))
    granted, used = sums.get(GRANT, 0.0), -sums.get(CHARGE, 0.0)
    return Balance(granted, used, reserved, granted - used - reserved)


def balance(engine: Engine, account_id: int) -> Balance:
    with session_scope(engine, write=False) as s:
        return balance_in(s, account_id)


def grant(engine: Engine, account_id: int, units: float, note: str = "") -> Balance:
    if units <= 0:
        raise ValueError(f"units: must be more than 0 (got {units:g})")
    with session_scope(engine, write=True) as s:
        s.add(LedgerEntry(account_id=account_id, kind=GRANT, units=float(units), note=note, created_at=now_ms()))
        s.flush()
        return balance_in(s, account_id)


def check_cover(s: Session, account_id: int, estimate: float) -> None:
    """AccountError 1101/1102 when the account's units cannot cover ``estimate``."""
    bal = balance_in(s, account_id)
    if bal.available < 0:
        raise AccountError(
            f"units: the account is in arrears ({format_units(bal.available)} units); "
            "add units before submitting (got a request estimated at "
            f"{format_units(estimate)} units)",
            code=1101,
            rule="balance",
            value=bal.available,
        )
    if bal.available < estimate:
        raise AccountError(
            f"units: the request needs about {format_units(estimate)} units, the account has "
            f"{format_units(bal.available)} left (resource pack depleted); add units or shorten the video",
            code=1102,
            rule="balance",
            value=bal.available,
        )


def reserve(s: Session, task: Task, estimate: float) -> None:
    s.add(
        LedgerEntry(
            account_id=task.account_id, task_id=task.id, kind=RESERVE, units=-float(estimate),
            note="estimate at submit", created_at=now_ms(),
        )
    )  # fmt: skip


def settle(s: Session, task: Task) -> None:
    """The task ended: release what it held; charge its units when it succeeded. Idempotent: a
    second call for the same task finds nothing held and its charge already taken."""
    entries = list(s.scalars(select(LedgerEntry).where(LedgerEntry.task_id == task.id)))
    held = -sum(e.units for e in entries if e.kind in (RESERVE, RELEASE))
    now = now_ms()
    if held > 1e-9:
        s.add(LedgerEntry(account_id=task.account_id, task_id=task.id, kind=RELEASE, units=held,
                          note=f"task {task.status}", created_at=now))  # fmt: skip
    charged = any(e.kind == CHARGE for e in entries)
    if task.status == "succeed" and task.units > 0 and not charged:
        s.add(LedgerEntry(account_id=task.account_id, task_id=task.id, kind=CHARGE, units=-float(task.units),
                          note=f"{format_number(task.duration or 0.0)} s output", created_at=now))  # fmt: skip


def records(engine: Engine, account_id: int, page_num: int, page_size: int) -> list[dict[str, object]]:
    """The account's ledger, newest first (the billing records)."""
    with session_scope(engine, write=False) as s:
        rows = s.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.account_id == account_id)
            .order_by(LedgerEntry.id.desc())
            .offset((page_num - 1) * page_size)
            .limit(page_size)
        )
        return [
            {
                "id": str(e.id),
                "type": e.kind,
                "task_id": e.task_id or "",
                "units": format_units(e.units),
                "note": e.note,
                "created_at": int(e.created_at),
            }
            for e in rows
        ]
