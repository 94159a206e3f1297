"""Build governance fixtures straight into the tables (no dlib needed), and deployments through
the lifecycle services on a settable clock."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select, text

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli import main
from lfr.config import Settings
from lfr.domain import Alert, EmbeddingContract, Subject
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.deployments.plan import DeploymentPlan
from lfr.governance.deployments.snapshot import freeze_snapshot
from lfr.governance.law.policy import DEFAULT_CATEGORIES, DEFAULT_PURPOSES, Policy
from lfr.imaging import encode_jpeg
from lfr.store.deployment_keys import deployment_cipher
from lfr.store.sealing import entry_owner, seal_image, seal_vector
from lfr.store.tables import (
    AlertRow,
    AuditEntry,
    Deployment,
    DeploymentAssignment,
    EntryImage,
    PolicyVersion,
    SnapshotTemplate,
    User,
    Watchlist,
    WatchlistEntry,
)
from tests.gov.conftest import (
    ADMIN,
    AUTHORISER,
    AUTHORISER_2,
    FIELD,
    MANAGER,
    OPERATOR,
    OPERATOR_2,
    OVERSIGHT,
)
from tests.password_strength import TEST_STRENGTH

CONTRACT = EmbeddingContract("fake-model", "0" * 64, 4, "fake")
PASSWORD = "correct horse battery"


@cache
def _password_hash() -> str:
    return TEST_STRENGTH.hash(PASSWORD)  # argon2 is slow by design: hash once per run


ALL_ACTORS = (ADMIN, MANAGER, AUTHORISER, AUTHORISER_2, OPERATOR, OPERATOR_2, FIELD, OVERSIGHT)


def add_users(services: Services, *actors: Actor) -> None:
    """Accounts (password ``PASSWORD``) for the given actors, or for every test actor."""
    now = services.clock()
    with services.transaction() as session:
        for actor in actors or ALL_ACTORS:
            session.add(
                User(
                    username=actor.username,
                    password_hash=_password_hash(),
                    role=actor.role.value,
                    created_at=now,
                    created_by="test",
                )
            )


def add_watchlist(
    services: Services,
    name: str = "wl",
    entries: int = 3,
    category: str | None = None,
    expires_in: timedelta = timedelta(days=10),
    now: datetime | None = None,
) -> int:
    """A watchlist of ``entries`` subjects, one sealed 4-d template each (vector i = e_i)."""
    now = now or services.clock()
    rng = np.random.default_rng(0)
    with services.transaction() as session:
        watchlist = Watchlist(name=name, created_at=now, created_by=MANAGER.username)
        session.add(watchlist)
        session.flush()
        for i in range(entries):
            reference = f"WL-{i:04d}"
            entry = WatchlistEntry(
                watchlist_id=watchlist.id,
                reference=reference,
                display_name=f"Person {i}",
                category=category or DEFAULT_CATEGORIES[i % len(DEFAULT_CATEGORIES)],
                reason="wanted on warrant",
                image_source="custody record",
                added_by=MANAGER.username,
                added_at=now,
                expires_at=now + expires_in,
            )
            vector = np.zeros(4, np.float32)
            vector[i % 4] = 1.0
            owner = entry_owner(watchlist.id, reference)
            face = encode_jpeg(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8))
            entry.images.append(
                EntryImage(
                    image_name="1.jpg",
                    contract=asdict(CONTRACT),
                    template_enc=seal_vector(services.cipher, vector, "entry", owner, "1.jpg"),
                    face_jpeg_enc=seal_image(services.cipher, face, "entry", owner, "1.jpg"),
                )
            )
            session.add(entry)
        return watchlist.id


NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def fixed_clock(services: Services, now: datetime = NOW) -> Services:
    return dataclasses.replace(services, clock=lambda: now)


def add_deployment(
    services: Services,
    state: str = "live",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    ended_at: datetime | None = None,
    watchlist_id: int | None = None,
    assigned: tuple[Actor, ...] = (OPERATOR, OPERATOR_2, FIELD),
) -> int:
    """A deployment row straight into the table (the deployment services are not needed), with
    the ``assigned`` officers assigned to it (need to know: they read its alerts)."""
    now = services.clock()
    if watchlist_id is None:
        watchlist_id = add_watchlist(services, name=f"wl-{uuid.uuid4().hex[:8]}")
    with services.transaction() as session:
        row = Deployment(
            name="Test deployment",
            purpose="crime hotspot and its access routes",
            location_name="High Street",
            latitude=51.5,
            longitude=-0.1,
            area_description="the pedestrian area",
            starts_at=starts_at or now - timedelta(hours=1),
            ends_at=ends_at or now + timedelta(hours=4),
            cameras={"cam-1": "rtsp://camera/1"},
            watchlist_id=watchlist_id,
            threshold=0.5,
            dpia_reference="DPIA-1",
            state=state,
            planner=OPERATOR.username,
            created_at=now - timedelta(days=1),
            ended_at=ended_at,
        )
        session.add(row)
        session.flush()
        deployment_id = row.id
    assign_officers(services, deployment_id, *assigned)
    return deployment_id


def assign_officers(services: Services, deployment_id: int, *officers: Actor) -> None:
    """Officers assigned to a deployment straight into the table (not audited)."""
    with services.transaction() as session:
        for officer in officers:
            session.add(
                DeploymentAssignment(
                    deployment_id=deployment_id,
                    username=officer.username,
                    assigned_by=AUTHORISER.username,
                    assigned_at=services.clock(),
                )
            )


def ensure_snapshot(services: Services, deployment_id: int) -> None:
    """Give a deployment inserted as live (``add_deployment``) the frozen watchlist snapshot that
    going live makes, unless it has one: alert intake accepts only the subjects on it."""
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        assert row is not None
        held = session.scalar(
            select(func.count())
            .select_from(SnapshotTemplate)
            .where(SnapshotTemplate.deployment_id == deployment_id)
        )
        if held:
            return
        watchlist = freeze_snapshot(session, services, row, services.clock())
        row.snapshot_digest, row.snapshot_size = watchlist.digest(), watchlist.size


def jpeg(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    return encode_jpeg(rng.integers(0, 255, (24, 24, 3), dtype=np.uint8))


def add_alert(
    services: Services,
    deployment_id: int,
    raised_at: datetime | None = None,
    status: str = "pending",
    hold_reason: str | None = None,
    seed: int = 1,
) -> str:
    """An alert with sealed probe and enrolled crops, as alert intake would store it."""
    alert_id = str(uuid.uuid4())
    with services.transaction() as session:
        cipher = deployment_cipher(session, services.cipher, deployment_id)  # its own key, if any
        session.add(
            AlertRow(
                id=alert_id,
                deployment_id=deployment_id,
                camera="cam-1",
                entry_id=None,
                subject_reference="WL-0001",
                subject_name="Person 1",
                category="wanted by the courts",
                reason="wanted on warrant",
                distance=0.41,
                score=0.59,
                threshold=0.5,
                time_s=12.5,
                frame=300,
                track=4,
                raised_at=raised_at or services.clock(),
                enrolled_image="1.jpg",
                probe_crop_enc=seal_image(cipher, jpeg(seed), "alert", alert_id, "probe"),
                enrolled_crop_enc=seal_image(
                    cipher, jpeg(seed + 1000), "alert", alert_id, "enrolled"
                ),
                status=status,
                hold_reason=hold_reason,
                hold_by=AUTHORISER.username if hold_reason else None,
            )
        )
    return alert_id


def set_policy(services: Services, policy: Policy) -> None:
    with services.transaction() as session:
        session.add(
            PolicyVersion(
                body=policy.model_dump(mode="json"),
                digest=policy.digest(),
                created_at=services.clock(),
                created_by="test",
            )
        )


def snapshot(services: Services) -> tuple[int, list[tuple[Any, ...]]]:
    """Everything a refused call must leave untouched: the audit length and every alert row."""
    with services.transaction() as session:
        rows = session.execute(text("SELECT * FROM alerts ORDER BY id")).all()
    return audit_count(services), [tuple(r) for r in rows]


# --- deployments through the lifecycle services, on a settable clock --------------------------

T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
STARTS = T0 + timedelta(hours=1)
ENDS = T0 + timedelta(hours=9)
CAMERA_URL = "rtsp://admin:s3cret@10.0.0.5:554/stream"


class Clock:
    """A settable clock for the services (the audit log keeps its own)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def with_clock(services: Services, now: datetime = T0) -> tuple[Services, Clock]:
    clock = Clock(now)
    return replace(services, clock=clock), clock


