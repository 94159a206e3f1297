"""Camera sources under the policy (``lfr.governance.deployments.camera_sources``): allowed
schemes, local
files only inside the media folder, a limit on cameras, and credentials sealed at rest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from lfr.access.services import Services
from lfr.centre.camera_port import GovernedDeployments
from lfr.errors import PolicyViolationError
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.law.policy import CameraSourcePolicy, Policy
from lfr.store.tables import Deployment
from tests.gov.conftest import OPERATOR
from tests.gov.factories import (
    CAMERA_URL,
    add_deployment,
    add_watchlist,
    audit_entries,
    count,
    live,
    make_plan,
    set_policy,
    with_clock,
)


def _media(services: Services, tmp_path: Path) -> tuple[Services, Path]:
    """Services (on the plans' clock) whose media folder is ``tmp_path/media``, with a clip."""
    media = tmp_path / "media"
    media.mkdir()
    (media / "clip.mp4").write_bytes(b"not really a video")
    svc, _ = with_clock(dataclasses.replace(services, media_dirs=(media,)))
    return svc, media


def _refusal(services: Services, watchlist_id: int, cameras: dict[str, str]) -> str:
    with pytest.raises(PolicyViolationError) as refused:
        dep.plan_deployment(services, OPERATOR, make_plan(watchlist_id, cameras=cameras))
    return str(refused.value)


def test_a_local_file_outside_the_media_folder_is_refused_whether_or_not_it_exists(
    services: Services, tmp_path: Path
) -> None:
    svc, media = _media(services, tmp_path)
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(b"x")
    (media / "link.mp4").symlink_to(outside)
    watchlist_id = add_watchlist(svc)

    existing = _refusal(svc, watchlist_id, {"cam": str(outside)})
    missing = _refusal(svc, watchlist_id, {"cam": str(tmp_path / "no-such-file.mp4")})
    assert "must be inside the media folder" in existing
    assert existing == missing  # the answer says nothing about what is on the server
    assert str(outside) not in existing
    for sneaky in (str(media / ".." / "secret.mp4"), "../secret.mp4", str(media / "link.mp4")):
        assert "must be inside the media folder" in _refusal(svc, watchlist_id, {"cam": sneaky})
    assert count(svc, Deployment) == 0 and audit_entries(svc, "deployment.plan") == []

    planned = dep.plan_deployment(
        svc, OPERATOR, make_plan(watchlist_id, cameras={"a": str(media / "clip.mp4"), "b": "demo"})
    )
    assert dep.get_deployment(svc, OPERATOR, planned).cameras == {
        "a": str(media / "clip.mp4"),
        "b": "demo",
    }


def test_only_the_policys_stream_schemes_are_allowed(services: Services, tmp_path: Path) -> None:
    svc, _ = _media(services, tmp_path)
    watchlist_id = add_watchlist(svc)
    for spec in ("file:///etc/passwd", "rtmp://10.0.0.5/live", "gopher://host/x", "rtsp:///x"):
        problem = _refusal(svc, watchlist_id, {"cam": spec})
        assert "is not allowed" in problem or "names no host" in problem, problem
    set_policy(svc, Policy(camera_sources=CameraSourcePolicy(webcams_allowed=False)))
    assert "webcams are not allowed" in _refusal(svc, watchlist_id, {"cam": "0"})
    for spec in ("rtsp://10.0.0.5/stream", "rtsps://cam.example/live", "https://cam/x.mjpg"):
        dep.plan_deployment(svc, OPERATOR, make_plan(watchlist_id, cameras={"cam": spec}))


def test_a_deployment_may_have_32_cameras_not_33(services: Services) -> None:
    svc, _ = with_clock(services)
    watchlist_id = add_watchlist(svc)
    cameras = {f"cam-{i}": f"rtsp://10.0.0.{i}/stream" for i in range(33)}
    problem = _refusal(svc, watchlist_id, cameras)
    assert problem == "deployment refused: 33 cameras is more than the policy's limit of 32"
    assert count(svc, Deployment) == 0
    del cameras["cam-32"]
    dep.plan_deployment(svc, OPERATOR, make_plan(watchlist_id, cameras=cameras))
    with pytest.raises(ValidationError, match="at most 1000"):  # 20,000 never reach the service
        make_plan(watchlist_id, cameras={f"c{i}": "demo" for i in range(20_000)})


def test_camera_credentials_are_sealed_in_the_database(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)  # its camera is CAMERA_URL, with a password
    secret = "s3cret"
    assert secret in CAMERA_URL
    with svc.transaction() as session:
        stored = session.execute(text("SELECT cameras FROM deployments")).scalar_one()
        assert secret not in str(stored) and "admin" not in str(stored)
    database = Path(str(svc.db.engine.url.database or ""))
    if database.is_file():  # SQLite: not in its files either, not even in a free page
        for path in (database, database.with_name(database.name + "-wal")):
            assert not path.exists() or secret.encode() not in path.read_bytes()
    assert dep.get_deployment(svc, OPERATOR, deployment_id).cameras == {
        "van-front": "rtsp://***@10.0.0.5:554/stream"
    }
    assert all(secret not in str(e.details) for e in audit_entries(svc))
    live_run = GovernedDeployments(svc).open_run(OPERATOR, deployment_id)
    assert live_run.cameras == {"van-front": CAMERA_URL}  # only the camera gets it back


def test_a_row_planned_before_the_rules_can_neither_go_live_nor_run(
    services: Services,
) -> None:
    """Nor can its camera health tell whether a server path exists: the run is refused before
    any source is opened, in the same words for a file that exists and one that does not."""
    draft = add_deployment(services, state="authorised")
    running = add_deployment(services, state="live")
    missing = add_deployment(services, state="live")
    paths = {draft: "/etc/passwd", running: "/etc/passwd", missing: "/no/such/file.mp4"}
    with services.transaction() as session:
        for deployment_id, path in paths.items():
            row = session.get(Deployment, deployment_id)
            assert row is not None
            row.cameras = {"cam-1": path}
    problems = dep.readiness(services, OPERATOR, draft)
    assert any("must be inside the media folder" in p for p in problems)
    refusals = []
    for deployment_id in (running, missing):
        with pytest.raises(PolicyViolationError, match="must be inside the media folder") as no:
            GovernedDeployments(services).open_run(OPERATOR, deployment_id)
        refusals.append(str(no.value).replace(f"deployment {deployment_id}'s", "its"))
    assert refusals[0] == refusals[1]
    assert audit_entries(services, "deployment.snapshot.load") == []
