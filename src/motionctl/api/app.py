"""The FastAPI app factory: services, request ids + JSON access logs, error mapping, routes, and the
workbench (motionctl.web)."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motionctl.settings import Settings
from motionctl.tasks.admission import Admission
from motionctl.tasks.intake_pool import IntakePool, LocalIntake
from motionctl.tasks.logs import request_id_var
from motionctl.tasks.runtime import Services, build_services
from motionctl.web import install as install_workbench  # the workbench page, over the public API

from . import account, catalogue, elements, files, motion, ops, unified
from .bodies import BodyLimitMiddleware
from .docs import install as install_docs
from .errors import UnexpectedErrorMiddleware, install_error_handlers
from .gate import Gate
from .openapi import install_openapi
from .ratelimit import ByteQuota, RateLimiter

access_log = logging.getLogger("motionctl.access")


class RequestIdMiddleware:
    """Gives each request an id (X-Request-Id, the envelope's request_id, every log line)."""

    def __init__(self, app: ASGIApp, latency: Histogram | None = None) -> None:
        self.app = app
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = str(uuid.uuid4())  # seed 000 shows request ids in this form
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - start
            extra: dict[str, Any] = {
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
            access_log.info("request", extra=extra)
            if self.latency is not None:
                # The route's template, not the path: one series per endpoint, not per task id.
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                self.latency.labels(scope.get("method", ""), route, str(status)).observe(seconds)
            request_id_var.reset(token)


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    settings = settings or (services.settings if services else Settings())
    services = services or build_services(settings)
    fetcher = (
        IntakePool(settings, settings.intake_processes, services.intake)
        if settings.intake_processes > 0
        else LocalIntake(services.intake)
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        fetcher.close()

    app = FastAPI(
        lifespan=lifespan,
        title="motionctl",
        version="0.1.0",
        description="Kling-compatible motion-control API: a character image performs a video's motion.",
        docs_url=None,  # docs.install serves /docs with local assets
        redoc_url=None,
    )
    app.state.services = services
    app.state.gate = Gate(
        rate_limiter=RateLimiter(settings.rate_limit_per_minute),
        admission=Admission(settings.max_active_tasks),
        fetcher=fetcher,
        upload_limiter=RateLimiter(settings.upload_rate_per_minute, "uploads"),
        upload_quota=ByteQuota(settings.upload_quota_bytes),
    )
    install_error_handlers(app)
    app.include_router(motion.router)
    app.include_router(motion.router, prefix="/kling", include_in_schema=False)  # seed 003's path
    app.include_router(unified.router)
    app.include_router(catalogue.router)
    app.include_router(elements.router)
    app.include_router(account.router)
    app.include_router(files.router)
    app.include_router(ops.router)
    install_docs(app)
    install_workbench(app)
    install_openapi(app)
    registry = CollectorRegistry()
    app.state.metrics_registry = registry
    latency = Histogram(
        "motionctl_http_request_seconds",
        "API request latency (this API process)",
        ["method", "route", "status"],
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
        registry=registry,
    )
    registry.register(ops.DbCollector(services))
    # Outermost last: request id, then body limits, then the catch-all that keeps errors in the envelope.
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestIdMiddleware, latency=latency)
    return app
