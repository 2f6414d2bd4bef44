"""``Authorization: Bearer <token>``: an API key, or a Kling-style JWT (HS256, iss = access key,
exp/nbf checked, signed with that key's secret)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated

import jwt
from fastapi import Depends, Request

from motionctl.core.errors import AccountError, AuthError
from motionctl.tasks import accounts
from motionctl.tasks.accounts import AccountInfo
from motionctl.tasks.runtime import Services

from .services import ServicesDep

JWT_LEEWAY_SECONDS = 5
CACHE_SECONDS = 10.0  # how long a looked-up account is reused (a disabled key stops within this)
_cache: dict[tuple[int, str, str], tuple[float, AccountInfo]] = {}
_cache_lock = threading.Lock()


def _cached(
    services: Services, kind: str, key: str, load: Callable[[], AccountInfo | None]
) -> AccountInfo | None:
    """Account lookups are on every request's path; keep them off the database for a few seconds."""
    ck = (id(services.engine), kind, key)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(ck)
    if hit is not None and hit[0] > now:
        return hit[1]
    account = load()
    if account is not None:
        with _cache_lock:
            if len(_cache) > 10_000:
                _cache.clear()
            _cache[ck] = (now + CACHE_SECONDS, account)
    return account


def authenticate(services: Services, header: str | None) -> AccountInfo:
    if header is None or not header.strip():
        raise AuthError("Authorization: header is empty; send 'Authorization: Bearer <token>'", code=1001)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        # Never echo what was sent: without the scheme, it is often the key itself.
        got = "'Bearer' with no token" if scheme.lower() == "bearer" else f"a value of {len(header.strip())} characters"
        raise AuthError(
            f"Authorization: must be 'Bearer <token>' (got {got})",
            code=1002,
            field="Authorization",
        )
    account = _from_jwt(services, token) if token.count(".") == 2 else _from_api_key(services, token)
    if account.disabled:
        raise AccountError(f"account: {account.access_key} is disabled", code=1100)
    return account


def _from_api_key(services: Services, token: str) -> AccountInfo:
    account = _cached(services, "api", token, lambda: accounts.by_api_key(services.engine, token))
    if account is None:
        raise AuthError("Authorization: authentication failed; no account has this API key", code=1000)
    return account


def _from_jwt(services: Services, token: str) -> AccountInfo:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthError(f"Authorization: malformed JWT ({exc})", code=1002) from None
    if header.get("alg") != "HS256":
        raise AuthError(f"Authorization: JWT alg must be HS256 (got {header.get('alg')!r})", code=1002)
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        raise AuthError("Authorization: JWT must carry iss = your access key (got none)", code=1002)
    account = _cached(services, "ak", iss, lambda: accounts.by_access_key(services.engine, iss))
    if account is None:
        raise AuthError(f"Authorization: unknown access key in JWT iss (got {iss[:40]!r})", code=1002)
    try:
        jwt.decode(
            token,
            account.secret_key,
            algorithms=["HS256"],
            options={"require": ["exp"]},
            leeway=JWT_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise AuthError(f"Authorization: JWT expired (exp {claims.get('exp')})", code=1004) from None
    except jwt.ImmatureSignatureError:
        raise AuthError(f"Authorization: JWT not yet valid (nbf {claims.get('nbf')})", code=1003) from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"Authorization: JWT must carry {exc.claim!r} (got none)", code=1002) from None
    except jwt.InvalidSignatureError:
        raise AuthError(
            "Authorization: JWT signature does not match the access key's secret", code=1002
        ) from None
    except jwt.PyJWTError as exc:
        raise AuthError(f"Authorization: invalid JWT ({exc})", code=1002) from None
    _check_lifetime(claims, services.settings.jwt_max_lifetime_seconds)
    return account


def _check_lifetime(claims: dict[str, object], max_lifetime: int) -> None:
    """A token valid for years is a leaked key in waiting: exp may lie at most max_lifetime after
    iat (or after now, when the token carries no iat)."""
    exp, iat = claims.get("exp"), claims.get("iat")
    start = iat if isinstance(iat, int | float) else time.time()
    if isinstance(exp, int | float) and exp - start > max_lifetime + JWT_LEEWAY_SECONDS:
        raise AuthError(
            f"Authorization: JWT exp must be at most {max_lifetime} s after iat (got {int(exp - start)} s); "
            "issue short-lived tokens",
            code=1002,
        )


def current_account(request: Request, services: ServicesDep) -> AccountInfo:
    account = authenticate(services, request.headers.get("authorization"))
    request.state.account_id = account.id
    return account


AccountDep = Annotated[AccountInfo, Depends(current_account)]
