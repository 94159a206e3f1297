"""The nats-server configuration: JetStream on, password hashes only, and each node allowed
its own subjects and consumer only (the real server enforcing it: tests/gov/cli/test_edge.py)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from lfr.edge.credentials.passwords import bcrypt_hash, new_password
from lfr.edge.hub_config import BusUser, ServerPlan, render_config


def _users(config: dict[str, object]) -> dict[str, dict[str, object]]:
    users = config["authorization"]["users"]  # type: ignore[index]
    return {user["user"]: user for user in users}  # type: ignore[union-attr,index]


def test_each_node_may_publish_under_its_own_name_only(tmp_path: Path) -> None:
    plan = ServerPlan(
        store_dir=tmp_path / "js",
        centre=BusUser("centre", "$2b$11$centre"),
        nodes=[BusUser("node1", "$2b$11$one"), BusUser("node2", "$2b$11$two")],
    )
    config = json.loads(render_config(plan))
    assert config["jetstream"]["store_dir"] == str(tmp_path / "js")
    users = _users(config)
    assert set(users) == {"centre", "node1", "node2"}
    node1 = users["node1"]["permissions"]
    published = node1["publish"]["allow"]  # type: ignore[index]
    assert "lfr.up.node1.>" in published
    assert not [s for s in published if "node2" in s or s in ("$JS.API.>", ">")]
    # the hub's reply subjects, for a leaf's answers to the hub's sourcing requests
    assert all("node1" in s for s in published if s != "$JSC.R.>")
    subscribed = node1["subscribe"]["allow"]  # type: ignore[index]
    assert "_INBOX.node1.>" in subscribed
    assert "$JS.node1.API.>" in subscribed  # the hub's requests to node1's leaf only
    assert not [s for s in subscribed if "node2" in s or s in ("_INBOX.>", ">")]
    assert users["node1"]["password"] == "$2b$11$one"
    assert "leafnodes" not in config  # no leaf port unless asked for


def test_the_hub_listens_for_leaves_in_a_domain_of_its_own(tmp_path: Path) -> None:
    plan = ServerPlan(
        store_dir=tmp_path / "js",
        centre=BusUser("centre", "$2b$11$centre"),
        nodes=[BusUser("node1", "$2b$11$one")],
        leaf_port=7422,
    )
    config = json.loads(render_config(plan))
    assert config["leafnodes"]["port"] == 7422
    assert config["jetstream"]["domain"] == "centre"


@pytest.mark.real_password_hashing
def test_bus_passwords_are_bcrypt_hashed_and_verify() -> None:
    password = new_password()
    hashed = bcrypt_hash(password)
    assert hashed.startswith("$2b$11$") and password not in hashed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt

    assert crypt.crypt(password, hashed) == hashed
    assert crypt.crypt(password + "x", hashed) != hashed
    assert bcrypt_hash(password) != hashed  # salted
