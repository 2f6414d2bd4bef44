"""Access to the app's shared objects from routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from motionctl.tasks.runtime import Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:
    """Async, so FastAPI calls it on the event loop: a sync dependency would cost every request a
    trip to the thread pool and back (benchmarks/load_api.py measures query latency)."""
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


def base_url(request: Request, services: Services) -> str:
    """The base of the signed URLs this request is answered with: the configured public URL, so a
    client's Host header never ends up in links others follow; the request's own base only when
    the operator trusts the Host header (``trust_host_header``, e.g. behind a proxy that sets it)."""
    if services.settings.trust_host_header:
        return str(request.base_url).rstrip("/")
    return services.settings.public_url.rstrip("/")
