"""``lfr report notice DEPLOYMENT`` and ``lfr report yearly YEAR``: the EU AI Act's notice per
use (Art. 5(4)) and yearly report (Art. 5(6)) as JSON, for oversight and admins to send."""

from __future__ import annotations

import argparse
import json
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.common import add_actor_args, with_actor
from lfr.governance.records.regulator_reports import use_notice, yearly_report


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    report = commands.add_parser("report", help="reports for the regulators (JSON)")
    sub = report.add_subparsers(dest="report_command", required=True, parser_class=type(report))

    notice = sub.add_parser("notice", help="a use's notice, without operational detail")
    notice.add_argument("deployment", type=int)
    notice.set_defaults(handler=_notice)

    yearly = sub.add_parser("yearly", help="requests, decisions, urgent starts and results")
    yearly.add_argument("year", type=int)
    yearly.set_defaults(handler=_yearly)

    for parser in (notice, yearly):
        add_actor_args(parser)


@with_actor
def _notice(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    print(json.dumps(use_notice(services, actor, args.deployment), indent=2))


@with_actor
def _yearly(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    print(json.dumps(yearly_report(services, actor, args.year), indent=2))
