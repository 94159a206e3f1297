"""``lfr serve``: its composition, its session key, and the demo content of ``--demo``.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.api.demo_data import CREDENTIALS_FILE, seed_demo
from lfr.cli import build_parser, serve
from lfr.config import Settings
from lfr.errors import LfrError
from lfr.governance.deployments import assignments, lifecycle
from lfr.ingest.synthetic import demo_watchlist_image
from tests.api.helpers import FakeCameras, FakeEnroller, login
from tests.gov.factories import add_users, audit_entries

pytestmark = pytest.mark.backends("sqlite")


def test_serve_parses_its_options() -> None:
    args = build_parser().parse_args(["serve", "--port", "9000", "--demo"])
    assert (args.host, args.port, args.demo, args.secure_cookies) == (
        "127.0.0.1",
        9000,
        True,
        "auto",
    )
    assert args.handler is serve.run_serve


def test_secure_cookies_are_off_only_on_loopback() -> None:
    assert serve._secure("auto", "127.0.0.1") is False
    assert serve._secure("auto", "localhost") is False
    assert serve._secure("auto", "0.0.0.0") is True
    assert serve._secure("auto", "lfr.example") is True
    assert serve._secure("no", "0.0.0.0") is False and serve._secure("yes", "::1") is True


def test_the_session_key_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    key = serve.session_key(tmp_path, {})
    assert len(key) == 32 and serve.session_key(tmp_path, {}) == key
    path = tmp_path / "keys" / serve.SESSION_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(LfrError, match="at least 32 bytes"):
        serve.session_key(tmp_path, {"LFR_SESSION_KEY": "c2hvcnQ="})


def test_the_demo_is_ready_to_start_and_idempotent(services: Services) -> None:
    setup = seed_demo(services, FakeEnroller(), demo_watchlist_image())
    again = seed_demo(services, FakeEnroller(), demo_watchlist_image())
    assert again == setup
    roles = {entry["role"] for entry in setup.credentials.values()}
    assert roles == {r.value for r in Role if r is not Role.SYSTEM}
    assert [e["role"] for e in setup.credentials.values()].count("authorising_officer") == 2
    path = services.data_dir / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    olive = Actor("olive", Role.OPERATOR)
    view = lifecycle.get_deployment(services, olive, setup.deployment_id)
    assert (view.state, view.planner, view.authorised_by) == ("authorised", "olive", "arthur")
    assert view.signage_reference and view.cameras == {"demo": "demo"}
    assert lifecycle.readiness(services, olive, setup.deployment_id) == []
    assigned = assignments.list_assignments(services, olive, setup.deployment_id)
    assert [(a.username, a.role) for a in assigned] == [  # they see its alerts (need to know)
        ("fred", Role.FIELD_OFFICER),
        ("olive", Role.OPERATOR),
    ]


def test_the_demo_refuses_a_data_dir_that_is_not_a_demo(services: Services) -> None:
    add_users(services)
    with pytest.raises(LfrError, match="not a demo"):
        seed_demo(services, FakeEnroller(), demo_watchlist_image())


def test_the_demo_operator_logs_in_and_starts_the_cameras(
    services: Services, web_config: object
) -> None:
    from lfr.api import create_app
    from lfr.events import InMemoryEventBus

    setup = seed_demo(services, FakeEnroller(), demo_watchlist_image())
    cameras = FakeCameras()
    app = create_app(services, InMemoryEventBus(), web_config, cameras=cameras)  # type: ignore[arg-type]
    client = TestClient(app)
    login(client, "olive", setup.credentials["olive"]["password"])
    started = client.post(f"/api/deployments/{setup.deployment_id}/start", json={})
    assert started.status_code == 200 and started.json()["cameras_started"] is True
    assert cameras.runs == [("olive", setup.deployment_id)]


def test_serve_composes_the_app_and_starts_the_purge(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lfr.app import init_data_dir

    init_data_dir(settings)
    monkeypatch.setenv("LFR_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("LFR_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("LFR_SESSION_KEY", raising=False)
    served: list[FastAPI] = []

    def fake_run(self: uvicorn.Server) -> None:
        app = self.config.app
        assert isinstance(app, FastAPI)
        served.append(app)
        response = TestClient(app).get("/public")
        assert response.status_code == 200

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    args = build_parser().parse_args(["serve", "--port", "8123"])
    args.data_dir = None
    assert serve.run_serve(args) == 0
    assert len(served) == 1
    assert (settings.data_dir / "keys" / serve.SESSION_KEY_FILE).is_file()
    from lfr.app import build_services

    check = build_services(settings, os.environ)
    try:
        assert audit_entries(check, "retention.purge")
    finally:
        check.db.dispose()


def test_serve_refuses_a_bad_purge_interval() -> None:
    args = argparse.Namespace(purge_every=0)
    with pytest.raises(LfrError, match="purge-every"):
        serve.run_serve(args)