def make_plan(watchlist_id: int, **changes: Any) -> DeploymentPlan:
    fields: dict[str, Any] = {
        "name": "Op Lantern",
        "purpose": DEFAULT_PURPOSES[0],
        "location_name": "High Street, Croydon",
        "latitude": 51.3727,
        "longitude": -0.0982,
        "area_description": "North end of the High Street and the station approach",
        "starts_at": STARTS,
        "ends_at": ENDS,
        "cameras": {"van-front": CAMERA_URL},
        "watchlist_id": watchlist_id,
        "threshold": 0.5,
        "dpia_reference": "DPIA-2025-014",
    }
    fields.update(changes)
    return DeploymentPlan(**fields)


def ready(services: Services, clock: Clock, watchlist_id: int | None = None, **changes: Any) -> int:
    """A deployment planned, authorised and signposted, with the clock inside its window."""
    if watchlist_id is None:
        watchlist_id = add_watchlist(services, name=f"wl-{uuid.uuid4().hex[:8]}")
    deployment_id = dep.plan_deployment(services, OPERATOR, make_plan(watchlist_id, **changes))
    dep.authorise(services, AUTHORISER, deployment_id, "intelligence case 41")
    dep.confirm_signage(services, OPERATOR, deployment_id, "SIGN-PHOTO-7")
    clock.now = STARTS + timedelta(minutes=5)
    return deployment_id


