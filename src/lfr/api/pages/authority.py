"""The independent authority's pages (EU AI Act Art. 5(3)): the requests submitted to it, and
one request with its justification, window, cameras and entries by reference and category (no
names, no faces, no alerts), with the grant/refuse form (the decision document is hashed in the
browser; only its SHA-256 is sent) and the controls that narrow a grant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lfr.access.roles import Action, Actor
from lfr.api.deps import State, allowed
from lfr.api.pages.common import render
from lfr.api.schemas.base import RowId
from lfr.governance.authority import requests as authority

router = APIRouter(include_in_schema=False)
Authority = Annotated[Actor, Depends(allowed(Action.DEPLOYMENT_INDEPENDENT_DECISION))]


@router.get("/authority")
def requests_page(request: Request, actor: Authority, state: State) -> Response:
    views = authority.list_requests(state.services, actor)
    return render(
        state,
        request,
        "authority.html",
        {"title": "Requests for authorisation", "requests": views, "one": None},
        actor,
    )


@router.get("/authority/{deployment_id}")
def request_page(
    deployment_id: RowId, request: Request, actor: Authority, state: State
) -> Response:
    view = authority.get_request(state.services, actor, deployment_id)
    return render(
        state,
        request,
        "authority.html",
        {"title": f"Request: deployment {deployment_id}", "requests": [], "one": view},
        actor,
    )
