"""``lfr edge add/remove`` and ``lfr nats config`` against a real nats-server: each node is kept
to its own subjects by the server itself, and a removed node is refused after a reload."""

from __future__ import annotations

import asyncio
import contextlib
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError

from lfr.access.services import Services
from lfr.app import build_services
from lfr.cli import main
from lfr.config import Settings
from lfr.edge import protocol as proto
from lfr.edge.credentials.files import BusCredentials, centre_credentials, read_credentials
from lfr.edge.jetstream import connect, ensure_node_consumer, ensure_streams
from lfr.edge.protocol import StopCommand
from lfr.store.keys import key_dir
from tests.gov.factories import audit_entries
from tests.nats_server import NatsServer, free_port
from tests.waiting import wait_until

ADMIN_PASSWORD = "admin pass phrase 1"


@pytest.fixture
def opened(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    """An initialised data directory (admin "ada", acting through $LFR_USER/$LFR_PASSWORD)."""
    data = tmp_path / "state"
    monkeypatch.setenv("LFR_DATA_DIR", str(data))
    monkeypatch.setenv("LFR_DATABASE_URL", database_url)
    monkeypatch.delenv("LFR_DATA_KEY", raising=False)
    monkeypatch.setenv("LFR_USER", "ada")
    monkeypatch.setenv("LFR_PASSWORD", ADMIN_PASSWORD)
    assert main(["init", "--admin", "ada"]) == 0
    services = build_services(Settings(data_dir=data, database_url=database_url), {})
    yield services
    services.db.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[NatsServer]:
    """Not started: the test writes its configuration first."""
    port = free_port()
    running = NatsServer(tmp_path / "nats.conf", port, tmp_path / "nats.log")
    yield running
    running.stop()


def _write_config(tmp_path: Path, server: NatsServer) -> None:
    args = ["nats", "config", "--out", str(server.config), "--host", "127.0.0.1"]
    args += ["--port", str(server.port), "--store-dir", str(tmp_path / "jetstream")]
    args += ["--leaf-port", _leaf_port(tmp_path)]
    assert main(args) == 0


def _leaf_port(tmp_path: Path) -> str:
    """One per test: a reload cannot move the leaf-node listener."""
    chosen = tmp_path / "leaf_port"
    if not chosen.exists():
        chosen.write_text(str(free_port()))
    return chosen.read_text()


async def _set_up_centre(url: str, centre: BusCredentials) -> None:
    client = await connect(url, centre)
    js = client.jetstream()
    await ensure_streams(js)
    for node in ("node1", "node2"):
        await ensure_node_consumer(js, node)
    await js.publish(proto.command_subject("node2", StopCommand(7, "ended")), b"for node2 only")
    await client.close()


async def _node1_tries_node2s_subjects(url: str, node1: BusCredentials) -> list[str]:
    """What node1 may do with its own subjects, and the server's answers to it using node2's."""
    refusals: list[str] = []

    async def on_error(error: Exception) -> None:
        refusals.append(str(error))

    client = await connect(url, node1, error_cb=on_error)
    js = client.jetstream()
    own = await js.publish(proto.alert_subject("node1", 7), b"{}", headers={"Nats-Msg-Id": "a1"})
    assert own.stream == proto.ALERTS_STREAM
    with pytest.raises(NatsTimeoutError):  # refused: no stream ever acknowledges it
        await js.publish(proto.alert_subject("node2", 7), b"{}", timeout=1)
    other = await js.pull_subscribe_bind(proto.down_consumer("node2"), proto.DOWN_STREAM)
    with pytest.raises(NatsTimeoutError):  # node2's command never reaches node1
        await other.fetch(1, timeout=1)
    await client.subscribe(proto.down_subjects("node2"))
    await client.subscribe("_INBOX.>")
    await client.flush()
    await asyncio.sleep(0.5)  # the server's -ERR lines arrive after the flush
    await client.close()
    return refusals


async def _can_connect(url: str, credentials: BusCredentials) -> bool:
    try:
        client = await connect(url, credentials, reconnect=False)
    except (NatsError, OSError):
        return False
    with contextlib.suppress(OSError):  # a reload dropped it meanwhile: it did connect
        await client.close()
    return True


def test_each_node_is_kept_to_its_own_subjects_and_a_removed_node_is_refused(
    opened: Services, tmp_path: Path, server: NatsServer
) -> None:
    node1_file, node2_file = tmp_path / "node1.json", tmp_path / "node2.json"
    assert main(["edge", "add", "node1", "--out", str(node1_file)]) == 0
    assert main(["edge", "add", "node2", "--out", str(node2_file)]) == 0
    assert stat.S_IMODE(node1_file.stat().st_mode) == 0o600
    node1 = read_credentials(node1_file)
    assert node1.user == "node1"
    _write_config(tmp_path, server)
    config_text = server.config.read_text()
    assert node1.password not in config_text  # only its bcrypt hash
    assert stat.S_IMODE(server.config.stat().st_mode) == 0o600
    server.start()
    centre = centre_credentials(key_dir(opened.data_dir))

    asyncio.run(_set_up_centre(server.url, centre))
    refusals = asyncio.run(_node1_tries_node2s_subjects(server.url, node1))

    assert any('publish to "lfr.up.node2.alert.7"' in r for r in refusals), refusals
    assert any("lfr_down.down-node2" in r.lower() for r in refusals), refusals
    assert any('subscription to "lfr.down.node2.>"' in r for r in refusals), refusals
    assert any('subscription to "_inbox.>"' in r.lower() for r in refusals), refusals

    assert main(["edge", "remove", "node1"]) == 0
    _write_config(tmp_path, server)
    server.reload()
    node2 = read_credentials(node2_file)
    # the reload is applied a moment after the signal
    wait_until(lambda: not asyncio.run(_can_connect(server.url, node1)), what="node1 refused")
    assert asyncio.run(_can_connect(server.url, node2))
    actions = [(e.action, e.target) for e in audit_entries(opened)]
    assert ("edge.add", "edge:node1") in actions
    assert ("edge.remove", "edge:node1") in actions
    assert [a for a, _ in actions].count("nats.config") == 2


def test_a_node_with_a_wrong_password_is_refused(
    opened: Services, tmp_path: Path, server: NatsServer
) -> None:
    node_file = tmp_path / "node1.json"
    assert main(["edge", "add", "node1", "--out", str(node_file)]) == 0
    _write_config(tmp_path, server)
    server.start()
    stolen_name = BusCredentials("node1", json.loads(node_file.read_text())["password"] + "x")
    assert not asyncio.run(_can_connect(server.url, stolen_name))
    assert asyncio.run(_can_connect(server.url, read_credentials(node_file)))


def test_edge_add_refuses_an_existing_file_and_registers_nothing(
    opened: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "taken.json"
    existing.write_text("keep me")
    assert main(["edge", "add", "node1", "--out", str(existing)]) != 0
    assert existing.read_text() == "keep me"
    assert "never overwritten" in capsys.readouterr().err
    assert main(["edge", "add", "node1", "--out", str(tmp_path / "fresh.json")]) == 0
