"""Accounts and their credentials: an API key (stored hashed, shown once) and a Kling-style
access key / secret key pair (the secret signs JWTs and verifies webhooks, so it is kept)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select

from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Account


@dataclass(frozen=True)
class Credentials:
    account_id: int
    name: str
    api_key: str
    access_key: str
    secret_key: str

    @property
    def webhook_secret(self) -> str:
        return webhook_secret(self.secret_key)

    def to_dict(self) -> dict[str, str | int]:
        return {
            "account_id": self.account_id,
            "name": self.name,
            "api_key": self.api_key,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "webhook_secret": self.webhook_secret,
        }


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    access_key: str
    secret_key: str
    disabled: bool


def hash_api_key(api_key: str) -> str:
    # API keys carry 256 random bits, so a plain SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(api_key.encode()).hexdigest()


def webhook_secret(secret_key: str) -> str:
    """The Standard Webhooks secret derived from an account's secret key ("whsec_" + base64)."""
    return "whsec_" + base64.b64encode(secret_key.encode()).decode()


def create_account(engine: Engine, name: str = "") -> Credentials:
    api_key = "mk_" + secrets.token_urlsafe(32)
    access_key = "ak_" + secrets.token_hex(12)
    secret_key = "sk_" + secrets.token_urlsafe(32)
    with session_scope(engine, write=True) as s:
        acc = Account(name=name, access_key=access_key, secret_key=secret_key, api_key_hash=hash_api_key(api_key))
        s.add(acc)
        s.flush()
        account_id = acc.id
    return Credentials(account_id, name, api_key, access_key, secret_key)


def _info(acc: Account) -> AccountInfo:
    return AccountInfo(acc.id, acc.name, acc.access_key, acc.secret_key, bool(acc.disabled))


def by_api_key(engine: Engine, api_key: str) -> AccountInfo | None:
    with session_scope(engine, write=False) as s:
        acc = s.scalar(select(Account).where(Account.api_key_hash == hash_api_key(api_key)))
        return _info(acc) if acc else None


def by_access_key(engine: Engine, access_key: str) -> AccountInfo | None:
    with session_scope(engine, write=False) as s:
        acc = s.scalar(select(Account).where(Account.access_key == access_key))
        return _info(acc) if acc else None


def by_id(engine: Engine, account_id: int) -> AccountInfo | None:
    with session_scope(engine, write=False) as s:
        acc = s.get(Account, account_id)
        return _info(acc) if acc else None
