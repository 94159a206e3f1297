"""The chain's head is published (``lfr.audit.heads``), so entries cut off its end fail
verification without anyone passing ``--known-head``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from lfr.access.services import Services
from lfr.audit.heads import (
    heads_path,
    latest_published,
    publish_head,
    read_heads,
)
from lfr.audit.service import verify_chain
from lfr.centre.head_publisher import HeadPublisher
from lfr.config import Settings
from lfr.governance.deployments import lifecycle as dep
from lfr.store.keys import AUDIT_PUBLIC, key_dir, load_public_key
from tests.gov.conftest import OPERATOR
from tests.gov.factories import (
    assert_chain_ok,
    audit_entries,
    live,
    run_cli,
    use_cli,
    with_clock,
)
from tests.waiting import wait_until


def _fill(services: Services, n: int) -> None:
    with services.transaction() as session:
        for i in range(n):
            services.record(session, "olive", "alert.view", f"alert:{i}", {"n": i})


def _cut(services: Services, entries: int) -> None:
    """Delete the newest ``entries`` entries: what is left is still a valid chain."""
    with services.transaction() as session:
        last = session.execute(text("SELECT MAX(seq) FROM audit_log")).scalar_one()
        session.execute(text("DELETE FROM audit_log WHERE seq > :s"), {"s": last - entries})
    assert_chain_ok(services)


def test_a_chain_cut_at_its_end_fails_verification_against_the_published_head(
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_cli(settings, monkeypatch)
    _fill(services, 5)
    code, out, _ = run_cli(capsys, "audit", "publish-head")
    head = audit_entries(services)[-1]
    assert code == 0 and f"entry {head.seq}, {head.hash}" in out
    assert run_cli(capsys, "audit", "publish-head")[1].startswith("audit head: already published")
    assert run_cli(capsys, "audit", "verify")[0] == 0

    _cut(services, 2)
    code, out, err = run_cli(capsys, "audit", "verify")  # no --known-head
    assert code == 9 and out == "" and err.count("\n") == 1
    assert f"({head.hash[:16]}...) is no longer in the log: entries were cut from its end" in err


def test_each_published_record_carries_the_head(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    record = dep.end(svc, OPERATOR, deployment_id)
    entries = audit_entries(svc)
    # Built before its own "deployment.record.publish" entry: the head just before that one.
    assert record.audit_head == entries[-2].hash
    public = load_public_key(key_dir(svc.data_dir) / AUDIT_PUBLIC)
    assert verify_chain(svc.db, public).ok

    _cut(svc, 1)
    assert verify_chain(svc.db, public).ok  # the record's head is still there
    _cut(svc, 1)
    report = verify_chain(svc.db, public)
    assert not report.ok
    assert f"the head published in the record of deployment {deployment_id}" in report.problem


def test_a_forged_publication_is_told_apart_from_a_cut(services: Services) -> None:
    _fill(services, 3)
    with services.transaction() as session:
        published = publish_head(session, services.data_dir, services.clock())
    assert published is not None and read_heads(heads_path(services.data_dir)) == [published]
    forged = {
        "seq": published.seq,
        "hash": "ab" * 32,
        "signature": published.signature,
        "published_at": "2030-01-01T00:00:00+00:00",
    }
    with heads_path(services.data_dir).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(forged) + "\nnot json\n")
    public = load_public_key(key_dir(services.data_dir) / AUDIT_PUBLIC)
    report = verify_chain(services.db, public, published=read_heads(heads_path(services.data_dir)))
    assert report.problems == (
        "the head published at 2030-01-01T00:00:00+00:00 is not signed by this log's key"
        " (a forged publication)",
        "the head published at line 3 of audit_heads.jsonl (unreadable) is not signed by this"
        " log's key (a forged publication)",
    )


def test_the_publisher_publishes_at_once_and_on_stop(services: Services) -> None:
    _fill(services, 2)
    publisher = HeadPublisher(services, every_s=3600.0)
    publisher.start()
    first = None
    try:
        wait_until(lambda: latest_published(services.data_dir) is not None, what="a publication")
        first = latest_published(services.data_dir)
        _fill(services, 1)
    finally:
        publisher.stop()
    last = latest_published(services.data_dir)
    assert first is not None and last is not None
    assert (first.seq, last.seq) == (2, 3) and last.hash == audit_entries(services)[-1].hash
