"""The committed OpenAPI snapshot (docs/openapi.json) is what the app serves.

After changing the API: ``.venv/bin/python -m lfr.api.openapi`` rewrites the snapshot.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.api.openapi import main, render, schema
from tests.api.helpers import as_user

pytestmark = pytest.mark.backends("sqlite")

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_served_schema_equals_the_committed_snapshot(client: TestClient) -> None:
    served = client.get("/api/openapi.json")
    assert served.status_code == 200
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert served.json() == committed, "run: .venv/bin/python -m lfr.api.openapi"
    assert render(schema()) == SNAPSHOT.read_text(encoding="utf-8")


def test_every_api_path_is_under_api_and_pages_are_not_in_the_schema(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert all(path.startswith("/api/") for path in paths)
    assert "/api/alerts/stream" in paths and "/api/watchlists/{watchlist_id}/entries" in paths


def test_the_check_mode_spots_a_stale_snapshot(tmp_path: Path) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n")
    assert main([str(stale), "--check"]) == 1
    assert main([str(stale)]) == 0
    assert main([str(stale), "--check"]) == 0


SHARED = {"400", "404", "409", "500", "503"}


def _resolved(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """``item``, or what its ``$ref`` points to in the document."""
    if "$ref" not in item:
        return item
    _, section, name = item["$ref"].lstrip("#/").split("/")
    found: dict[str, Any] = document["components"][section][name]
    return found


def _schema_of(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    content = _resolved(document, response)["content"]["application/json"]
    return _resolved(document, content["schema"])


def test_every_operation_documents_the_errors_it_can_send(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert statuses >= SHARED, where
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in statuses, where
            if "requestBody" in operation:
                assert "413" in statuses, where
            for status in statuses - {"200", "201", "204"}:
                response = _resolved(document, operation["responses"][status])
                assert "Error" in json.dumps(response["content"]), (where, status)
    paths = document["paths"]
    assert {"401", "403"} <= set(paths["/api/alerts"]["get"]["responses"])
    assert not {"401", "403"} & set(paths["/api/public/records"]["get"]["responses"])
    assert "401" in paths["/api/auth/login"]["post"]["responses"]
    stream = paths["/api/alerts/stream"]["get"]["responses"]
    assert all("Retry-After" in stream[status]["headers"] for status in ("429", "503"))
    unauthorised = _resolved(document, paths["/api/alerts"]["get"]["responses"]["401"])
    assert "WWW-Authenticate" in unauthorised["headers"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_documented_error_shapes_are_the_ones_sent(app: FastAPI) -> None:
    client = TestClient(app)
    document = client.get("/api/openapi.json").json()
    plan = document["paths"]["/api/deployments"]["post"]["responses"]
    anonymous = client.get("/api/alerts")
    invalid = as_user(app, "olive").post("/api/deployments", json={"name": 5})
    assert (anonymous.status_code, invalid.status_code) == (401, 422)
    for response, documented in ((anonymous, plan["401"]), (invalid, plan["422"])):
        schema = _schema_of(document, documented)
        body = response.json()
        assert set(schema["required"]) <= set(body) <= set(schema["properties"]), body
    assert invalid.json()["errors"][0].keys() == {"loc", "msg", "type"}
