"""Site settings (admins, audited) and what the public pages and posters make of them: the
force's name, contact and complaint address, the policy link, local times with their zone and
the QR code's public URL."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from tests.api.helpers import as_user
from tests.gov.factories import add_deployment, audit_entries

SETTINGS = {
    "force_name": "Metropolitan Police Service",
    "contact": "101, or met.police.uk/contact",
    "complaints": "lfr-complaints@met.police.example",
    "public_url": "https://lfr.met.example/",
    "time_zone": "Europe/London",
}


def test_an_admin_sets_the_site_settings_and_the_change_is_audited(
    app: FastAPI, services: Services
) -> None:
    ada = as_user(app, "ada")
    saved = ada.put("/api/settings", json=SETTINGS)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {**SETTINGS, "public_url": "https://lfr.met.example"}
    assert ada.get("/api/settings").json()["time_zone"] == "Europe/London"
    (entry,) = audit_entries(services, "settings.set")
    assert entry.actor == "ada"
    assert entry.details["force_name"] == [
        "the police force that runs this system",
        "Metropolitan Police Service",
    ]
    page = ada.get("/settings")
    assert page.status_code == 200 and 'data-testid="settings-form"' in page.text
    assert 'value="Europe/London"' in page.text


def test_only_an_admin_may_set_them(app: FastAPI) -> None:
    olive = as_user(app, "olive")
    assert olive.put("/api/settings", json=SETTINGS).status_code == 403
    assert olive.get("/settings").status_code == 403


def test_a_bad_time_zone_complaint_address_or_url_is_refused_saying_which(
    app: FastAPI,
) -> None:
    ada = as_user(app, "ada")
    for field, value, words in (
        ("time_zone", "Europe/Londn", "not an IANA time zone name"),
        ("time_zone", "../../etc/passwd", "not an IANA time zone name"),
        ("complaints", "write to us", "email address or an http(s):// URL"),
        ("public_url", "lfr.example", "public URL"),
    ):
        refused = ada.put("/api/settings", json={**SETTINGS, field: value})
        assert refused.status_code == 400, (field, refused.text)
        assert words in refused.json()["detail"]
    assert ada.get("/api/settings").json()["force_name"] == "the police force that runs this system"


def test_public_pages_show_local_times_the_force_the_policy_link_and_the_complaint_address(
    app: FastAPI, services: Services
) -> None:
    as_user(app, "ada").put("/api/settings", json=SETTINGS)
    summer = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    deployment_id = add_deployment(
        services, state="authorised", starts_at=summer, ends_at=summer.replace(hour=17)
    )
    page = TestClient(app).get("/public").text
    assert "2026-07-01 14:00 BST \N{EN DASH} 2026-07-01 18:00 BST" in page  # summer time
    assert "Europe/London" in page
    assert "Metropolitan Police Service uses cameras" in page
    assert "the police force that runs this system" not in page
    assert 'href="/public/policy"' in page
    assert 'href="mailto:lfr-complaints@met.police.example"' in page
    assert "101, or met.police.uk/contact" in page

    poster = TestClient(app).get(f"/public/deployments/{deployment_id}/poster").text
    assert "2026-07-01 14:00 BST to 2026-07-01 18:00 BST" in poster
    assert f"https://lfr.met.example/public#deployment-{deployment_id}" in poster  # QR and text
    assert "https://lfr.met.example/public/policy" in poster
    assert "lfr-complaints@met.police.example" in poster
    assert 'data-testid="poster-force">Metropolitan Police Service<' in poster

    policy = TestClient(app).get("/public/policy")
    assert policy.status_code == 200 and "Watchlist categories" in policy.text


def test_the_poster_falls_back_to_the_public_url_flag_then_the_request(
    app: FastAPI, services: Services
) -> None:
    from dataclasses import replace

    deployment_id = add_deployment(services, state="live")
    poster = f"/public/deployments/{deployment_id}/poster"
    assert (
        f"http://testserver/public#deployment-{deployment_id}" in TestClient(app).get(poster).text
    )
    state = app.state.lfr
    app.state.lfr = replace(state, config=replace(state.config, public_url="https://flag.example"))
    assert (
        f"https://flag.example/public#deployment-{deployment_id}"
        in TestClient(app).get(poster).text
    )
    as_user(app, "ada").put("/api/settings", json=SETTINGS)
    text = TestClient(app).get(poster).text
    assert f"https://lfr.met.example/public#deployment-{deployment_id}" in text
    assert "flag.example" not in text
