"""Oversight: records and outcomes, audit search, chain verification, exports."""

from __future__ import annotations

import csv
import io
import json

from fastapi import FastAPI
from sqlalchemy import text

from lfr.access.services import Services
from lfr.events import InMemoryEventBus
from tests.api.helpers import as_user, ended_with_alerts
from tests.gov.factories import audit_entries


def test_oversight_pages_show_records_outcomes_and_the_audit_log(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = ended_with_alerts(services, bus, app)
    oscar = as_user(app, "oscar")
    page = oscar.get("/oversight")
    assert page.status_code == 200
    assert f'data-testid="oversight-deployment-row" data-deployment-id="{deployment_id}"' in (
        page.text
    )
    assert 'data-testid="outcome-row"' in page.text and 'data-status="confirmed"' in page.text
    audit = oscar.get("/oversight/audit", params={"action": "alert.", "who": "olive"})
    assert audit.status_code == 200
    assert 'data-action="alert.adjudicate"' in audit.text
    assert 'data-action="deployment.end"' not in audit.text
    for testid in ("verify-chain", "verify-result", "audit-export-csv", "audit-export-json"):
        assert f'data-testid="{testid}"' in audit.text
    bad = oscar.get("/oversight/audit", params={"since": "yesterday"})
    assert bad.status_code == 200 and "is not a date and time" in bad.text


def test_audit_search_api_filters(app: FastAPI, services: Services) -> None:
    oscar = as_user(app, "oscar")
    entries = oscar.get("/api/audit", params={"action": "auth.login"}).json()
    assert [e["actor"] for e in entries] == ["oscar"]
    assert oscar.get("/api/audit", params={"text": "user:oscar", "limit": 1}).json()
    bad = oscar.get("/api/audit", params={"since": "2026-01-01T00:00"})
    assert bad.status_code == 400 and "time zone" in bad.json()["detail"]


def test_verify_reports_an_intact_chain_then_a_tampered_one(
    app: FastAPI, services: Services
) -> None:
    oscar = as_user(app, "oscar")
    report = oscar.post("/api/audit/verify", json={}).json()
    assert report["ok"] is True and report["entries"] >= 1 and len(report["head_hash"]) == 64
    with services.transaction() as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
    broken = oscar.post("/api/audit/verify", json={"known_head": report["head_hash"]}).json()
    assert broken["ok"] is False and broken["first_bad_seq"] == 1
    assert "altered" in broken["problem"]


def test_exports_of_the_audit_log_and_the_records(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = ended_with_alerts(services, bus, app)
    oscar = as_user(app, "oscar")
    exported = oscar.get("/api/audit/export", params={"format": "json"})
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="lfr-audit.json"'
    assert {"seq", "hash", "signature"} <= set(json.loads(exported.text)[0])
    assert audit_entries(services, "audit.export")[-1].actor == "oscar"
    as_csv = oscar.get("/api/audit/export", params={"format": "csv"})
    assert as_csv.text.startswith("seq,at,actor,action,target,details,prev_hash,hash,signature")
    records = oscar.get("/api/records/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(records.text)))
    assert [int(r["deployment_id"]) for r in rows] == [deployment_id]
    assert rows[0]["location_name"] == "High Street" and rows[0]["alerts"] == "2"
    as_json = oscar.get("/api/records/export", params={"format": "json"}).json()
    assert as_json[0]["deployment_id"] == deployment_id
    assert oscar.get("/api/records/export", params={"format": "xml"}).status_code == 422
