"""The HTTP API (Kling-compatible motion control), built by ``create_app``."""

from motionctl.api.app import create_app

__all__ = ["create_app"]
