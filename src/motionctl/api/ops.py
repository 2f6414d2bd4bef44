"""Operations endpoints: /healthz (process up), /readyz (database + storage usable), /metrics."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import text

from motionctl.core.errors import AuthError
from motionctl.tasks.runtime import Services
from motionctl.tasks.stats import Histogram, collect

from .services import ServicesDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:  # on the event loop: answers even when every thread is busy
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: ServicesDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        with services.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready"; the message says which
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        probe = services.storage.scratch_dir()
        probe.rmdir()
        checks["storage"] = "ok"
    except OSError as exc:
        checks["storage"] = f"error: {exc}"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


class DbCollector:
    """Figures computed from the rows at scrape time, so they hold across any number of processes."""
    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        stats = collect(self.services.engine)
        depth = GaugeMetricFamily("motionctl_tasks", "Tasks by status", labels=["status"])
        for status, n in sorted(stats.tasks_by_status.items()):
            depth.add_metric([status], n)
        yield depth
        cb = GaugeMetricFamily("motionctl_callbacks", "Callback deliveries by outcome", labels=["state"])
        for state, n in sorted(stats.callbacks_by_state.items()):
            cb.add_metric([state], n)
        yield cb
        yield _hist("motionctl_task_run_seconds", "Claim to finish, finished tasks", stats.run_seconds)
        yield _hist("motionctl_task_wait_seconds", "Submission to first claim", stats.wait_seconds)


def _hist(name: str, doc: str, h: Histogram) -> HistogramMetricFamily:
    fam = HistogramMetricFamily(name, doc)
    buckets: list[tuple[str, float]] = [(f"{b:g}", float(c)) for b, c in h.buckets]
    buckets.append(("+Inf", float(h.count)))
    fam.add_metric([], buckets, sum_value=h.total)
    return fam


def check_metrics_access(request: Request, services: Services) -> None:
    """``Authorization: Bearer <metrics_token>`` when one is set; without one, loopback clients only
    (the figures cover every account's tasks)."""
    token = services.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "").strip()
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise AuthError("Authorization: /metrics needs 'Bearer <metrics token>' (MOTIONCTL_METRICS_TOKEN)")
        return
    host = request.client.host if request.client else ""
    if not _is_loopback(host):
        raise AuthError(
            f"/metrics: set MOTIONCTL_METRICS_TOKEN to scrape from other hosts (got a request from {host})", code=1103
        )


def _is_loopback(host: str) -> bool:
    if host == "testclient":  # Starlette's TestClient, in-process
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics")
def metrics(request: Request, services: ServicesDep) -> Response:
    """Prometheus text: queue depth, run/wait times and callback outcomes from the database (every
    process's work), and this API process's request latencies."""
    check_metrics_access(request, services)
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
