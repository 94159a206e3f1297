"""Independent authorisation (issue 11, EU AI Act Art. 5(3)): the force's reasoned request,
the authority's decision and its limits, the urgent start's 24-hour clock, and the deletion of
a refused use - alerts, crops, counts, snapshot and the deployment's own key - which the audit
log records and still verifies."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lfr.access.services import Services
from lfr.audit.alerts import USE_DELETED
from lfr.audit.service import verify_chain
from lfr.centre.camera_port import GovernedDeployments
from lfr.cli.governed.authority import print_urgent_clock
from lfr.cli.main import main
from lfr.config import Settings
from lfr.domain import Subject
from lfr.errors import IntegrityError, PermissionDeniedError, PolicyViolationError
from lfr.governance.alerts import intake as alert_intake
from lfr.governance.authority import requests as authority
from lfr.governance.authority.requests import Decision
from lfr.governance.authority.schedule import enforce_schedule
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.law.policy import DEFAULT_CATEGORIES, DEFAULT_PURPOSES, Policy
from lfr.governance.law.profiles import RuleRefusalError
from lfr.governance.records.documents import FRIA_FIELDS, DocumentKind
from lfr.governance.states import AUTHORITY_REFUSED
from lfr.store.deployment_keys import deployment_cipher
from lfr.store.keys import AUDIT_PUBLIC, key_dir, load_public_key
from lfr.store.sealing import open_image
from lfr.store.tables import (
    AlertRow,
    AuthorityRequest,
    DeploymentKey,
    DocumentRow,
    Encounter,
    LookalikeNegative,
    SnapshotTemplate,
)
from tests.gov.conftest import AUTHORISER, JUDGE, OPERATOR
from tests.gov.factories import (
    CAMERA_URL,
    ENDS,
    STARTS,
    Clock,
    add_users,
    add_watchlist,
    alert_row,
    audit_count,
    audit_entries,
    count,
    deployment_row,
    make_alert,
    ready,
    set_policy,
    use_cli,
    with_clock,
)

OTHER = Subject("WL-0000", "Person 0", DEFAULT_CATEGORIES[0], "warrant 12", "custody record")
DOCUMENT = b"Order of the investigating judge, 2 June 2025"
SHA = hashlib.sha256(DOCUMENT).hexdigest()
HARM = "a credible, imminent threat to life at the station"
RIGHTS = "four hours, two cameras, signposted; passers-by's faces are not kept"


def eu(services: Services, **changes: Any) -> None:
    """The EU profile in force, with everything else it needs to go live in place."""
    set_policy(
        services,
        Policy(profile="eu-ai-act", eu_database_registration="EU-DB-2025-0042", **changes),
    )
    with services.transaction() as session:
        for kind in DocumentKind:
            session.add(
                DocumentRow(
                    kind=kind.value,
                    version="1",
                    title=f"{kind.value} v1",
                    sha256="0" * 64,
                    review_by=date(2030, 1, 1),
                    fria_fields={key: "completed" for key in FRIA_FIELDS},
                    created_at=services.clock(),
                    created_by="test",
                )
            )


def eu_ready(services: Services, clock: Clock, **changes: Any) -> int:
    eu(services)
    return ready(services, clock, objective="ii", **changes)


def grant(**changes: Any) -> Decision:
    fields: dict[str, Any] = {
        "grant": True,
        "reasons": "necessary and proportionate",
        "document_ref": "ORD-2025-17",
        "document_sha256": SHA,
    }
    fields.update(changes)
    return Decision(**fields)


def public_verify(services: Services) -> Any:
    return verify_chain(services.db, load_public_key(key_dir(services.data_dir) / AUDIT_PUBLIC))


# --- going live needs a grant -------------------------------------------------------------------


def test_eu_start_without_a_grant_is_refused_naming_art_5_3_and_writes_nothing(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    before = audit_count(svc)
    with pytest.raises(RuleRefusalError, match=r"EU AI Act Art\. 5\(3\)"):
        dep.start(svc, OPERATOR, deployment_id)
    assert deployment_row(svc, deployment_id).state == "authorised"
    assert audit_count(svc) == before
    assert count(svc, SnapshotTemplate) == 0
    assert count(svc, DeploymentKey) == 0


def test_the_checklist_shows_the_missing_grant(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    conditions = {c.name: c for c in dep.checklist(svc, OPERATOR, deployment_id)}
    assert not conditions["independent"].met
    assert "Art. 5(3)" in conditions["independent"].problems[0]


def test_uk_requires_a_grant_only_when_the_policy_says_so(services: Services) -> None:
    svc, clock = with_clock(services)
    set_policy(svc, Policy(independent_authorisation_required=True))
    deployment_id = ready(svc, clock)
    with pytest.raises(RuleRefusalError, match=r"Art\. 5\(3\)"):
        dep.start(svc, OPERATOR, deployment_id)


def test_a_grant_lets_it_start_with_its_own_key(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    authority.request_authority(svc, OPERATOR, deployment_id, HARM, RIGHTS)
    authority.decide(svc, JUDGE, deployment_id, grant())
    dep.start(svc, OPERATOR, deployment_id)
    assert deployment_row(svc, deployment_id).state == "live"
    assert count(svc, DeploymentKey, deployment_id=deployment_id) == 1
    decided = audit_entries(svc, "deployment.authority.decide")[-1]
    assert decided.details["document_sha256"] == SHA
    assert decided.actor == JUDGE.username


def test_a_refused_request_cannot_start(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    authority.request_authority(svc, OPERATOR, deployment_id, HARM, RIGHTS)
    authority.decide(svc, JUDGE, deployment_id, grant(grant=False))
    with pytest.raises(RuleRefusalError, match="refused by the independent authority"):
        dep.start(svc, OPERATOR, deployment_id, emergency=True)


# --- the request and the decision: refusals write nothing ---------------------------------------


def test_a_request_without_both_justifications_is_refused_and_writes_nothing(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    before = audit_count(svc)
    with pytest.raises(RuleRefusalError, match=r"EU AI Act Art\. 5\(3\)") as refused:
        authority.request_authority(svc, OPERATOR, deployment_id, HARM, "  ")
    assert "Art. 5(2)" in str(refused.value)
    assert count(svc, AuthorityRequest) == 0
    assert audit_count(svc) == before


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"reasons": " "}, "reasons are required"),
        ({"document_ref": ""}, "document reference"),
        ({"document_sha256": "abc"}, "SHA-256"),
        ({"cameras": ("van-back",)}, "granted cameras"),
        ({"entries": ("WL-9999",)}, "granted entries"),
        ({"ends_at": ENDS + timedelta(hours=1)}, "within the planned one"),
    ],
)
def test_an_incomplete_or_wider_decision_is_refused_and_writes_nothing(
    services: Services, changes: dict[str, Any], problem: str
) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    authority.request_authority(svc, OPERATOR, deployment_id, HARM, RIGHTS)
    before = audit_count(svc)
    with pytest.raises(PolicyViolationError, match=problem):
        authority.decide(svc, JUDGE, deployment_id, grant(**changes))
    assert audit_count(svc) == before
    with svc.transaction() as session:
        request = session.get(AuthorityRequest, deployment_id)
        assert request is not None and request.decision is None


def test_only_the_authority_decides_and_it_sees_no_names(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    authority.request_authority(svc, OPERATOR, deployment_id, HARM, RIGHTS)
    with pytest.raises(PermissionDeniedError):
        authority.decide(svc, AUTHORISER, deployment_id, grant())
    (view,) = authority.list_requests(svc, JUDGE)
    assert view.justification_harm == HARM
    assert [entry.reference for entry in view.entries] == ["WL-0000", "WL-0001", "WL-0002"]
    assert "Person 0" not in repr(view)  # references and categories only


# --- limits enforced by the engine --------------------------------------------------------------


def test_a_narrowed_grant_limits_entries_cameras_and_window(services: Services) -> None:
    svc, clock = with_clock(services)
    cameras = {"van-front": CAMERA_URL, "van-back": "rtsp://10.0.0.6/stream"}
    deployment_id = eu_ready(svc, clock, cameras=cameras)
    authority.request_authority(svc, OPERATOR, deployment_id, HARM, RIGHTS)
    granted_end = STARTS + timedelta(hours=2)
    authority.decide(
        svc,
        JUDGE,
        deployment_id,
        grant(ends_at=granted_end, cameras=("van-front",), entries=("WL-0001",)),
    )
    dep.start(svc, OPERATOR, deployment_id)
    assert count(svc, SnapshotTemplate, deployment_id=deployment_id) == 1  # only WL-0001
    run = GovernedDeployments(svc).open_run(OPERATOR, deployment_id)
    assert list(run.cameras) == ["van-front"]
    (refused,) = audit_entries(svc, "deployment.cameras.refused")
    assert refused.details["cameras"] == ["van-back"]
    with pytest.raises(IntegrityError):  # an entry not named can never alert
        alert_intake.store_alert(svc, deployment_id, make_alert("a-0", subject=OTHER))
    clock.now = granted_end
    lines = [str(action) for action in enforce_schedule(svc)]
    assert any("authorised window ended" in line for line in lines)
    assert deployment_row(svc, deployment_id).state == "ended"


# --- urgent start, then refusal or an expired clock: the use is deleted -------------------------


def test_an_urgent_start_needs_the_request_made_at_start(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = eu_ready(svc, clock)
    before = audit_count(svc)
    with pytest.raises(RuleRefusalError, match="reasoned request"):
        dep.start(svc, OPERATOR, deployment_id, emergency=True)
    assert audit_count(svc) == before


def _urgent_use_with_alerts(svc: Services, clock: Clock) -> tuple[int, list[str], bytes]:
    """An EU urgent start with two alerts and counts; returns a copy of one sealed crop."""
    deployment_id = eu_ready(svc, clock)
    authority.request_authority(svc, OPERATOR, deployment_id, HARM, RIGHTS)
    dep.start(svc, OPERATOR, deployment_id, emergency=True)
    assert audit_entries(svc, "deployment.urgent_start")
    ids = ["urgent-1", "urgent-2"]
    for alert_id in ids:
        assert alert_intake.store_alert(svc, deployment_id, make_alert(alert_id))
    alert_intake.add_counts(svc, deployment_id, frames=900, face_detections=40, tracks=12)
    copied = alert_row(svc, ids[0]).probe_crop_enc
    assert copied is not None
    with svc.transaction() as session:  # readable while the use lasts
        cipher = deployment_cipher(session, svc.cipher, deployment_id)
        open_image(cipher, copied, "alert", ids[0], "probe")
    return deployment_id, ids, copied


def _assert_use_deleted(svc: Services, deployment_id: int, ids: list[str], copied: bytes) -> None:
    assert count(svc, AlertRow, deployment_id=deployment_id) == 0
    assert count(svc, SnapshotTemplate, deployment_id=deployment_id) == 0
    assert count(svc, LookalikeNegative, deployment_id=deployment_id) == 0
    assert count(svc, DeploymentKey, deployment_id=deployment_id) == 0
    row = deployment_row(svc, deployment_id)
    assert row.state == "ended"
    assert (row.frames, row.face_detections, row.tracks) == (0, 0, 0)
    (deleted,) = audit_entries(svc, USE_DELETED)
    assert deleted.details["alerts_deleted"] == 2
    assert sorted(deleted.details["alert_ids_deleted"]) == ids
    assert deleted.details["counts_deleted"]["frames"] == 900
    assert deleted.details["snapshot_templates_deleted"] == 0  # wiped by the stop, just before
    assert deleted.details["key_id_destroyed"]
    with svc.transaction() as session, pytest.raises(IntegrityError):  # the copy is unreadable
        open_image(
            deployment_cipher(session, svc.cipher, deployment_id), copied, "alert", ids[0], "probe"
        )
    report = public_verify(svc)
    assert report.ok, report.problem


def test_a_refusal_after_an_urgent_start_deletes_the_whole_use(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id, ids, copied = _urgent_use_with_alerts(svc, clock)
    with svc.transaction() as session:  # a stop the use caused is one of its results too
        session.add(
            Encounter(
                alert_id=ids[0],
                deployment_id=deployment_id,
                officer=OPERATOR.username,
                stopped=True,
                started_at=clock(),
                ended_at=clock(),
                identity_check="none",
                identity_check_detail="",
                outcome="no_action",
                reason="",
                recorded_at=clock(),
            )
        )
    authority.decide(svc, JUDGE, deployment_id, grant(grant=False, reasons="not urgent"))
    _assert_use_deleted(svc, deployment_id, ids, copied)
    assert deployment_row(svc, deployment_id).end_reason == AUTHORITY_REFUSED
    assert count(svc, Encounter, deployment_id=deployment_id) == 0
    assert audit_entries(svc, USE_DELETED)[0].details["encounters_deleted"] == 1


def test_an_urgent_start_not_granted_within_24_hours_is_deleted(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id, ids, copied = _urgent_use_with_alerts(svc, clock)
    clock.advance(hours=23)
    enforce_schedule(svc)
    assert count(svc, AlertRow, deployment_id=deployment_id) == 2  # the window ended; kept
    clock.advance(hours=1, minutes=1)
    lines = [str(action) for action in enforce_schedule(svc)]
    assert any("2 alert(s) deleted" in line for line in lines)
    _assert_use_deleted(svc, deployment_id, ids, copied)
    with pytest.raises(Exception, match="deleted"):
        authority.decide(svc, JUDGE, deployment_id, grant())


# --- the command line: the "Done when" check, then the authority's grant ----------------


def test_the_commands_refuse_an_eu_start_without_a_grant_then_start_after_one(
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    use_cli(settings, monkeypatch)
    add_users(services)
    add_users(services, JUDGE)
    add_watchlist(services, name="croydon")
    eu(services)  # the documents and registration, so that only the grant is missing
    now = datetime.now(UTC).replace(microsecond=0)

    def lfr(user: str, *argv: str) -> tuple[int, str, str]:
        try:
            code = main([*argv[:2], "--user", user, *argv[2:]])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    assert lfr("ada", "policy", "profile", "eu-ai-act")[0] == 0
    code, out, err = lfr(
        "olive", "deployment", "create", "--name", "Op Lantern", "--purpose",
        DEFAULT_PURPOSES[1], "--location", "Wembley Way", "--lat", "51.556", "--lon",
        "-0.2796", "--area", "Olympic Way", "--starts", (now - timedelta(minutes=5)).isoformat(),
        "--ends", (now + timedelta(hours=4)).isoformat(), "--camera", f"north={CAMERA_URL}",
        "--watchlist", "croydon", "--dpia", "DPIA-7", "--threshold", "0.5", "--objective", "ii",
    )  # fmt: skip
    assert code == 0, err
    assert lfr("arthur", "deployment", "authorise", "1", "--note", "event day")[0] == 0
    assert lfr("olive", "deployment", "signage", "1", "--reference", "SIGN-3")[0] == 0
    code, _, err = lfr("olive", "deployment", "start", "1")
    assert code != 0 and "EU AI Act Art. 5(3)" in err and "Traceback" not in err

    code, out, _ = lfr(
        "olive", "deployment", "request-authority", "1",
        "--justification-harm", HARM, "--justification-rights", RIGHTS,
    )  # fmt: skip
    assert code == 0 and "submitted" in out
    order = tmp_path / "order.pdf"
    order.write_bytes(DOCUMENT)
    code, out, _ = lfr(
        "judge-jones", "deployment", "decide", "1", "--grant", "--reasons", "proportionate",
        "--document-ref", "ORD-17", "--document", str(order),
    )  # fmt: skip
    assert code == 0 and SHA in out
    code, out, err = lfr("olive", "deployment", "start", "1")
    assert code == 0 and "deployment 1 is live" in out, err


def test_the_start_command_tells_of_the_urgent_clock(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    svc, clock = with_clock(services)
    deployment_id, _, _ = _urgent_use_with_alerts(svc, clock)
    print_urgent_clock(svc, OPERATOR, deployment_id)
    due = STARTS + timedelta(minutes=5, hours=24)
    assert f"unless the independent authority grants it by {due:%Y-%m-%d %H:%M}" in (
        capsys.readouterr().out
    )
