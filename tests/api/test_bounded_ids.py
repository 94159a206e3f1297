"""Every whole number a route takes, in its path or its query, pages included, is bounded: a huge
one is refused with 422 and the app's error shape, never a 500 or a reset connection.

The cases are found in the app's own routes, so a route added later is covered by itself."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Union, cast, get_args, get_origin

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.events import InMemoryEventBus
from tests.api.conftest import SESSION_KEY
from tests.api.helpers import bearer
from tests.gov.conftest import JUDGE
from tests.gov.factories import add_users, make_plan

HUGE = 99999999999999999999999
# Who to ask as: the first whose role may call the route (a refusal of the role comes first);
# oversight reads nearly everything, the watchlist manager the rest (a login costs argon2).
USERS = ("oscar", "wendy", "olive", "arthur", "fred", "ada", "judge-jones")


@dataclass(frozen=True)
class NumberParam:
    method: str
    path: str
    where: str  # "path" or "query"
    name: str
    other_path_params: tuple[tuple[str, bool], ...]  # (name, is a number)
    bounded: bool  # the route's own declaration has an upper limit

    def url(self) -> str:
        url = self.path
        for name, is_number in self.other_path_params:
            url = url.replace(f"{{{name}}}", "1" if is_number else "x")
        if self.where == "path":
            return url.replace(f"{{{self.name}}}", str(HUGE))
        return f"{url}?{self.name}={HUGE}"

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where}:{self.name}"


def _is_number(annotation: Any) -> bool:
    """int, Annotated[int, ...] or an optional one (bool is not a number here)."""
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType) or hasattr(annotation, "__metadata__"):
        return any(_is_number(arg) for arg in get_args(annotation))
    return False


def _has_upper_bound(field: Any) -> bool:
    """An upper limit (``le`` or ``lt``) on the parameter, or anywhere inside its type."""
    constraints = [*field.metadata]
    pending = [field.annotation]
    while pending:
        annotation = pending.pop()
        for meta in getattr(annotation, "__metadata__", ()):
            constraints += [meta, *getattr(meta, "metadata", ())]
        pending += get_args(annotation)
    return any(
        getattr(c, "le", None) is not None or getattr(c, "lt", None) is not None
        for c in constraints
    )


def number_params() -> list[NumberParam]:
    """Every (route, method, whole-number parameter) of the app, pages included."""
    app = create_app(cast(Services, None), InMemoryEventBus(), WebConfig(session_key=SESSION_KEY))
    found: list[NumberParam] = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute):
            methods = sorted(route.methods or ())
            found += _numbers_of(route.dependant, str(route.path_format), methods)
    return found


def _numbers_of(dependant: Dependant, path: str, methods: list[str]) -> list[NumberParam]:
    path_params = [(p.name, _is_number(p.field_info.annotation)) for p in dependant.path_params]
    located = [("path", p) for p in dependant.path_params]
    located += [("query", p) for p in dependant.query_params]
    return [
        NumberParam(
            method,
            path,
            where,
            param.alias,
            tuple(p for p in path_params if p[0] != param.name),
            _has_upper_bound(param.field_info),
        )
        for method in methods
        for where, param in located
        if _is_number(param.field_info.annotation)
    ]


NUMBER_PARAMS = number_params()


def test_every_number_a_route_takes_has_an_upper_bound() -> None:
    found = {str(p): p for p in NUMBER_PARAMS}
    for expected in (
        "GET /api/deployments/{deployment_id} path:deployment_id",
        "POST /api/watchlists/{watchlist_id}/entries path:watchlist_id",
        "GET /api/alerts query:deployment_id",
        "GET /deployments/{deployment_id} path:deployment_id",
        "GET /public/deployments/{deployment_id}/poster path:deployment_id",
    ):
        assert expected in found
    unbounded = [name for name, param in found.items() if not param.bounded]
    assert not unbounded, unbounded


@pytest.mark.parametrize("param", NUMBER_PARAMS, ids=str)
def test_a_huge_number_is_refused_with_422(
    app: FastAPI, services: Services, param: NumberParam
) -> None:
    add_users(services, JUDGE)
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    response = client.request(param.method, param.url())  # the public pages need no login
    for username in USERS:
        if response.status_code not in (303, 401, 403):  # 303: a page's way to the login form
            break
        response = client.request(param.method, param.url(), headers=bearer(client, username))
    assert response.status_code == 422, (response.status_code, response.text[:300])
    if param.path.startswith("/api/"):
        body = response.json()
        assert body["detail"].startswith("invalid request:")
        assert [param.where, param.name] in [error["loc"] for error in body["errors"]]
        assert str(HUGE) not in response.text  # what was sent is never echoed
    else:
        assert 'data-testid="error-detail"' in response.text


def test_a_huge_id_in_a_body_is_refused_with_422(app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    plan = {**make_plan(1).model_dump(mode="json"), "watchlist_id": HUGE}
    response = client.post("/api/deployments", json=plan, headers=bearer(client, "olive"))
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "watchlist_id"]]
