"""Access to the app's shared objects from routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from motionctl.tasks.runtime import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")
