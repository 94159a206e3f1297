"""``lfr alert ...`` (review and adjudicate alerts) and ``lfr purge`` (retention).

Every alert command authenticates the acting user (``--user``); the services check the role.

``lfr purge`` with ``--user`` runs as that user (an admin). Without ``--user`` it runs as the
system scheduler, as a cron job or systemd timer would: it can only remove what the policy says
has expired (never an alert on hold), every run is audited as ``system``, and it needs the keys
in the data directory, which only the service account can read.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from lfr.access.roles import SYSTEM, Actor
from lfr.access.services import Services
from lfr.cli.common import acting, add_actor_args, login, open_services
from lfr.cli.stopping import StopRequest, stop_on_signals
from lfr.errors import LfrError, StateError
from lfr.governance.alerts import adjudication as adj
from lfr.governance.alerts.adjudication import AlertView
from lfr.governance.retention import holds
from lfr.governance.retention.purge import PurgeReport, purge
from lfr.governance.states import AlertStatus

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``alert`` (with its sub-commands) and the top-level ``purge``."""
    alert = commands.add_parser("alert", help="review, adjudicate and hold alerts")
    sub = alert.add_subparsers(dest="alert_command", required=True, parser_class=type(alert))

    listing = sub.add_parser("list", help="list alerts (oldest first)")
    add_actor_args(listing)
    listing.add_argument("--deployment", type=int, metavar="ID", help="only this deployment")
    listing.add_argument(
        "--status", choices=[s.value for s in AlertStatus], help="only alerts in this state"
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=_list)

    for name, decision, text in (
        ("confirm", AlertStatus.CONFIRMED, "confirm an alert as a true match"),
        ("reject", AlertStatus.FALSE_ALERT, "reject an alert as a false alert"),
    ):
        cmd = sub.add_parser(name, help=text)
        add_actor_args(cmd)
        cmd.add_argument("alert_id", metavar="ID")
        cmd.add_argument("--note", default="", help="why (kept in the audit log)")
        cmd.set_defaults(handler=_adjudicate, decision=decision)

    second = sub.add_parser("second", help="second confirmation by a different operator")
    add_actor_args(second)
    second.add_argument("alert_id", metavar="ID")
    choice = second.add_mutually_exclusive_group(required=True)
    choice.add_argument("--agree", dest="agree", action="store_true", default=None)
    choice.add_argument("--disagree", dest="agree", action="store_false")
    second.add_argument("--note", default="", help="why (kept in the audit log)")
    second.set_defaults(handler=_second)

    outcome = sub.add_parser("outcome", help="record what happened (field officer)")
    add_actor_args(outcome)
    outcome.add_argument("alert_id", metavar="ID")
    outcome.add_argument("outcome", choices=adj.OUTCOMES)
    outcome.add_argument(
        "--corroboration", default="", help="what corroborated an arrest (needed for one)"
    )
    outcome.set_defaults(handler=_outcome)

    hold = sub.add_parser("hold", help="put an alert on evidential hold (kept from the purge)")
    add_actor_args(hold)
    hold.add_argument("alert_id", metavar="ID")
    hold.add_argument("--reason", required=True, help="why it is kept, e.g. a case reference")
    hold.set_defaults(handler=_hold)

    release = sub.add_parser("release", help="release an evidential hold")
    add_actor_args(release)
    release.add_argument("alert_id", metavar="ID")
    release.add_argument("--note", default="")
    release.set_defaults(handler=_release)

    export = sub.add_parser("export-media", help="write an alert's probe and enrolled JPEGs")
    add_actor_args(export)
    export.add_argument("alert_id", metavar="ID")
    export.add_argument("--out", type=Path, required=True, metavar="DIR")
    export.set_defaults(handler=_export_media)

    purge_cmd = commands.add_parser(
        "purge", help="apply the retention policy now (without --user: as the system scheduler)"
    )
    add_actor_args(purge_cmd)
    purge_cmd.add_argument(
        "--every", type=_positive_float, metavar="SECONDS", help="keep running, once per interval"
    )
    purge_cmd.add_argument("--json", action="store_true", help="one JSON object per run")
    purge_cmd.set_defaults(handler=_purge)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def _record(view: AlertView) -> dict[str, Any]:
    body = asdict(view)
    for key, value in body.items():
        if hasattr(value, "isoformat"):
            body[key] = value.isoformat()
    return body


