"""Which machine runs a camera: ``SPEC@node1`` runs on edge node ``node1``; a spec without a
node suffix runs inside ``lfr serve`` as before.

The suffix is what follows the last ``@`` when it is a node name (``edge_protocol.NODE_NAME``:
no dots, so never a host) and, for a URL, the ``@`` comes after its path starts - so the
credentials of ``rtsp://user:pw@host/x`` are never taken for a node.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.services import Services
from lfr.governance.states import DeploymentState
from lfr.node_names import CENTRE_USER, NODE_NAME
from lfr.store.tables import Deployment, EdgeNode


def split_node(spec: str) -> tuple[str, str | None]:
    """(source, node) of a camera spec; node None for an in-process camera."""
    source, at, node = spec.strip().rpartition("@")
    if not at or not source or not NODE_NAME.match(node) or node == CENTRE_USER:
        return spec.strip(), None
    if "://" in source and "/" not in source.split("://", 1)[1]:
        return spec.strip(), None  # rtsp://user@host: the '@' is the URL's own
    return source, node


def sources_only(cameras: Mapping[str, str]) -> dict[str, str]:
    """Every camera's source, node suffix removed (what the source rules check)."""
    return {name: split_node(spec)[0] for name, spec in cameras.items()}


def in_process(cameras: Mapping[str, str]) -> dict[str, str]:
    """The cameras ``lfr serve`` runs itself."""
    return {name: spec for name, spec in cameras.items() if split_node(spec)[1] is None}


def by_node(cameras: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """node -> {camera: source} of the cameras on edge nodes."""
    nodes: dict[str, dict[str, str]] = {}
    for name, spec in cameras.items():
        source, node = split_node(spec)
        if node is not None:
            nodes.setdefault(node, {})[name] = source
    return nodes


def node_names(row: Deployment) -> dict[str, list[str]]:
    """node -> its cameras' names, read from the redacted sources (the suffix survives
    redaction, so no credential is opened to learn where a camera runs)."""
    named: dict[str, list[str]] = {}
    for camera, value in row.cameras.items():
        node = split_node(_shown(value))[1]
        if node is not None:
            named.setdefault(node, []).append(str(camera))
    return named


NOT_RUNNING = "it is not running"
CANNOT_RUN = "it cannot run (serve with lfr serve --nats URL)"


def cameras_without_bus(row: Deployment, consequence: str = NOT_RUNNING) -> list[str]:
    """For a control centre not connected to NATS: each node camera, which nothing runs
    (the in-process host runs only ``in_process`` cameras)."""
    return [
        f"{'camera' if len(cameras) == 1 else 'cameras'} {', '.join(cameras)}"
        f" {'is' if len(cameras) == 1 else 'are'} on node {node},"
        f" but this control centre is not connected to NATS: {consequence}"
        for node, cameras in sorted(node_names(row).items())
    ]


def unregistered_nodes(session: Session, row: Deployment) -> list[str]:
    """A go-live condition: every node a camera names is registered (``lfr edge add``)."""
    named = node_names(row)
    if not named:
        return []
    known = set(session.scalars(select(EdgeNode.name).where(EdgeNode.name.in_(named))))
    return [
        f"camera {', '.join(cameras)}: no edge node named {node} (lfr edge add {node})"
        for node, cameras in sorted(named.items())
        if node not in known
    ]


def live_cameras(
    services: Services, deployment_id: int | None = None
) -> dict[int, dict[str, str | None]]:
    """Each live deployment's cameras (``deployment_id``: only that one's), each with the node
    that runs it (None: ``lfr serve``), read from the redacted sources."""
    query = select(Deployment).where(Deployment.state == DeploymentState.LIVE)
    if deployment_id is not None:
        query = query.where(Deployment.id == deployment_id)
    with services.transaction() as session:
        return {
            row.id: {
                str(camera): split_node(_shown(value))[1] for camera, value in row.cameras.items()
            }
            for row in session.scalars(query)
        }


def _shown(value: object) -> str:
    return str(value.get("shown", "")) if isinstance(value, Mapping) else str(value)