def live(services: Services, clock: Clock, **changes: Any) -> int:
    deployment_id = ready(services, clock, **changes)
    dep.start(services, OPERATOR, deployment_id)
    return deployment_id


def count(services: Services, table: type[Any], **where: Any) -> int:
    with services.transaction() as session:
        query = select(func.count()).select_from(table)
        for name, value in where.items():
            query = query.where(getattr(table, name) == value)
        return int(session.scalar(query) or 0)


def deployment_row(services: Services, deployment_id: int) -> Deployment:
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        assert row is not None
        return row


def assert_chain_ok(services: Services) -> None:
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert report.ok, report.problem


# --- reading the audit trail: the one set of helpers every test uses --------------------------


def audit_entries(services: Services, action: str | None = None) -> list[AuditEntry]:
    """The audit trail in order (by ``seq``), or only the entries of one ``action``."""
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with services.transaction() as session:
        return list(session.scalars(query))


def audit_actions(services: Services) -> list[str]:
    """The action of every audit entry, in order."""
    with services.transaction() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def audit_count(services: Services) -> int:
    """How many entries the audit trail holds."""
    with services.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def alert_row(services: Services, alert_id: str) -> AlertRow:
    with services.transaction() as session:
        row = session.get(AlertRow, alert_id)
        assert row is not None
        return row


def use_cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ``lfr`` at the test's data directory and database, password by environment."""
    assert settings.database_url
    monkeypatch.setenv("LFR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LFR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LFR_PASSWORD", PASSWORD)
    for name in ("LFR_USER", "LFR_DATA_KEY"):
        monkeypatch.delenv(name, raising=False)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def make_alert(alert_id: str = "alert-1", threshold: float = 0.5, **changes: Any) -> Alert:
    """An engine alert for WL-0001 (random crops), as the camera port hands to the intake."""
    rng = np.random.default_rng(3)
    fields: dict[str, Any] = {
        "id": alert_id,
        "subject": Subject(
            "WL-0001", "Person 1", "wanted by the courts", "warrant 77", "custody record"
        ),
        "distance": 0.312,
        "score": 0.688,
        "threshold": threshold,
        "camera": "van-front",
        "time_s": 12.4,
        "frame": 310,
        "track": 7,
        "probe_crop": rng.integers(0, 255, (48, 40, 3), dtype=np.uint8),
        "enrolled_crop": rng.integers(0, 255, (50, 42, 3), dtype=np.uint8),
        "enrolled_image": "1.jpg",
    }
    fields.update(changes)
    return Alert(**fields)