def _line(view: AlertView) -> str:
    flags = []
    if view.outcome:
        flags.append(f"outcome {view.outcome}")
    if view.hold_reason is not None:
        flags.append(f"on hold by {view.hold_by}")
    if not view.has_media:
        flags.append("media purged")
    extra = f" ({'; '.join(flags)})" if flags else ""
    # Intake refuses a non-match; a row that is one anyway was not put there by the system.
    match = view.distance <= view.threshold
    versus = f"<= {view.threshold:.3f}" if match else f"> {view.threshold:.3f}: NOT A MATCH"
    return (
        f"{view.id}  deployment {view.deployment_id}  {view.camera}"
        f"  {view.raised_at:%Y-%m-%d %H:%M:%S}Z  {view.subject_reference}"
        f" [{view.category}]  score {view.score:.3f} (distance {view.distance:.3f}"
        f" {versus})  {view.status}{extra}"
    )


def _summary(view: AlertView) -> str:
    status = view.status.replace("_", " ")
    if view.status == AlertStatus.AWAITING_SECOND:
        status += f" (first confirmation by {view.adjudicated_by}; a different operator must"
        status += " run 'lfr alert second')"
    return f"alert {view.id}: {status}" + (f", outcome {view.outcome}" if view.outcome else "")


def _list(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        views = adj.list_alerts(services, actor, args.deployment, args.status)
    for view in views:
        print(json.dumps(_record(view)) if args.json else _line(view))
    if not args.json:
        print(f"{len(views)} alert(s)")
    return 0


def _adjudicate(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        view = adj.adjudicate(services, actor, args.alert_id, args.decision, args.note)
    print(_summary(view))
    return 0


def _second(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        view = adj.second_confirm(services, actor, args.alert_id, bool(args.agree), args.note)
    print(_summary(view))
    return 0


def _outcome(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        view = adj.record_outcome(services, actor, args.alert_id, args.outcome, args.corroboration)
    print(_summary(view))
    return 0


def _hold(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        view = holds.hold(services, actor, args.alert_id, args.reason)
    print(f"alert {view.id}: on evidential hold ({view.hold_reason})")
    return 0


def _release(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        view = holds.release_hold(services, actor, args.alert_id, args.note)
    print(f"alert {view.id}: hold released; it will be purged on the normal schedule")
    return 0


def _export_media(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise LfrError(f"{out} is not a directory")
    with acting(args) as (services, actor):
        media = adj.alert_media(services, actor, args.alert_id, export_to=str(out.resolve()))
    if media is None:
        raise StateError(f"alert {args.alert_id}: its media has been purged (retention)")
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        paths = []
        for name, data in zip(("probe", "enrolled"), media, strict=True):
            path = out / f"{args.alert_id}_{name}.jpg"
            _write_private(path, data)
            paths.append(path)
    except OSError as exc:
        raise LfrError(f"cannot write to {out}: {exc.strerror or exc}") from None
    for path in paths:
        print(path)
    return 0


def _write_private(path: Path, data: bytes) -> None:
    """Biometric data: readable by the exporting user only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _report_text(report: PurgeReport) -> str:
    text = (
        f"purge at {report.at:%Y-%m-%d %H:%M:%S}Z: {report.alert_media_purged} alert media erased,"
        f" {report.alerts_deleted} alerts deleted, {report.snapshot_templates_deleted} snapshot"
        f" templates deleted, {report.entry_images_deleted} enrolment images deleted"
    )
    if report.held_alerts_kept:
        text += f"; {report.held_alerts_kept} alert(s) kept on evidential hold"
    return text


def _purge(args: argparse.Namespace) -> int:
    """Once, or every ``--every`` seconds until SIGINT/SIGTERM (then exit 130 or 143 after
    the run in progress, if any, has finished)."""
    services = open_services(args)
    stop = StopRequest()
    try:
        actor = login(services, args) if args.user else SYSTEM
        with stop_on_signals(stop):
            _purge_runs(services, actor, args, stop)
    finally:
        services.db.dispose()
    if stop.signum is not None:
        print(f"lfr: purge {stop.note}", file=sys.stderr)
    return stop.code


def _purge_runs(
    services: Services, actor: Actor, args: argparse.Namespace, stop: StopRequest
) -> None:
    while not stop.is_set():
        try:
            report = purge(services, actor)
        except SQLAlchemyError as exc:
            if args.every is None:
                raise LfrError(f"purge failed: database error ({type(exc).__name__})") from None
            log.warning("purge failed (%s); retrying in %ss", type(exc).__name__, args.every)
        else:
            if args.json:
                body = {"at": report.at.isoformat(), **report.counts()}
                print(json.dumps(body), flush=True)
            else:
                print(_report_text(report), flush=True)
        if args.every is None:
            return
        sys.stdout.flush()
        stop.wait(args.every)
