"""A whole governed deployment on the real clip, with the real models, through the services:
users -> watchlist under policy -> plan -> authorise (another officer), who assigns the field
officer -> signage -> go live (snapshot frozen) -> camera run raises the alert -> operator
confirms -> field officer records the outcome -> end (snapshot wiped, record published) -> purge
after the retention period -> the audit chain verifies and tells the whole story.

It crosses every package, so it sits at the top of tests/gov/ rather than under one package.

SQLite only: this is the one walk through every service with the real models; each service's SQL
runs on both backends in its own tests (with fake models), and the web journey (tests/browser)
and the command-line journey (tests/e2e/test_edge_black_box.py) walk the same path again as a
user would.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.app import build_engine
from lfr.centre.camera_port import GovernedDeployments
from lfr.config import EngineConfig
from lfr.enrol.folder import Enroller
from lfr.governance.accounts import users
from lfr.governance.alerts import adjudication
from lfr.governance.deployments import assignments, lifecycle
from lfr.governance.deployments.plan import DeploymentPlan
from lfr.governance.law.policy import DEFAULT_CATEGORIES, DEFAULT_PURPOSES
from lfr.governance.records.published import get_record, public_records
from lfr.governance.retention.purge import purge
from lfr.governance.watchlists import entries as watchlists
from lfr.governance.watchlists.folder_import import enrol_folder_into
from lfr.runtime.deployment import run_deployment
from lfr.store.tables import AlertRow, SnapshotTemplate
from tests.e2e.conftest import CLIP, DATA, LIN
from tests.gov.factories import audit_actions

pytestmark = pytest.mark.backends("sqlite")

PASSWORD = "a long enough passphrase"
CATEGORY = {LIN: DEFAULT_CATEGORIES[0]}


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    return build_engine(EngineConfig())


def governed_watchlist_dir(tmp_path: Path) -> Path:
    """Every identity folder of faces/ (linked, not copied), each with its governance facts."""
    if not CLIP.is_file():
        pytest.fail(f"test data not found at {DATA}", pytrace=False)
    root = tmp_path / "watchlist"
    root.mkdir()
    for folder in sorted((DATA / "faces").iterdir()):
        if not folder.is_dir() or folder.name == "unknown":
            continue
        target = root / folder.name
        target.mkdir()
        for photo in folder.iterdir():
            (target / photo.name).symlink_to(photo)
        (target / "subject.json").write_text(
            json.dumps(
                {
                    "reference": folder.name,
                    "display_name": folder.name.replace("_", " ").title(),
                    "category": CATEGORY.get(folder.name, DEFAULT_CATEGORIES[3]),
                    "reason": "test warrant",
                    "image_source": "face_recognition repository (MIT)",
                }
            )
        )
    return root


def login_all(services: Services) -> dict[str, Actor]:
    users.bootstrap_admin(services, "admin", PASSWORD)
    admin = users.authenticate(services, "admin", PASSWORD)
    for name, role in [
        ("manager", Role.WATCHLIST_MANAGER),
        ("planner", Role.OPERATOR),
        ("chief", Role.AUTHORISING_OFFICER),
        ("field", Role.FIELD_OFFICER),
        ("overseer", Role.OVERSIGHT),
    ]:
        users.create_user(services, admin, name, PASSWORD, role)
    names = ["admin", "manager", "planner", "chief", "field", "overseer"]
    return {n: users.authenticate(services, n, PASSWORD) for n in names}


def test_whole_deployment_on_the_real_clip(services: Services, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = dataclasses.replace(services, media_dirs=(CLIP.parent,))  # the clip's folder
    who = login_all(services)
    now = services.clock()

    watchlist_id = watchlists.create_watchlist(services, who["manager"], "Hamilton test list")
    report = enrol_folder_into(
        services,
        who["manager"],
        watchlist_id,
        governed_watchlist_dir(tmp_path),
        Enroller(engine.detector, engine.aligner, engine.embedder, engine.config),
        expires_at=now + timedelta(days=7),
        progress=False,
    )
    assert len(report.added) == 6 and report.images_enrolled == 16 and not report.refused

    plan = DeploymentPlan(
        name="Theatre district",
        purpose=DEFAULT_PURPOSES[0],
        location_name="Theatre Row",
        latitude=51.51,
        longitude=-0.13,
        area_description="the pedestrian stretch",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        cameras={"hamilton": str(CLIP)},
        watchlist_id=watchlist_id,
        threshold=0.5,
        dpia_reference="DPIA-2026-01",
    )
    deployment_id = lifecycle.plan_deployment(services, who["planner"], plan)
    lifecycle.authorise(services, who["chief"], deployment_id, "intelligence case 42")
    assignments.assign(services, who["chief"], deployment_id, who["field"].username)
    lifecycle.confirm_signage(services, who["planner"], deployment_id, "SIGN-THEATRE-1")
    digest = lifecycle.start(services, who["planner"], deployment_id)
    assert len(digest) == 64

    port = GovernedDeployments(services)
    report = run_deployment(port, who["planner"], deployment_id, lambda: engine)
    assert report.stopped is None and report.counts_stored  # the clip ended; counts kept
    assert report.alerts_stored == 1 and report.totals.frames > 0

    queue = adjudication.list_alerts(services, who["planner"], deployment_id=deployment_id)
    assert [a.subject_reference for a in queue] == [LIN]
    alert = queue[0]
    assert alert.distance <= alert.threshold == 0.5
    probe, enrolled = adjudication.alert_media(services, who["planner"], alert.id) or (b"", b"")
    assert probe.startswith(b"\xff\xd8") and enrolled.startswith(b"\xff\xd8")
    adjudication.adjudicate(services, who["planner"], alert.id, "confirmed", "matches the photo")
    adjudication.record_outcome(services, who["field"], alert.id, "engaged")

    record = lifecycle.end(services, who["planner"], deployment_id, "operation complete").as_dict()
    assert (record["alerts"], record["true_alerts"], record["false_alerts"]) == (1, 1, 0)
    assert record["engagements"] == 1 and record["arrests"] == 0
    assert record["false_alert_rate_per_alert"] == 0.0
    assert record["faces_seen"] >= 2
    assert record["watchlist_size"] == 16  # enrolled images, as the Met counts watchlists
    published = json.dumps([r.as_dict() for r in public_records(services)])
    assert LIN not in published and "Lin" not in published  # nobody identifiable
    assert get_record(services, who["overseer"], deployment_id).alerts == 1
    with services.transaction() as session:
        left = session.scalar(select(func.count()).select_from(SnapshotTemplate))
    assert left == 0  # the frozen watchlist was wiped at the end

    later = dataclasses.replace(services, clock=lambda: now + timedelta(days=32))
    purged = purge(later, who["admin"])
    assert purged.alerts_deleted == 1  # past the 31-day retention, with no evidential hold
    assert purged.entry_images_deleted == 16  # the entries expired after 7 days
    with services.transaction() as session:
        assert session.get(AlertRow, alert.id) is None
    assert get_record(services, who["overseer"], deployment_id).alerts == 1  # records stay

    with services.transaction() as session:
        report_ok = services.audit.verify(session)
    actions = audit_actions(services)
    assert report_ok.ok, report_ok.problem
    story = [
        "deployment.plan",
        "deployment.assign",  # the planning operator, by planning it
        "deployment.authorise",
        "deployment.signage",
        "deployment.start",
        "alert.raised",
        "alert.adjudicate",
        "alert.outcome",
        "deployment.end",
        "deployment.snapshot.wiped",
        "retention.purge",
    ]
    positions = [next(i for i, a in enumerate(actions) if a.startswith(step)) for step in story]
    assert positions == sorted(positions), actions
    assert datetime.now(UTC) - now < timedelta(minutes=10)
