"""Operators, field officers and supervisors: the live alert queue, deployments and their
lifecycle, camera health. The pages are thin: their scripts call the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from lfr.access.roles import PERMISSIONS, Action, Actor
from lfr.api.deps import AlertReader, DeploymentReader, State, allowed
from lfr.api.pages.common import render
from lfr.api.schemas.base import RowId
from lfr.edge.centre.reach import node_cameras_not_running
from lfr.governance.authority import requests as independent_authority
from lfr.governance.deployments import assignments, lifecycle
from lfr.governance.deployments.evaluations import deployment_cost
from lfr.governance.law.policy_service import current_policy
from lfr.governance.records.published import find_record, get_record
from lfr.governance.states import DeploymentState
from lfr.governance.watchlists.choices import watchlists_to_plan_with

router = APIRouter(include_in_schema=False)
Planner = Annotated[Actor, Depends(allowed(Action.DEPLOYMENT_PLAN))]


def may(actor: Actor, action: Action) -> bool:
    return actor.role in PERMISSIONS[action]


@router.get("/alerts")
def alerts_page(
    request: Request,
    actor: AlertReader,
    state: State,
    deployment_id: Annotated[RowId | None, Query()] = None,
) -> Response:
    return render(
        state,
        request,
        "alerts.html",
        {
            "title": "Alerts",
            "deployment_id": deployment_id,
            "may_adjudicate": may(actor, Action.ALERT_ADJUDICATE),
            "may_outcome": may(actor, Action.ALERT_OUTCOME),
        },
        actor,
    )


@router.get("/deployments")
def deployments_page(request: Request, actor: DeploymentReader, state: State) -> Response:
    views = lifecycle.list_deployments(state.services, actor)
    return render(
        state,
        request,
        "deployments.html",
        {
            "title": "Deployments",
            "deployments": list(reversed(views)),
            "may_plan": may(actor, Action.DEPLOYMENT_PLAN),
        },
        actor,
    )


@router.get("/deployments/new")
def plan_page(request: Request, actor: Planner, state: State) -> Response:
    policy = current_policy(state.services, actor)
    choices = watchlists_to_plan_with(state.services, actor)
    now = state.services.clock().astimezone(UTC).replace(second=0, microsecond=0)
    return render(
        state,
        request,
        "deployment_new.html",
        {
            "title": "Plan a deployment",
            "policy": policy,
            "watchlists": choices,
            "starts": _local_input(now),
            "ends": _local_input(now + timedelta(hours=min(4, policy.max_deployment_hours))),
        },
        actor,
    )


@router.get("/deployments/{deployment_id}")
def deployment_page(
    deployment_id: RowId, request: Request, actor: DeploymentReader, state: State
) -> Response:
    view = lifecycle.get_deployment(state.services, actor, deployment_id)
    checklist = lifecycle.checklist(state.services, actor, deployment_id)
    record = None
    if view.state == DeploymentState.ENDED:
        record = get_record(state.services, actor, deployment_id)
    elif view.state == DeploymentState.CANCELLED:  # cancelled before 0005: no record
        record = find_record(state.services, actor, deployment_id)
    return render(
        state,
        request,
        "deployment.html",
        {
            "title": f"Deployment {view.id}: {view.name}",
            "d": view,
            "checklist": checklist,
            "ready": all(condition.met for condition in checklist),
            "cost": deployment_cost(state.services, actor, deployment_id),
            "unreviewed": lifecycle.unreviewed_alerts(state.services, actor, deployment_id),
            "record": record,
            "running": state.health.running(deployment_id),
            "not_running": node_cameras_not_running(state.services, actor, deployment_id),
            "assigned": assignments.list_assignments(state.services, actor, deployment_id),
            "authority": independent_authority.get_request(state.services, actor, deployment_id),
            "authority_required": independent_authority.authorisation_required(
                state.services, actor
            ),
            "may": {
                # Never offered to its planner: the server refuses self-authorisation.
                "authorise": may(actor, Action.DEPLOYMENT_AUTHORISE)
                and actor.username != view.planner,
                "signage": may(actor, Action.DEPLOYMENT_SIGNAGE),
                "start": may(actor, Action.DEPLOYMENT_START),
                "run": may(actor, Action.DEPLOYMENT_RUN) and state.cameras is not None,
                "end": may(actor, Action.DEPLOYMENT_END),
                "assign": may(actor, Action.DEPLOYMENT_ASSIGN),
                "request_authority": may(actor, Action.DEPLOYMENT_REQUEST_AUTHORITY),
            },
        },
        actor,
    )


def _local_input(moment: datetime) -> str:
    """A value for <input type=datetime-local>, in UTC (the page says so)."""
    return moment.strftime("%Y-%m-%dT%H:%M")
