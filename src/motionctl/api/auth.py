"""``Authorization: Bearer <token>``: an API key, or a Kling-style JWT (HS256, iss = access key,
exp/nbf checked, signed with that key's secret)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from motionctl.core.errors import AccountError, AuthError
from motionctl.tasks import accounts
from motionctl.tasks.accounts import AccountInfo
from motionctl.tasks.runtime import Services

from .services import services_of

JWT_LEEWAY_SECONDS = 5
CACHE_SECONDS = 10.0  # how long a looked-up account is reused (a disabled key stops within this)
CACHE_ENTRIES = 10_000  # each cache below is emptied when it grows past this
_cache: dict[tuple[int, str, str], tuple[float, AccountInfo]] = {}
_cache_lock = threading.Lock()
# A client sends one JWT with every request until it expires. Authentication runs on the event loop,
# so a token is parsed once and its signature checked once per secret (~0.1 ms of the loop's CPU per
# request otherwise); a repeat only has its exp compared with the clock.
_parsed: dict[str, Credential] = {}
_verified: dict[tuple[str, str, int], float] = {}  # (token, secret, max lifetime) -> the token's exp


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    with _cache_lock:
        if len(cache) >= CACHE_ENTRIES:
            cache.clear()
        cache[key] = value


@dataclass(frozen=True)
class Credential:
    """What an Authorization header names: an API key (``kind`` "api"), or a JWT whose ``key`` is
    its iss, the access key (``kind`` "ak"); ``jwt`` and ``claims`` are then the token to verify."""

    kind: str
    key: str
    jwt: str = ""
    claims: dict[str, Any] = field(default_factory=dict)


def credential(header: str | None) -> Credential:
    """The header parsed (no database): AuthError when it is missing or malformed."""
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
    if token.count(".") != 2:
        return Credential("api", token)
    cred = _parsed.get(token)
    if cred is None:
        cred = _jwt_credential(token)
        _remember(_parsed, token, cred)
    return cred


def _jwt_credential(token: str) -> Credential:
    try:
        jwt_header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthError(f"Authorization: malformed JWT ({exc})", code=1002) from None
    if jwt_header.get("alg") != "HS256":
        raise AuthError(f"Authorization: JWT alg must be HS256 (got {jwt_header.get('alg')!r})", code=1002)
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        raise AuthError("Authorization: JWT must carry iss = your access key (got none)", code=1002)
    return Credential("ak", iss, token, claims)


def cached_account(services: Services, cred: Credential) -> AccountInfo | None:
    """The credential's account when it was looked up less than CACHE_SECONDS ago, else None."""
    with _cache_lock:
        hit = _cache.get((id(services.engine), cred.kind, cred.key))
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def load_account(services: Services, cred: Credential) -> AccountInfo | None:
    """The credential's account from the database (None: no such key), kept for CACHE_SECONDS."""
    lookup = accounts.by_api_key if cred.kind == "api" else accounts.by_access_key
    account = lookup(services.engine, cred.key)
    if account is not None:
        _remember(_cache, (id(services.engine), cred.kind, cred.key), (time.monotonic() + CACHE_SECONDS, account))
    return account


def accept(services: Services, cred: Credential, account: AccountInfo | None) -> AccountInfo:
    """The account the credential proves, or AuthError/AccountError (unknown key, a JWT that fails
    its checks, a disabled account)."""
    if account is None:
        if cred.kind == "api":
            raise AuthError("Authorization: authentication failed; no account has this API key", code=1000)
        raise AuthError(f"Authorization: unknown access key in JWT iss (got {cred.key[:40]!r})", code=1002)
    if cred.kind == "ak":
        _verify_jwt(cred, account.secret_key, services.settings.jwt_max_lifetime_seconds)
    if account.disabled:
        raise AccountError(f"account: {account.access_key} is disabled", code=1100)
    return account


def _verify_jwt(cred: Credential, secret: str, max_lifetime: int) -> None:
    claims = cred.claims
    exp = _verified.get((cred.jwt, secret, max_lifetime))
    if exp is not None:  # signed with this secret, nbf passed: only the clock can have changed
        if exp <= time.time() - JWT_LEEWAY_SECONDS:  # PyJWT's rule, with the same leeway
            raise _expired(claims)
        return
    try:
        jwt.decode(
            cred.jwt,
            secret,
            algorithms=["HS256"],
            options={"require": ["exp"]},
            leeway=JWT_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise _expired(claims) from None
    except jwt.ImmatureSignatureError:
        raise AuthError(f"Authorization: JWT not yet valid (nbf {claims.get('nbf')})", code=1003) from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"Authorization: JWT must carry {exc.claim!r} (got none)", code=1002) from None
    except jwt.InvalidSignatureError:
        raise AuthError("Authorization: JWT signature does not match the access key's secret", code=1002) from None
    except jwt.PyJWTError as exc:
        raise AuthError(f"Authorization: invalid JWT ({exc})", code=1002) from None
    _check_lifetime(claims, max_lifetime)
    _remember(_verified, (cred.jwt, secret, max_lifetime), float(claims["exp"]))


def _expired(claims: dict[str, Any]) -> AuthError:
    return AuthError(f"Authorization: JWT expired (exp {claims.get('exp')})", code=1004)


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


async def current_account(request: Request) -> AccountInfo:
    """Async, so a request whose account is cached (nearly all) is authenticated on the event loop
    without a trip to the thread pool; only a cache miss reads the database, in a thread. A query
    then costs one thread hop, its route (benchmarks/load_api.py measures query latency). The
    services come from the app itself rather than a sub-dependency: FastAPI solves every
    dependency anew on each request, on the event loop."""
    services = services_of(request)
    cred = credential(request.headers.get("authorization"))
    account = cached_account(services, cred)
    if account is None:
        account = await run_in_threadpool(load_account, services, cred)
    account = accept(services, cred, account)
    request.state.account_id = account.id
    return account


AccountDep = Annotated[AccountInfo, Depends(current_account)]
