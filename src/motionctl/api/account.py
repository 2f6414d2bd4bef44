"""The account endpoints seed 002's menu names: "Query user info" (``GET /v1/account/info``), "Billing
Info" (``GET /v1/account/billing``: the ledger, newest first), "Prepaid Resource Packs"
(``GET /v1/account/costs``: each grant as a pack with what is left of it), and the balance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from motionctl.tasks import ledger
from motionctl.tasks.billing import format_units
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import LedgerEntry

from .auth import AccountDep
from .errors import envelope_response
from .paging import PageDep
from .services import ServicesDep

router = APIRouter(tags=["account"])


@router.get("/v1/account/info", summary="Query user info")
def user_info(request: Request, account: AccountDep, services: ServicesDep) -> JSONResponse:
    bal = ledger.balance(services.engine, account.id)
    data = {
        "account_id": str(account.id),
        "name": account.name,
        "access_key": account.access_key,
        "units_required": services.settings.require_units,
        **bal.to_dict(),
    }
    return envelope_response(request, data)


@router.get("/v1/account/balance", summary="The account's units: granted, used, reserved, remaining")
def balance(request: Request, account: AccountDep, services: ServicesDep) -> JSONResponse:
    data = {**ledger.balance(services.engine, account.id).to_dict(), "units_required": services.settings.require_units}
    return envelope_response(request, data)


@router.get("/v1/account/billing", summary="Billing Info: the account's ledger, newest first")
def billing(
    request: Request,
    account: AccountDep,
    services: ServicesDep,
    page: PageDep,
) -> JSONResponse:
    return envelope_response(request, ledger.records(services.engine, account.id, page.num, page.size))


@router.get("/v1/account/costs", summary="Prepaid Resource Packs: each grant and what is left of it")
def resource_packs(request: Request, account: AccountDep, services: ServicesDep) -> JSONResponse:
    with session_scope(services.engine, write=False) as s:
        grants = list(
            s.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.account_id == account.id, LedgerEntry.kind == ledger.GRANT)
                .order_by(LedgerEntry.id)
            )
        )
        bal = ledger.balance_in(s, account.id)
    spent = bal.used + bal.reserved  # drawn from the oldest pack first
    packs = []
    for g in grants:
        take = min(max(spent, 0.0), g.units)
        spent -= take
        remaining = g.units - take
        packs.append(
            {
                "resource_pack_id": str(g.id),
                "resource_pack_name": g.note or "units",
                "resource_pack_type": "constant_period",
                "total_quantity": format_units(g.units),
                "remaining_quantity": format_units(remaining),
                "purchase_time": int(g.created_at),
                "effective_time": int(g.created_at),
                "invalid_time": 0,
                "status": "online" if remaining > 0 else "runOut",
            }
        )
    return envelope_response(request, {"code": 0, "msg": "", "resource_pack_subscribe_infos": packs})
