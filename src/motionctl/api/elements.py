"""Elements (seed 004): ``kling-custom-element`` on the unified endpoint creates one from a face video
(a task like any other, answering ``element_id``); ``/v1/elements`` lists, gets and deletes the
account's elements. Binding one in a generation is submit.py's (``element_list`` / ``elements``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from motionctl.core import limits
from motionctl.core.element_rules import check_element_text
from motionctl.core.errors import InvalidInput, rule_violation
from motionctl.tasks.billing import ELEMENT_CREATION_QUOTE
from motionctl.tasks.elements import CREATION_UNITS, MODEL, ElementRequest, element_data
from motionctl.tasks.runtime import Services
from motionctl.tasks.view import unified_data

from . import catalogue
from .auth import AccountDep
from .errors import envelope_response, request_id
from .gate import Gate
from .paging import PageDep
from .services import ServicesDep, base_url

VIDEO_RULES = "MP4/MOV/WEBM, at most 100 MB, each side 720-2160 px, at most 8 s, a clearly visible human face"


class ElementVideo(BaseModel):
    model_config = ConfigDict(extra="ignore")
    video_url: str = Field(description=f"URL of the reference video (or a /v1/files URL): {VIDEO_RULES}")


class ElementParams(BaseModel):
    """Checked by hand (check_element_text, _video_url) so each rule has its own message."""

    model_config = ConfigDict(extra="ignore")
    element_name: Any = Field(default=None, description="Name of the element, at most 20 characters",
                              json_schema_extra={"type": "string", "maxLength": limits.ELEMENT_NAME_MAX_CHARS})
    element_description: Any = Field(default=None, description="Description, at most 100 characters",
                                     json_schema_extra={"type": "string",
                                                        "maxLength": limits.ELEMENT_DESCRIPTION_MAX_CHARS})
    reference_type: Any = Field(default=None, description="video_refer: the element is made from a video",
                                json_schema_extra={"enum": list(limits.ELEMENT_REFERENCE_TYPES)})
    element_video_list: Any = Field(default=None, description="{\"video_url\": ...}: one face video; required "
                                    "when reference_type is video_refer")


class CustomElementBody(BaseModel):
    """Seed 004's request: Kling Custom Element."""

    model_config = ConfigDict(extra="ignore")
    model: Literal["kling-custom-element"]
    model_params: ElementParams
    callback_url: str = Field(default="", max_length=2048)
    external_task_id: str = Field(default="", max_length=255)

    def to_element_request(self) -> ElementRequest:
        p = self.model_params
        name, description = check_element_text(p.element_name, p.element_description, prefix="model_params.")
        if p.reference_type not in limits.ELEMENT_REFERENCE_TYPES:
            raise rule_violation(InvalidInput, "model_params.reference_type",
                                 f"must be one of {', '.join(limits.ELEMENT_REFERENCE_TYPES)}", repr(p.reference_type))
        return ElementRequest(name, description, _video_url(p.element_video_list), self.callback_url,
                              self.external_task_id)


def _video_url(value: Any) -> str:
    """The one face video's URL from ``element_video_list`` (an object, or a list of one)."""
    field = "model_params.element_video_list"
    if value is None:
        raise rule_violation(InvalidInput, field, "is required when reference_type is video_refer", "nothing")
    items = value if isinstance(value, list) else [value]
    if len(items) != limits.ELEMENT_VIDEOS:
        raise rule_violation(InvalidInput, field, f"must hold exactly {limits.ELEMENT_VIDEOS} video",
                             f"{len(items)} videos")
    item = items[0]
    url = item.get("video_url") if isinstance(item, dict) else None
    if not isinstance(url, str) or not url:
        raise rule_violation(InvalidInput, f"{field}.video_url", "is required: the face video's URL", repr(item))
    return url


def task_answer(request: Request, services: Services, task: Any) -> dict[str, Any]:
    return {**unified_data(task, services.links(base_url(request, services))), "request_id": request_id(request)}


async def create_element(request: Request, body: BaseModel) -> dict[str, Any]:
    """The catalogue's create hook for kling-custom-element: checks, the video fetched and checked,
    then the creation task (1 unit reserved, refunded on failure), on a submission thread."""
    services: Services = request.app.state.services
    gate: Gate = request.app.state.gate
    assert isinstance(body, CustomElementBody)
    req = body.to_element_request()
    own = (str(request.base_url).rstrip("/"), services.settings.public_url)
    task = await gate.run(_create, services, gate, int(request.state.account_id), req, own)
    return task_answer(request, services, task)


def _create(services: Services, gate: Gate, account_id: int, req: Any, own: tuple[str, ...]) -> Any:
    """As a generation's submission: the rate limit, then the account's admission slot while the
    face video downloads, so a slow sender holds only its own account's submissions."""
    gate.rate_limiter.check(account_id)
    max_active = services.settings.max_active_tasks
    with gate.admission.slot(account_id) as slot:
        services.store.check_capacity(account_id, max_active, slot.others())
        video_key = services.intake.element_video(req.video, own_bases=own)
        slot.fetched()
        task, _ = services.elements.create(account_id, req, video_key, max_active=max_active,
                                           require_units=services.settings.require_units)
    return task


catalogue.register(
    catalogue.ModelSpec(
        id=MODEL,
        name="Kling Custom Element",
        description="Creates a reusable element (a face seen from every angle) from a face video (seed 004); "
        "bind it with element_list (official API) or elements (kling-video-v3-pro-motion-control).",
        body=CustomElementBody,
        endpoint=catalogue.UNIFIED,
        price_model=MODEL,
        modes=("element",),
        resolutions=(),
        kind="element",
        create=create_element,
        extra={"pricing": {"unit": "units per request (1 unit = 1 US dollar, the seeds' currency)",
                           "per_request": CREATION_UNITS, "source": ELEMENT_CREATION_QUOTE,
                           "per_second": {}, "tiers": []}},
    )
)

router = APIRouter(tags=["elements"])


@router.get("/v1/elements", summary="The account's elements, newest first")
def list_elements(request: Request, account: AccountDep, services: ServicesDep, page: PageDep) -> JSONResponse:
    rows = services.elements.list(account.id, page.num, page.size)
    links = services.links(base_url(request, services))
    return envelope_response(request, [element_data(e, services.store.get_any(e.task_id), links) for e in rows])


@router.get("/v1/elements/{element_id}", summary="One element: its status and its bank's views")
def get_element(request: Request, element_id: str, account: AccountDep, services: ServicesDep) -> JSONResponse:
    element = services.elements.get(account.id, element_id)
    links = services.links(base_url(request, services))
    data = element_data(element, services.store.get_any(element.task_id), links)
    if element.bank_key:
        data["bank_url"] = links.blob(element.bank_key)
    return envelope_response(request, data)


@router.delete("/v1/elements/{element_id}", summary="Delete an element and its face bank")
def delete_element(request: Request, element_id: str, account: AccountDep, services: ServicesDep) -> JSONResponse:
    element = services.elements.delete(account.id, element_id)
    return envelope_response(request, {"element_id": element.id, "deleted": True})
