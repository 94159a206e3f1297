"""Issue 11, part G from the command line: ``lfr policy profile``, ``lfr policy eu-registration``,
``lfr document add|list``, ``lfr watchlist details|approve-child``, ``lfr evaluation import`` and
the expected false alerts in ``lfr deployment show``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lfr.access.services import Services
from lfr.config import Settings
from lfr.store.tables import WatchlistEntry
from tests.gov.factories import (
    add_deployment,
    add_users,
    add_watchlist,
    audit_entries,
    run_cli,
    use_cli,
)


def test_choose_the_profile_and_record_the_eu_registration(
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_cli(settings, monkeypatch)
    add_users(services)
    code, _, err = run_cli(capsys, "policy", "profile", "eu-ai-act", "--user", "olive")
    assert code != 0 and "may not policy.set" in err
    code, out, _ = run_cli(capsys, "policy", "profile", "eu-ai-act", "--user", "ada")
    assert code == 0 and "profile eu-ai-act" in out and "EU AI Act Art. 5(3):" in out
    assert "profile" in audit_entries(services, "policy.set")[-1].details["changed"]
    code, _, _ = run_cli(capsys, "policy", "eu-registration", "EU-DB-42", "--user", "ada")
    assert code == 0
    code, out, _ = run_cli(capsys, "policy", "show", "--user", "olive")
    assert "jurisdiction profile: eu-ai-act" in out and "EU database registration: EU-DB-42" in out


def test_documents_entries_and_the_cost_from_the_command_line(
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    use_cli(settings, monkeypatch)
    add_users(services)
    dpia = tmp_path / "dpia.pdf"
    dpia.write_bytes(b"the DPIA")
    add = ("document", "add", "dpia", str(dpia), "--version", "2", "--review-by", "2030-01-01")
    assert run_cli(capsys, *add, "--user", "arthur")[0] == 0
    code, out, _ = run_cli(capsys, "document", "list", "--json", "--user", "oscar")
    assert code == 0
    assert json.loads(out)[0]["sha256"] == hashlib.sha256(b"the DPIA").hexdigest()

    add_watchlist(services, name="wl-cli")
    details = ("watchlist", "details", "wl-cli", "WL-0001")
    code, _, err = run_cli(capsys, *details, "--offence", "shoplifting", "--user", "wendy")
    assert code != 0 and "'shoplifting' is not an Annex II offence type" in err
    offence = ("--offence", "terrorism", "--max-sentence-years", "10")
    assert run_cli(capsys, *details, *offence, "--user", "wendy")[0] == 0
    child = ("--date-of-birth", "2015-03-01", "--child-reason", "missing, at risk")
    assert run_cli(capsys, *details, *child, "--user", "wendy")[0] == 0
    approve = ("watchlist", "approve-child", "wl-cli", "WL-0001")
    assert run_cli(capsys, *approve, "--user", "arthur")[0] == 0
    with services.transaction() as session:
        entry = session.query(WatchlistEntry).filter_by(reference="WL-0001").one()
        assert (entry.offence, entry.max_sentence_years) == ("terrorism", 10.0)
        assert entry.child_approved_by == "arthur"

    deployment_id = str(add_deployment(services, state="draft"))
    show = ("deployment", "show", deployment_id, "--user", "arthur")
    assert "expected false alerts  no evaluation imported" in run_cli(capsys, *show)[1]
    report = tmp_path / "report.json"
    rows = [{"threshold": 0.5, "fmr_per_comparison": {"value": 0.01}}]
    report.write_text(json.dumps({"identification": {"by_threshold": rows}}))
    assert run_cli(capsys, "evaluation", "import", str(report), "--user", "ada")[0] == 0
    assert "FPIR 0.0297 at 3 entries" in run_cli(capsys, *show)[1]
