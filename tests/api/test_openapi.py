"""The committed OpenAPI snapshot (docs/openapi.json) is what the app serves.

After changing the API: ``.venv/bin/python -m lfr.api.openapi`` rewrites the snapshot."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from lfr.api.openapi import main, render, schema

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
