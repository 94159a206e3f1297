"""The OpenAPI document lists every error response with the shape ``errors.py`` actually sends.

FastAPI documents only 422, and with its own shape. After the document is built, each operation
gets the error family that applies to it: 400, 404, 409, 500 and 503 everywhere (any service may
refuse, find nothing or lose its database); 401 and 403 where a login is needed; 422 where
there is input; 413 where there is a body. These are shared responses (``components/responses``)
that the operations refer to. A route documents what only it sends (a refused stream, a wrong
password) in its own ``responses=``, without content: the error shape is added here. A route's
own error model (an upload's per-file problems) is kept beside the shared one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute

from lfr.api.deps import current_actor
from lfr.api.schemas.base import ErrorPublic, ValidationErrorPublic

REF = "#/components/schemas/{model}"
FASTAPI_422 = ("HTTPValidationError", "ValidationError")

EVERYWHERE = {
    400: "refused as asked: the message says why",
    404: "no such object",
    409: "the object is not in a state that allows this",
    500: "internal error (the details are only in the server log)",
    503: "the database is unavailable, or this server lacks what the request needs"
    " (face models, a camera host)",
}
LOGIN = {
    401: "not logged in, or the session or token expired or was revoked",
    403: "this role may not do this, or a page's change came without its CSRF token",
}
INPUT = {422: "a parameter or field is invalid (each is listed in errors), or the policy refuses"}
BODY = {413: "the request body is over the size limit"}
SHARED = {**EVERYWHERE, **LOGIN, **INPUT, **BODY}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}


def install(app: FastAPI) -> None:
    """Wrap ``app.openapi``: each document FastAPI builds gets its error responses once."""
    build = app.openapi
    done: list[dict[str, Any]] = []

    def documented() -> dict[str, Any]:
        document = build()
        if not any(document is seen for seen in done):
            add_error_responses(document, app.routes)
            done[:] = [document]
        return document

    app.openapi = documented  # type: ignore[method-assign]


def add_error_responses(document: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    for route, method in operations(routes):
        operation = document["paths"][route.path_format][method]
        responses = operation.setdefault("responses", {})
        for status, description in error_statuses(route.dependant, operation).items():
            responses[str(status)] = _documented(responses.get(str(status)), status, description)
        operation["responses"] = dict(sorted(responses.items()))
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_error_schemas())
    for name in FASTAPI_422:  # FastAPI's own 422 shape, which the app never sends
        schemas.pop(name, None)
    shared = {response_name(s): _error_response(s, d) for s, d in sorted(SHARED.items())}
    components["responses"] = {**components.get("responses", {}), **shared}


def error_statuses(dependant: Dependant, operation: dict[str, Any]) -> dict[int, str]:
    statuses = dict(EVERYWHERE)
    if needs_login(dependant):
        statuses.update(LOGIN)
    if operation.get("parameters") or "requestBody" in operation:
        statuses.update(INPUT)
    if "requestBody" in operation:
        statuses.update(BODY)
    for status in operation.get("responses", {}):
        if status.isdigit() and int(status) >= 400 and int(status) not in statuses:
            statuses[int(status)] = operation["responses"][status].get("description", "")
    return dict(sorted(statuses.items()))


def needs_login(dependant: Dependant) -> bool:
    return dependant.call is current_actor or any(
        needs_login(sub) for sub in dependant.dependencies
    )


def operations(routes: Sequence[BaseRoute]) -> Iterator[tuple[RouteContext, str]]:
    """Each documented (route as mounted, lower-case method); routers' prefixes applied."""
    for route in iter_route_contexts(routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                yield route, method.lower()


def response_name(status: int) -> str:
    """``NotFound`` for 404: the shared response's name in ``components/responses``."""
    return HTTPStatus(status).phrase.title().replace(" ", "")


def _documented(existing: dict[str, Any] | None, status: int, description: str) -> dict[str, Any]:
    own = (existing or {}).get("content", {}).get("application/json", {}).get("schema")
    if existing is None or (own or {}).get("$ref") in _fastapi_422_refs():
        return {"$ref": f"#/components/responses/{response_name(status)}"}
    response = {**_error_response(status, existing.get("description") or description), **existing}
    shape = _shape(status)
    if own is not None and own != shape:
        shape = {"anyOf": [own, shape]}
    response["content"] = {"application/json": {"schema": shape}}
    return response


def _error_response(status: int, description: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _shape(status)}},
    }
    if status == 401:
        response["headers"] = WWW_AUTHENTICATE
    return response


def _shape(status: int) -> dict[str, Any]:
    model = ValidationErrorPublic if status == 422 else ErrorPublic
    return {"$ref": REF.format(model=model.__name__)}


def _fastapi_422_refs() -> tuple[str, ...]:
    return tuple(REF.format(model=name) for name in FASTAPI_422)


def _error_schemas() -> dict[str, Any]:
    models = [(ErrorPublic, "serialization"), (ValidationErrorPublic, "serialization")]
    _, top = models_json_schema(models, ref_template=REF)  # type: ignore[arg-type]
    schemas: dict[str, Any] = top["$defs"]
    return schemas
