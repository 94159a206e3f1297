"""The edge machine's leaf server configuration (``lfr nats leaf-config``): local clients only,
JetStream in the node's own domain and encrypted at rest, logged in to the hub as the node, and
alerts, counts and reports kept from crossing except as the hub's sourced copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lfr.edge.leaf import LeafPlan, hub_sources, render_leaf_config
from lfr.errors import LfrError


def _plan(tmp_path: Path, hub_url: str = "nats-leaf://centre.example:7422") -> LeafPlan:
    return LeafPlan("node1", "pw-Abc_123", hub_url, tmp_path / "store", port=4333)


def test_the_leaf_keeps_its_store_encrypted_in_the_nodes_domain(tmp_path: Path) -> None:
    config = json.loads(render_leaf_config(_plan(tmp_path)))
    assert config["host"] == "127.0.0.1" and config["port"] == 4333
    jetstream = config["jetstream"]
    assert jetstream["domain"] == "node1"
    assert jetstream["cipher"] == "chachapoly" and len(jetstream["key"]) >= 32
    assert json.loads(render_leaf_config(_plan(tmp_path)))["jetstream"]["key"] != jetstream["key"]
    [user] = config["authorization"]["users"]
    assert user["user"] == "node1" and user["password"].startswith("$2b$")
    [remote] = config["leafnodes"]["remotes"]
    assert remote["urls"] == ["nats-leaf://node1:pw-Abc_123@centre.example:7422"]
    assert sorted(remote["deny_exports"]) == [
        "lfr.up.node1.alert.>",
        "lfr.up.node1.counts.>",
        "lfr.up.node1.report.>",
    ]


@pytest.mark.parametrize("url", ["centre.example:7422", "nats-leaf://someone@centre:7422"])
def test_a_hub_url_without_a_scheme_or_with_a_login_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(LfrError, match="nats-leaf://host:port"):
        render_leaf_config(_plan(tmp_path, url))


def test_the_hub_sources_each_nodes_leaf_through_its_domain() -> None:
    sources = hub_sources("LFR_ALERTS", ("node2", "node1"))
    assert [(s.name, s.external.api, s.external.deliver) for s in sources if s.external] == [
        ("LFR_EDGE_ALERTS", "$JS.node1.API", "lfr.deliver.node1"),
        ("LFR_EDGE_ALERTS", "$JS.node2.API", "lfr.deliver.node2"),
    ]
