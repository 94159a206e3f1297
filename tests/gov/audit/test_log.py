from __future__ import annotations

from sqlalchemy import text

from lfr.access.services import Services


def test_appended_chain_verifies(services: Services) -> None:
    with services.transaction() as session:
        for i in range(5):
            services.record(session, "ada", "test.action", f"thing:{i}", {"n": i})
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert report.ok and report.entries == 5


def test_altered_entry_is_named(services: Services) -> None:
    with services.transaction() as session:
        for i in range(4):
            services.record(session, "ada", "test.action", f"thing:{i}", {"n": i})
    with services.transaction() as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert not report.ok and report.first_bad_seq == 3 and "altered" in report.problem
