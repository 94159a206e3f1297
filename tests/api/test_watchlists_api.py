"""Watchlists through the API: create, add a person with photos, per-file errors, remove.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from tests.api.helpers import _Enroller, as_user, photo
from tests.gov.factories import snapshot

pytestmark = pytest.mark.backends("sqlite")

SUBJECT = {
    "reference": "WL-9001",
    "display_name": "Jane Doe",
    "category": "wanted by the courts",
    "reason": "warrant 1234",
    "image_source": "custody record 55",
    "expires_days": "7",
}


def test_a_manager_creates_a_watchlist_and_adds_a_person(app: FastAPI) -> None:
    client = as_user(app, "wendy")
    made = client.post("/api/watchlists", json={"name": "Theatre list"})
    assert made.status_code == 201
    watchlist_id = made.json()["id"]
    response = client.post(
        f"/api/watchlists/{watchlist_id}/entries",
        data=SUBJECT,
        files=[
            ("photos", ("front.jpg", photo(1), "image/jpeg")),
            ("photos", ("dark.jpg", photo(dark=True), "image/jpeg")),
        ],
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["reference"], body["images_enrolled"]) == ("WL-9001", 1)
    assert body["skipped"] == [{"file": "dark.jpg", "problem": "no face found"}]
    (entry,) = client.get(f"/api/watchlists/{watchlist_id}/entries").json()
    assert (entry["display_name"], entry["images"], entry["status"]) == ("Jane Doe", 1, "active")
    page = client.get(f"/watchlists/{watchlist_id}")
    assert 'data-testid="entry-row" data-reference="WL-9001"' in page.text
    removed = client.post(
        f"/api/watchlists/{watchlist_id}/entries/WL-9001/remove", json={"reason": "arrested"}
    )
    assert removed.status_code == 204
    assert client.get(f"/api/watchlists/{watchlist_id}/entries").json() == []


def test_a_non_image_refuses_the_upload_naming_the_file(app: FastAPI, services: Services) -> None:
    client = as_user(app, "wendy")
    watchlist_id = client.post("/api/watchlists", json={"name": "L"}).json()["id"]
    before = snapshot(services)
    calls = _Enroller.calls
    response = client.post(
        f"/api/watchlists/{watchlist_id}/entries",
        data=SUBJECT,
        files=[
            ("photos", ("ok.jpg", photo(2), "image/jpeg")),
            ("photos", ("notes.txt", b"not a picture", "text/plain")),
        ],
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "not an image: notes.txt (nothing was added)"
    assert body["files"] == [
        {"file": "notes.txt", "problem": "not an image (corrupt or unsupported format)"}
    ]
    assert snapshot(services) == before and _Enroller.calls == calls


def test_no_usable_face_adds_nothing_and_lists_each_photo(app: FastAPI, services: Services) -> None:
    client = as_user(app, "wendy")
    watchlist_id = client.post("/api/watchlists", json={"name": "L"}).json()["id"]
    response = client.post(
        f"/api/watchlists/{watchlist_id}/entries",
        data=SUBJECT,
        files=[("photos", ("a.jpg", photo(dark=True), "image/jpeg"))],
    )
    assert response.status_code == 422
    assert response.json()["files"] == [{"file": "a.jpg", "problem": "no face found"}]
    assert client.get(f"/api/watchlists/{watchlist_id}/entries").json() == []


def test_the_policy_refuses_before_any_face_model_runs(app: FastAPI) -> None:
    client = as_user(app, "wendy")
    watchlist_id = client.post("/api/watchlists", json={"name": "L"}).json()["id"]
    calls = _Enroller.calls
    response = client.post(
        f"/api/watchlists/{watchlist_id}/entries",
        data={**SUBJECT, "category": "shoplifting", "expires_days": "100"},
        files=[("photos", ("a.jpg", photo(3), "image/jpeg"))],
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "category 'shoplifting' is not allowed" in detail and "days" in detail
    assert _Enroller.calls == calls
    missing = client.post(
        f"/api/watchlists/{watchlist_id}/entries",
        data={"reference": "X"},
        files=[("photos", ("a.jpg", photo(3), "image/jpeg"))],
    )
    assert missing.status_code == 422
    assert missing.json()["detail"] == "fill in: display_name, category, reason, image_source"
