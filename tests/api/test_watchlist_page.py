"""The watchlist page: each entry's enrolled face, served only to watchlist managers and
authorising officers, each view audited and never cached; every input labelled; Remove confirmed
in a dialog with a reason.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from tests.api.helpers import as_user
from tests.api.page_parsing import by_testid, unlabelled_fields
from tests.gov.factories import add_watchlist, audit_entries

pytestmark = pytest.mark.backends("sqlite")

JPEG_START = b"\xff\xd8"


def test_an_entrys_face_is_shown_to_who_checks_the_list_and_each_view_is_audited(
    app: FastAPI, services: Services
) -> None:
    watchlist_id = add_watchlist(services, entries=2)
    face = f"/api/watchlists/{watchlist_id}/entries/WL-0001/face"
    for user in ("wendy", "arthur"):
        shown = as_user(app, user).get(face)
        assert shown.status_code == 200, shown.text
        assert shown.headers["content-type"] == "image/jpeg"
        assert shown.headers["cache-control"] == "no-store"
        assert shown.content.startswith(JPEG_START)
    viewed = audit_entries(services, "watchlist.entry.face.viewed")
    assert [(e.actor, e.details["reference"]) for e in viewed] == [
        ("wendy", "WL-0001"),
        ("arthur", "WL-0001"),
    ]
    for user in ("oscar", "olive", "fred"):
        assert as_user(app, user).get(face).status_code == 403
    missing = as_user(app, "wendy").get(f"/api/watchlists/{watchlist_id}/entries/WL-9/face")
    assert missing.status_code == 404
    assert len(audit_entries(services, "watchlist.entry.face.viewed")) == 2  # refusals: no view


def test_the_page_shows_thumbnails_only_to_who_may_see_them(
    app: FastAPI, services: Services
) -> None:
    watchlist_id = add_watchlist(services, entries=3)
    page = as_user(app, "wendy").get(f"/watchlists/{watchlist_id}").text
    thumbnails = by_testid(page, "entry-face")
    assert [t["src"] for t in thumbnails] == [
        f"/api/watchlists/{watchlist_id}/entries/WL-000{i}/face" for i in range(3)
    ]
    assert all((t["alt"] or "").startswith("Enrolled face of Person") for t in thumbnails)
    oversight = as_user(app, "oscar").get(f"/watchlists/{watchlist_id}").text
    assert by_testid(oversight, "entry-face") == []


def test_every_input_is_labelled_and_remove_asks_for_a_reason_first(
    app: FastAPI, services: Services
) -> None:
    watchlist_id = add_watchlist(services, entries=2)
    page = as_user(app, "wendy").get(f"/watchlists/{watchlist_id}").text
    assert unlabelled_fields(page) == []
    removes = by_testid(page, "entry-remove")
    assert [r["data-reference"] for r in removes] == ["WL-0000", "WL-0001"]
    assert all(r["data-opens"] == "remove-dialog" and r["type"] == "button" for r in removes)
    [reason] = by_testid(page, "entry-remove-reason")
    assert "required" in reason
    # Stacked cards on a phone: every cell says which column it is.
    assert 'data-label="Expires"' in page and 'data-label="Status"' in page
    assert 'data-label="Remove"' in page
    [progress] = by_testid(page, "upload-progress")
    assert "hidden" in progress
