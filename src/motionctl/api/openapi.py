"""OpenAPI: request bodies documented from the same pydantic models that validate them, their nested
models registered under ``components/schemas`` so every ``$ref`` resolves, and the bearer scheme
(an API key, or a Kling-style HS256 JWT) declared and required on every endpoint but the open ones."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

REF = "#/components/schemas/{model}"
_BODIES: dict[str, type[BaseModel]] = {}
OPEN_PATHS = ("/healthz", "/readyz", "/metrics", "/v1/files/{key}")


def body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route whose JSON body is read by hand: a $ref to ``model``'s schema."""
    _BODIES[model.__name__] = model
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
        }
    }


def bodies_doc(models: list[type[BaseModel]]) -> dict[str, Any]:
    """One body, any of ``models`` (the unified endpoint: one per model id, told apart by ``model``)."""
    for m in models:
        _BODIES[m.__name__] = m
    refs = [{"$ref": REF.format(model=m.__name__)} for m in models]
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": refs}}}}}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, model in list(_BODIES.items()):
            schema = model.model_json_schema(ref_template=REF)
            schemas.update(schema.pop("$defs", {}))
            schemas[name] = schema
        doc["components"]["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "API key (mk_...) or JWT (HS256, iss = access key, signed with the secret key)",
                "description": "Authorization: Bearer <api_key>, or a Kling-style JWT",
            }
        }
        for path, ops in doc.get("paths", {}).items():
            if path in OPEN_PATHS:
                continue
            for op in ops.values():
                if isinstance(op, dict):
                    op["security"] = [{"bearer": []}]
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
