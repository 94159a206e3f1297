"""Registering edge nodes: admin only, audited, the password kept only as a bcrypt hash."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lfr.access.services import Services
from lfr.edge.centre.nodes import add_node, list_nodes, nodes_for_config, remove_node
from lfr.errors import NotFoundError, PermissionDeniedError, StateError
from lfr.store.tables import EdgeNode
from tests.gov.conftest import ADMIN, OPERATOR
from tests.gov.factories import audit_actions, audit_count


def test_an_admin_adds_a_node_whose_password_is_kept_only_as_a_hash(services: Services) -> None:
    credentials = add_node(services, ADMIN, "node1")
    assert credentials.user == "node1"
    with services.transaction() as session:
        stored = session.scalars(select(EdgeNode)).one()
        assert stored.password_hash.startswith("$2") and credentials.password not in (
            stored.password_hash
        )
    assert [n.name for n in list_nodes(services, ADMIN)] == ["node1"]
    assert audit_actions(services)[-1] == "edge.add"
    with pytest.raises(StateError):
        add_node(services, ADMIN, "node1")


def test_only_an_admin_manages_nodes_and_a_refusal_writes_nothing(services: Services) -> None:
    before = audit_count(services)
    with pytest.raises(PermissionDeniedError):
        add_node(services, OPERATOR, "node1")
    with pytest.raises(PermissionDeniedError):
        nodes_for_config(services, OPERATOR, "nats.conf")
    assert audit_count(services) == before
    assert list_nodes(services, ADMIN) == []


def test_a_removed_node_leaves_the_configuration_and_the_removal_is_audited(
    services: Services,
) -> None:
    add_node(services, ADMIN, "node1")
    add_node(services, ADMIN, "node2")
    remove_node(services, ADMIN, "node1")
    assert [u.name for u in nodes_for_config(services, ADMIN, "nats.conf")] == ["node2"]
    assert audit_actions(services)[-2:] == ["edge.remove", "nats.config"]
    with pytest.raises(NotFoundError):
        remove_node(services, ADMIN, "node1")
