"""The response envelope and the mapping of every error to Kling's HTTP status + business code."""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motionctl.core.errors import InvalidInput, MethodNotAllowed, MotionctlError, TooLarge

log = logging.getLogger("motionctl.api")


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def envelope(request: Request, data: Any, *, code: int = 0, message: str = "SUCCEED") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": request_id(request), "data": data}


def envelope_response(request: Request, data: Any) -> JSONResponse:
    """The envelope, serialised where it is made. Sync routes return this rather than a dict: FastAPI
    would validate a returned dict in a second trip to the thread pool and then encode it on the
    event loop, on every query's path (benchmarks/load_api.py measures query latency)."""
    return JSONResponse(envelope(request, data))


def error_response(request: Request, exc: MotionctlError) -> JSONResponse:
    body = envelope(request, None, code=exc.code, message=exc.message)
    headers = None
    if exc.http_status in (429, 503):  # the wait the message names, when it names one
        headers = {"Retry-After": str(max(1, math.ceil(getattr(exc, "retry_after", 5))))}
    return JSONResponse(body, status_code=exc.http_status, headers=headers)


class UnexpectedErrorMiddleware:
    """Any error no handler mapped becomes a 500 in the envelope, logged once, and the connection
    stays usable (Starlette's outermost handler re-raises to the server, which drops it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if started:
                raise
            log.exception("unhandled error")
            request = Request(scope)
            response = error_response(request, MotionctlError("internal error; retry later", code=5000))
            await response(scope, receive, send)


def _loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if p in ("body", "query", "path", "header") and not parts:
            continue
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "body"


def _value(err: dict[str, Any]) -> str:
    if err.get("type") == "missing":
        return "nothing"
    value = err.get("input")
    if isinstance(value, str) and err.get("type") == "string_too_long":
        return f"{len(value)} characters"
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."


def invalid_from_errors(errors: list[dict[str, Any]]) -> InvalidInput:
    """One InvalidInput naming each bad field, its rule and the value it got."""
    parts = []
    for err in errors[:5]:
        rule = "is required" if err.get("type") == "missing" else str(err.get("msg", "invalid"))
        parts.append(f"{_loc(tuple(err.get('loc', ())))}: {rule} (got {_value(err)})")
    first = errors[0] if errors else {}
    return InvalidInput("; ".join(parts) or "invalid parameter", field=_loc(tuple(first.get("loc", ()))))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MotionctlError)
    async def _motionctl(request: Request, exc: MotionctlError) -> JSONResponse:
        if exc.http_status >= 500:
            log.error("request failed: %s", exc.message)
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, invalid_from_errors(list(exc.errors())))

    @app.exception_handler(ValidationError)
    async def _pydantic(request: Request, exc: ValidationError) -> JSONResponse:
        return error_response(request, invalid_from_errors(list(exc.errors())))  # type: ignore[arg-type]

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        where = f"{request.method} {request.url.path}"
        if exc.status_code == 404:
            err: MotionctlError = MethodNotAllowed(f"path: no such endpoint (got {where})")
        elif exc.status_code == 413:
            err = TooLarge(f"body: request too large for {request.url.path} (got more than the limit)")
        elif exc.status_code == 405:
            err = MethodNotAllowed(f"method: {request.method} is not supported on {request.url.path}")
        else:
            err = MotionctlError(str(exc.detail), code=1200)
            err.http_status = exc.status_code
        return error_response(request, err)
