"""The edge nodes allowed on the bus (issue 9): added and removed by an admin, audited.

A node is an account on the bus, so managing nodes is managing accounts (``user.manage``).
Only the bcrypt hash of a node's password is stored; the password goes once into the node's
credentials file. Removing a node deletes it here; nats-server refuses it once its
configuration is written again (``lfr nats config``) and reloaded.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.edge.credentials.files import BusCredentials
from lfr.edge.credentials.passwords import bcrypt_hash, new_password
from lfr.edge.hub_config import BusUser
from lfr.edge.protocol import check_node_name
from lfr.errors import NotFoundError, StateError
from lfr.store.crypto import new_key
from lfr.store.deployment_keys import deployment_cipher
from lfr.store.tables import EdgeNode


@dataclass(frozen=True, slots=True)
class NodeInfo:
    name: str
    created_at: datetime
    created_by: str


def add_node(services: Services, actor: Actor, name: str) -> BusCredentials:
    """Register ``name``; its credentials (the only copy of its password)."""
    require(actor, Action.USER_MANAGE)
    check_node_name(name)
    password, key = new_password(), new_key()
    with services.transaction() as session:
        if session.scalar(select(EdgeNode.id).where(EdgeNode.name == name)) is not None:
            raise StateError(f"node {name} exists (remove it first to issue new credentials)")
        session.add(
            EdgeNode(
                name=name,
                password_hash=bcrypt_hash(password),
                key_enc=services.cipher.seal(key, _key_aad(name)),
                created_at=services.clock(),
                created_by=actor.username,
            )
        )
        services.record(session, actor.username, "edge.add", _target(name), {"node": name})
    return BusCredentials(name, password, base64.b64encode(key).decode())


def node_key(services: Services, name: str) -> bytes:
    """The AES key of a registered node (NotFoundError once it is removed)."""
    with services.transaction() as session:
        node = session.scalar(select(EdgeNode).where(EdgeNode.name == name))
        if node is None:
            raise NotFoundError(f"no node named {name}")
        return bytes(services.cipher.open(node.key_enc, _key_aad(name)))


def crop_key(services: Services, node: str, deployment_id: int) -> bytes:
    """The key ``node`` seals ``deployment_id``'s alert crops with: derived from the
    deployment's data key whenever needed (never stored), given to the node inside that
    deployment's sealed snapshot and forgotten by it at the wipe. The node's own key, kept on
    its disk, opens none of them."""
    with services.transaction() as session:
        cipher = deployment_cipher(session, services.cipher, deployment_id)
        return cipher.derive_key(f"edge crops:{check_node_name(node)}:{int(deployment_id)}")


def remove_node(services: Services, actor: Actor, name: str) -> None:
    require(actor, Action.USER_MANAGE)
    with services.transaction() as session:
        node = session.scalar(select(EdgeNode).where(EdgeNode.name == name))
        if node is None:
            raise NotFoundError(f"no node named {name}")
        session.delete(node)
        services.record(session, actor.username, "edge.remove", _target(name), {"node": name})


def list_nodes(services: Services, actor: Actor) -> list[NodeInfo]:
    require(actor, Action.USER_MANAGE)
    with services.transaction() as session:
        rows = session.scalars(select(EdgeNode).order_by(EdgeNode.name)).all()
        return [NodeInfo(r.name, r.created_at, r.created_by) for r in rows]


def nodes_for_config(services: Services, actor: Actor, written_to: str) -> list[BusUser]:
    """Every registered node with its password hash, for the server's configuration; audited
    with the nodes it names, so the log shows when a removed node lost its access."""
    require(actor, Action.USER_MANAGE)
    with services.transaction() as session:
        rows = session.scalars(select(EdgeNode).order_by(EdgeNode.name)).all()
        users = [BusUser(r.name, r.password_hash) for r in rows]
        services.record(
            session,
            actor.username,
            "nats.config",
            "nats",
            {"nodes": [u.name for u in users], "file": written_to[:200]},
        )
        return users


def _target(name: str) -> str:
    return f"edge:{name}"


def _key_aad(name: str) -> bytes:
    return f"edge:{name}:key".encode()
