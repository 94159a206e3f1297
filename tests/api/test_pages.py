"""Every page renders for its role, and no page needs anything the CSP forbids.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from lfr.web import STATIC, TEMPLATES
from tests.api.helpers import as_user
from tests.gov.factories import add_deployment, add_watchlist

pytestmark = pytest.mark.backends("sqlite")

PAGES = [
    ("ada", "/users", ["user-create-form", "user-row"]),
    ("ada", "/policy", ["policy-editor", "policy-save"]),
    ("wendy", "/policy", []),
    ("wendy", "/watchlists", ["watchlist-create-form", "watchlist-row"]),
    ("wendy", "/watchlists/{w}", ["entry-upload-form", "entry-photos", "entry-row"]),
    ("arthur", "/watchlists", ["watchlist-row"]),
    ("arthur", "/deployments", ["plan-deployment-link", "deployment-row"]),
    ("arthur", "/deployments/{d}", ["deployment-state", "authorise-button"]),
    ("olive", "/deployments/{live}", ["run-button", "end-button", "camera-health"]),
    ("fred", "/alerts", ["alert-queue"]),
    ("oscar", "/oversight", ["oversight-deployment-row", "records-export-csv"]),
    ("oscar", "/oversight/audit", ["verify-chain", "audit-row"]),
    ("oscar", "/deployments", ["deployment-row"]),
]


@pytest.mark.parametrize(("user", "path", "testids"), PAGES)
def test_each_role_sees_its_page(
    app: FastAPI, services: Services, user: str, path: str, testids: list[str]
) -> None:
    watchlist_id = add_watchlist(services)
    draft = add_deployment(services, state="draft", watchlist_id=watchlist_id)
    running = add_deployment(services, state="live", watchlist_id=watchlist_id)
    client = as_user(app, user)
    response = client.get(path.format(w=watchlist_id, d=draft, live=running))
    assert response.status_code == 200, response.text
    assert 'data-testid="current-user" data-role="' in response.text
    for testid in testids:
        assert f'data-testid="{testid}"' in response.text, testid
    assert 'name="csrf-token" content=""' not in response.text


def test_templates_and_scripts_need_no_inline_code() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert " style=" not in text, template.name
    for script in STATIC.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "eval(" not in text, script.name
