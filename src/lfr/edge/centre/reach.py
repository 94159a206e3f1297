"""What a supervisor must be told when a live deployment's cameras name edge nodes but this
control centre is not connected to NATS (``lfr serve`` without ``--nats``): nothing runs
them, and the deployment page says so plainly rather than showing no camera at all."""

from __future__ import annotations

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.governance.deployments.camera_nodes import cameras_without_bus
from lfr.governance.states import DeploymentState
from lfr.store.tables import Deployment


def node_cameras_not_running(services: Services, actor: Actor, deployment_id: int) -> list[str]:
    """One line per node of a live deployment whose cameras cannot run because this centre
    has no bus (empty when connected, when unknown, or when the deployment is not live)."""
    require(actor, Action.DEPLOYMENT_READ)
    if services.edge_bus is not False:
        return []
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        if row is None or row.state != DeploymentState.LIVE:
            return []
        return cameras_without_bus(row)
