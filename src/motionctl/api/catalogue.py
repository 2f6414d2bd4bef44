"""The models catalogue: every model id the API accepts, with its request body (whose JSON Schema is
``json_request_schema``, generated from the same pydantic model that validates requests), its
capabilities and its price per output second. ``GET /v1/models`` and ``GET /v1/models/{id}``
serve it; ``POST /v1/videos/generations`` dispatches on it.

Extension point: a model is one ``register(ModelSpec(...))`` call. Seed 004's element creation
(``kling-custom-element``) plugs in here: its body model (``model``, ``model_params``,
``callback_url``), ``kind="element"``, and a ``create`` hook that makes the element task; the
unified routes call ``spec.create`` for any kind and query any task by id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from motionctl.core import limits
from motionctl.core.engines import engine_for_model
from motionctl.core.errors import InvalidInput, NotFound
from motionctl.settings import Settings

from . import pricing
from .auth import AccountDep
from .schemas import MotionControlRequest
from .services import ServicesDep
from .unified_schemas import KlingV3MotionControlBody, KlingV3ProMotionControlBody, WanAnimateBody

# (request, validated body) -> the task's answer; None: the unified motion-control submission.
CreateHook = Callable[[Any, BaseModel], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    description: str
    body: type[BaseModel]  # validates the request; its JSON Schema is json_request_schema
    endpoint: str  # where the body is POSTed
    price_model: str  # the price table's row (Settings.prices)
    modes: tuple[str, ...]  # what a request can ask for (capabilities)
    resolutions: tuple[str, ...]
    kind: str = "motion-control"
    create: CreateHook | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The (mode, resolution) pairs a request can ask for, each priced on its own; default: every
    # mode at every resolution. The official dialect's mode decides its resolution.
    tiers: tuple[tuple[str, str], ...] | None = None

    def priced_tiers(self) -> tuple[tuple[str, str], ...]:
        if self.tiers is not None:
            return self.tiers
        return tuple((m, r) for m in self.modes for r in self.resolutions)

    def describe(self, settings: Settings) -> dict[str, Any]:
        engine = engine_for_model(self.price_model)  # which workers run it (core/engines.py)
        prices = pricing.per_second(settings, self.price_model, self.priced_tiers())
        return {
            "id": self.id,
            "object": "model",
            "name": self.name,
            "description": self.description + pricing.unpriced_note(prices),
            "kind": self.kind,
            "endpoint": self.endpoint,
            "capabilities": {
                "modes": list(self.modes),
                "resolutions": list(self.resolutions),
                "max_input_seconds": dict(limits.VIDEO_MAX_SECONDS),
                "min_input_seconds": limits.VIDEO_MIN_SECONDS,
                "output_modes": ["async", "sync", "sse"],
            },
            "pricing": prices,
            "engine": None if engine is None else {
                "name": engine.name, "needs_gpu": engine.needs_gpu, "output": engine.notes,
            },
            "json_request_schema": self.body.model_json_schema(),
            **self.extra,
        }


_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    _REGISTRY[spec.id] = spec
    return spec


def all_models() -> list[ModelSpec]:
    return list(_REGISTRY.values())


def find(model_id: str) -> ModelSpec | None:
    return _REGISTRY.get(model_id)


def unified(model_id: object) -> ModelSpec:
    """The unified endpoint's model for ``model``; InvalidInput (1201) naming the known ids."""
    spec = _REGISTRY.get(model_id) if isinstance(model_id, str) else None
    if spec is None or spec.endpoint != "/v1/videos/generations":
        known = ", ".join(s.id for s in _REGISTRY.values() if s.endpoint == "/v1/videos/generations")
        got = "nothing" if model_id is None else repr(model_id)
        raise InvalidInput(f"model: must be one of {known} (got {got})", field="model", rule="known_model")
    return spec


OFFICIAL = "/v1/videos/motion-control"
UNIFIED = "/v1/videos/generations"

for _name in ("kling-v2-6", "kling-v3"):
    register(
        ModelSpec(
            id=_name,
            name=f"Kling motion control ({_name})",
            description="The official motion-control API (seeds 002/003): model_name, image_url, video_url, "
            "mode std (720p) or pro (1080p).",
            body=MotionControlRequest,
            endpoint=OFFICIAL,
            price_model=_name,
            modes=("std", "pro"),
            resolutions=("720p", "1080p"),
            tiers=(("std", "720p"), ("pro", "1080p")),
        )
    )
register(
    ModelSpec(
        id="kling/kling-v3-motion-control",
        name="Kling v3 Motion Control",
        description="A character from a reference image performs the motion of a reference video (seed 000).",
        body=KlingV3MotionControlBody,
        endpoint=UNIFIED,
        price_model="kling-v3",
        modes=("std",),
        resolutions=("720P", "1080P"),
    )
)
register(
    ModelSpec(
        id="kling-video-v3-pro-motion-control",
        name="Kling 3.0 Pro: Motion Control",
        description="Transfer movements from a reference video to any character image, pro mode at 1080p "
        "(seed 001).",
        body=KlingV3ProMotionControlBody,
        endpoint=UNIFIED,
        price_model="kling-v3",
        modes=("pro",),
        resolutions=("1080P",),
    )
)

register(
    ModelSpec(
        id="wan2.2-animate",
        name="Wan2.2-Animate-14B",
        description="Generative motion control: Wan2.2-Animate-14B through diffusers, the character turned, "
        "its clothes moved and its hidden sides invented. Served by the wan-animate engine, needs a GPU worker "
        "(motionctl worker --engine wan-animate --weights DIR): a submission waits, queued, until one claims it; "
        "CPU workers never do. Generated at 1280x720 by area, 30 fps; 1080P resizes the generated frames.",
        body=WanAnimateBody,
        endpoint=UNIFIED,
        price_model="wan2.2-animate",
        modes=("std",),
        resolutions=("720P", "1080P"),
    )
)

router = APIRouter(tags=["models"])


@router.get("/v1/models", summary="The models catalogue, each with its json_request_schema")
def list_models(_account: AccountDep, services: ServicesDep) -> JSONResponse:
    return JSONResponse({"object": "list", "data": [spec.describe(services.settings) for spec in all_models()]})


@router.get("/v1/models/{model_id:path}", summary="One model (ids may contain '/')")
def get_model(model_id: str, _account: AccountDep, services: ServicesDep) -> JSONResponse:
    spec = find(model_id)
    if spec is None:
        known = ", ".join(s.id for s in all_models())
        raise NotFound(f"model_id: no such model; one of {known} (got {model_id!r})", field="model_id")
    return JSONResponse(spec.describe(services.settings))
