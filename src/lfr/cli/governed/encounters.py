"""``lfr encounter record`` and ``lfr encounter list``: what happened on the ground, for an
alert (``--alert ID``) or a stop no alert caused (``--deployment N --reason ...``)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.common import add_actor_args, with_actor
from lfr.governance.alerts.corroboration import IDENTITY_CHECKS
from lfr.governance.alerts.encounters import (
    ENCOUNTER_OUTCOMES,
    EncounterForm,
    EncounterView,
    list_encounters,
    record_encounter,
)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time (ISO 8601): {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the time zone, e.g. {text}+00:00")
    return moment


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    encounter = commands.add_parser("encounter", help="record what happened on the ground")
    sub = encounter.add_subparsers(
        dest="encounter_command", required=True, parser_class=type(encounter)
    )

    record = sub.add_parser("record", help="record an encounter (field officer)")
    caused = record.add_mutually_exclusive_group(required=True)
    caused.add_argument("--alert", metavar="ID", help="the alert that caused it")
    caused.add_argument("--deployment", type=int, help="a stop no alert caused, in this zone")
    stopped = record.add_mutually_exclusive_group(required=True)
    stopped.add_argument("--stopped", action="store_true", dest="stopped")
    stopped.add_argument("--not-stopped", action="store_false", dest="stopped")
    record.add_argument("--start", type=_moment, required=True, help="ISO 8601 with time zone")
    record.add_argument("--end", type=_moment, help="ISO 8601 (needed for a stop)")
    record.add_argument("--check", choices=list(IDENTITY_CHECKS), required=True)
    record.add_argument("--check-detail", default="", help="the check written in")
    record.add_argument("--outcome", choices=ENCOUNTER_OUTCOMES, required=True)
    record.add_argument("--reason", default="", help="why (a stop without an alert; a long stop)")
    record.set_defaults(handler=_record)

    listing = sub.add_parser("list", help="a deployment's encounters")
    listing.add_argument("deployment", type=int)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    for parser in (record, listing):
        add_actor_args(parser)


@with_actor
def _record(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    form = EncounterForm(
        stopped=args.stopped,
        started_at=args.start,
        ended_at=args.end,
        identity_check=args.check,
        identity_check_detail=args.check_detail,
        outcome=args.outcome,
        reason=args.reason,
        alert_id=args.alert,
        deployment_id=args.deployment,
    )
    view = record_encounter(services, actor, form)
    print(f"encounter {view.id} recorded: {_summary(view)}")


def _summary(view: EncounterView) -> str:
    stop = (
        f"stopped {view.minutes:.0f} min"
        if view.stopped and view.minutes is not None
        else ("not stopped")
    )
    cause = f"alert {view.alert_id}" if view.alert_id else f"no alert ({view.reason})"
    return f"{cause}, {stop}, identity: {IDENTITY_CHECKS[view.identity_check]}, {view.outcome}"


@with_actor
def _list(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    views = list_encounters(services, actor, args.deployment)
    if args.json:
        rows = [
            {
                "id": v.id,
                "alert_id": v.alert_id,
                "officer": v.officer,
                "stopped": v.stopped,
                "started_at": v.started_at.isoformat(),
                "ended_at": v.ended_at.isoformat() if v.ended_at else None,
                "identity_check": v.identity_check,
                "outcome": v.outcome,
                "reason": v.reason,
            }
            for v in views
        ]
        print(json.dumps(rows, indent=2))
        return
    for v in views:
        print(f"{v.id}  {v.started_at:%Y-%m-%d %H:%M}  {v.officer}  {_summary(v)}")
