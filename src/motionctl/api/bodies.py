"""Request body limits, enforced for every route before any parser sees the body: a declared
Content-Length over the limit is refused at once, a streamed body as soon as it passes the limit,
both as 413 in the API's envelope (``TooLarge``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motionctl.core import limits
from motionctl.core.errors import TooLarge

MAX_BODY_BYTES = 16 * 1024 * 1024  # a 10 MB image in base64 is 13.4 MB
MAX_UPLOAD_BYTES = limits.VIDEO_MAX_BYTES + 1024 * 1024  # the file plus multipart overhead
MAX_OTHER_BYTES = 64 * 1024  # routes that take no body


def limit_for(method: str, path: str) -> int:
    if method == "POST" and path.rstrip("/") == "/v1/files":
        return MAX_UPLOAD_BYTES
    if method == "POST":
        return MAX_BODY_BYTES
    return MAX_OTHER_BYTES


def too_large(path: str, limit: int, got: str) -> TooLarge:
    return TooLarge(
        f"body: at most {limit} bytes for {path} (got {got})", field="body", rule="max_body_bytes", value=got
    )


def _envelope_response(scope: Scope, err: TooLarge) -> JSONResponse:
    rid = str(scope.get("state", {}).get("request_id", ""))
    body = {"code": err.code, "message": err.message, "request_id": rid, "data": None}
    return JSONResponse(body, status_code=err.http_status, headers={"Connection": "close"})


class BodyLimitMiddleware:
    """Refuses oversized bodies with 413 in the envelope, whatever the route's parser makes of the
    cut-off body (the form parser turns any error into its own 400)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("method", ""), scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _envelope_response(scope, too_large(scope["path"], limit, f"{int(declared)} bytes"))(
                scope, receive, send
            )
            return
        seen = 0
        over: TooLarge | None = None
        answered = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = too_large(scope["path"], limit, f"more than {limit} bytes")
                    raise over
            return message

        async def send_or_refuse(message: Message) -> None:
            nonlocal answered
            if over is None:
                await send(message)
            elif not answered:  # the app's answer to a cut-off body is replaced by ours
                answered = True
                await _envelope_response(scope, over)(scope, receive, send)

        try:
            await self.app(scope, counted, send_or_refuse)
        except Exception:
            if over is None or answered:
                raise
            answered = True
            await _envelope_response(scope, over)(scope, receive, send)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body (the middleware has refused it already if it is too large)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(request.url.path, limit, f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
