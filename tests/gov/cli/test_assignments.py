"""``lfr deployment assign|unassign|assignments``: a supervisor assigns officers from the command
line; an officer may not; the list shows who is assigned."""

from __future__ import annotations

import json

import pytest

from lfr.access.services import Services
from lfr.config import Settings
from lfr.errors import NotFoundError
from lfr.governance.alerts import adjudication
from tests.gov.conftest import FIELD
from tests.gov.factories import add_alert, add_deployment, add_users, run_cli, use_cli


def test_assign_list_and_unassign_from_the_command_line(
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_cli(settings, monkeypatch)
    add_users(services)
    deployment = add_deployment(services, assigned=())
    alert_id = add_alert(services, deployment)
    d = str(deployment)

    code, out, _ = run_cli(capsys, "deployment", "assign", d, "fred", "--user", "arthur")
    assert (code, out) == (0, f"fred (field_officer) assigned to deployment {d}\n")
    assert adjudication.get_alert(services, FIELD, alert_id).id == alert_id
    code, out, _ = run_cli(capsys, "deployment", "assignments", d, "--json", "--user", "fred")
    assert code == 0
    assert [(a["username"], a["assigned_by"]) for a in json.loads(out)] == [("fred", "arthur")]
    code, _, err = run_cli(capsys, "deployment", "assign", d, "olive", "--user", "fred")
    assert code == 6 and "may not deployment.assign" in err

    code, out, _ = run_cli(capsys, "deployment", "unassign", d, "fred", "--user", "ada")
    assert (code, out) == (0, f"fred no longer assigned to deployment {d}\n")
    with pytest.raises(NotFoundError):
        adjudication.get_alert(services, FIELD, alert_id)
    code, out, _ = run_cli(capsys, "deployment", "assignments", d, "--user", "oscar")
    assert (code, out) == (0, f"0 officer(s) assigned to deployment {d}\n")
