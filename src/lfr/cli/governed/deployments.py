"""``lfr deployment``: plan, authorise, confirm signage, start, run, end, cancel, show, list,
read the published record, run the schedule, and assign officers (``lfr.cli.governed.assignments``).

Every command but ``enforce`` logs the acting user in (``--user`` or $LFR_USER; the password
from $LFR_PASSWORD, ``--password-stdin`` or a prompt). ``enforce`` is what a scheduler (cron,
a systemd timer) runs: it acts as the system, and only does what the rules require (end
deployments whose window is over, refuse emergency starts not authorised in time).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.argtypes import positive_int
from lfr.cli.common import (
    acting,
    add_actor_args,
    add_data_dir_arg,
    open_services,
    with_actor,
)
from lfr.cli.engine.engine_args import add_engine_args, load_config
from lfr.cli.governed.assignments import register as register_assignments
from lfr.cli.governed.authority import print_urgent_clock
from lfr.cli.governed.authority import register as register_authority
from lfr.cli.stopping import StopRequest, stop_on_signals
from lfr.errors import LfrError, NotFoundError
from lfr.governance.states import DeploymentState
from lfr.store.tables import Watchlist as WatchlistRow

if TYPE_CHECKING:
    from lfr.governance.records.published import PublishedRecord

# Before it goes live, ``show`` lists what still stands in the way.
_NOT_YET_LIVE = (DeploymentState.DRAFT, DeploymentState.AUTHORISED)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    deployment = commands.add_parser("deployment", help="plan and run deployments")
    sub = deployment.add_subparsers(
        dest="deployment_command", required=True, parser_class=type(deployment)
    )

    create = sub.add_parser("create", help="plan a deployment (a draft until authorised)")
    create.add_argument("--name", required=True)
    create.add_argument("--purpose", required=True, help="one of the policy's purposes")
    create.add_argument("--location", required=True, help="location name")
    create.add_argument("--lat", type=float, required=True, help="latitude")
    create.add_argument("--lon", type=float, required=True, help="longitude")
    create.add_argument("--area", required=True, help="description of the area covered")
    create.add_argument("--starts", type=_moment, required=True, help="ISO time with zone")
    create.add_argument("--ends", type=_moment, required=True, help="ISO time with zone")
    create.add_argument(
        "--camera",
        type=_camera,
        action="append",
        required=True,
        metavar="NAME=SPEC",
        help="a camera and its source (repeatable)",
    )
    create.add_argument("--watchlist", required=True, help="watchlist name")
    create.add_argument("--threshold", type=float, required=True, help="match threshold")
    create.add_argument("--dpia", required=True, help="DPIA reference")
    create.add_argument(
        "--objective",
        choices=["i", "ii", "iii"],
        help="EU AI Act Art. 5(1)(h) objective (needed to go live under the eu-ai-act profile)",
    )
    create.add_argument(
        "--expected-footfall", type=int, help="people expected to pass (for the false alerts)"
    )
    create.set_defaults(handler=_create)

    authorise = sub.add_parser("authorise", help="authorise a deployment (not its planner)")
    authorise.add_argument("id", type=int)
    authorise.add_argument("--note", default="", help="why it is authorised")
    authorise.add_argument(
        "--threshold-reason",
        default="",
        help="why a threshold looser than the evaluated fair operating point",
    )
    authorise.set_defaults(handler=_authorise)

    signage = sub.add_parser("signage", help="confirm the area is signposted")
    signage.add_argument("id", type=int)
    signage.add_argument("--reference", required=True, help="photo or log reference")
    signage.set_defaults(handler=_signage)

    start = sub.add_parser("start", help="go live (freezes the watchlist snapshot)")
    start.add_argument("id", type=int)
    start.add_argument(
        "--emergency",
        action="store_true",
        help="start before authorisation, where the policy allows it",
    )
    start.set_defaults(handler=_start)

    end = sub.add_parser("end", help="end a live deployment (wipes the snapshot)")
    end.add_argument("id", type=int)
    end.add_argument("--reason", default="", help="why it ends")
    end.set_defaults(handler=_end)

    cancel = sub.add_parser("cancel", help="call off a deployment that has not gone live")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--reason", default="")
    cancel.set_defaults(handler=_cancel)

    show = sub.add_parser("show", help="one deployment, and what it still needs to go live")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    listing = sub.add_parser("list", help="all deployments")
    listing.add_argument("--state", choices=[state.value for state in DeploymentState])
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    run = sub.add_parser("run", help="run the camera workers of a live deployment")
    run.add_argument("id", type=int)
    run.add_argument("--max-frames", type=positive_int, help="stop each camera after N frames")
    add_engine_args(run, threshold_help=None, detect_width_help="detection width (default 640)")
    run.add_argument("--json", action="store_true")
    run.set_defaults(handler=_run)

    record = sub.add_parser("record", help="the published record of an ended deployment")
    record.add_argument("id", type=int)
    record.add_argument("--json", action="store_true")
    record.set_defaults(handler=_record)

    enforce = sub.add_parser(
        "enforce", help="run the schedule now: end expired windows, refuse late emergencies"
    )
    add_data_dir_arg(enforce)
    enforce.set_defaults(handler=_enforce)

    assignment_parsers = register_assignments(sub) + register_authority(sub)
    for parser in (create, authorise, signage, start, end, cancel, show, listing, run, record):
        add_actor_args(parser)
    for parser in assignment_parsers:
        add_actor_args(parser)


# --- argument types ---------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time zone (add one, e.g. {text}+00:00 or {text}Z)"
        )
    return moment


def _camera(text: str) -> tuple[str, str]:
    name, sep, spec = text.partition("=")
    if not sep or not name.strip() or not spec.strip():
        raise argparse.ArgumentTypeError("a camera is NAME=SPEC, e.g. van-front=rtsp://host/x")
    return name.strip(), spec.strip()


# --- handlers ---------------------------------------------------------------------------------


def watchlist_id_by_name(services: Services, name: str) -> int:
    with services.transaction() as session:
        found = session.scalar(select(WatchlistRow.id).where(WatchlistRow.name == name))
    if found is None:
        raise NotFoundError(f"no watchlist named {name!r}")
    return int(found)


@with_actor
def _create(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.lifecycle import plan_deployment
    from lfr.governance.deployments.plan import DeploymentPlan

    cameras = dict(args.camera)
    if len(cameras) != len(args.camera):
        raise LfrError("each --camera needs its own name")
    plan = DeploymentPlan(
        name=args.name,
        purpose=args.purpose,
        location_name=args.location,
        latitude=args.lat,
        longitude=args.lon,
        area_description=args.area,
        starts_at=args.starts,
        ends_at=args.ends,
        cameras=cameras,
        watchlist_id=watchlist_id_by_name(services, args.watchlist),
        threshold=args.threshold,
        dpia_reference=args.dpia,
        objective=args.objective,
        expected_footfall=args.expected_footfall,
    )
    deployment_id = plan_deployment(services, actor, plan)
    print(f"deployment {deployment_id} planned (draft): it needs authorisation and signage")


@with_actor
def _authorise(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.lifecycle import authorise

    authorise(services, actor, args.id, args.note, threshold_reason=args.threshold_reason)
    print(f"deployment {args.id} authorised by {actor.username}")


@with_actor
def _signage(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.lifecycle import confirm_signage

    confirm_signage(services, actor, args.id, args.reference)
    print(f"deployment {args.id}: signage confirmed by {actor.username}")


@with_actor
def _start(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.lifecycle import get_deployment, start

    digest = start(services, actor, args.id, emergency=args.emergency)
    view = get_deployment(services, actor, args.id)
    print(
        f"deployment {args.id} is live: snapshot of {view.snapshot_size} template(s),"
        f" sha256 {digest}"
    )
    if view.emergency_authorise_by is not None:
        deadline = f"{view.emergency_authorise_by:%Y-%m-%d %H:%M %Z}"
        print(
            f"EMERGENCY START: it must be authorised by {deadline}, or every alert it raises"
            " is deleted"
        )
    print_urgent_clock(services, actor, args.id)


@with_actor
def _end(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.lifecycle import end

    record = end(services, actor, args.id, args.reason)
    print(
        f"deployment {args.id} ended; watchlist snapshot wiped; record published"
        f" ({record.faces_seen} faces seen, {record.alerts} alert(s))"
    )


@with_actor
def _cancel(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.lifecycle import cancel

    cancel(services, actor, args.id, args.reason)
    print(f"deployment {args.id} cancelled")


@with_actor
def _show(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.evaluations import deployment_cost
    from lfr.governance.deployments.lifecycle import get_deployment, readiness

    view = get_deployment(services, actor, args.id)
    problems = readiness(services, actor, args.id) if view.state in _NOT_YET_LIVE else []
    cost = deployment_cost(services, actor, args.id)
    if args.json:
        shown = {**view.as_dict(), "go_live_problems": problems, "expected_false_alerts": cost}
        print(json.dumps(shown, indent=2))
        return
    for key, value in view.as_dict().items():
        if key == "cameras":
            for name, spec in value.items():
                print(f"{'camera':<22} {name} = {spec}")
        elif value is not None:
            print(f"{key:<22} {value}")
    print(f"{'expected false alerts':<22} {cost}")
    if view.state in _NOT_YET_LIVE:
        print("ready to go live" if not problems else "cannot go live yet:")
        for problem in problems:
            print(f"  - {problem}")


@with_actor
def _list(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.lifecycle import list_deployments

    views = list_deployments(services, actor, args.state)
    if args.json:
        print(json.dumps([v.as_dict() for v in views], indent=2))
        return
    print(f"{'ID':>4}  {'STATE':<10}  {'STARTS':<16}  {'ENDS':<16}  NAME (LOCATION)")
    for v in views:
        print(
            f"{v.id:>4}  {v.state:<10}  {v.starts_at:%Y-%m-%d %H:%M}  {v.ends_at:%Y-%m-%d %H:%M}"
            f"  {v.name} ({v.location_name})"
        )


def _run(args: argparse.Namespace) -> int:
    """Run the cameras until the deployment must stop or SIGINT/SIGTERM asks: then the sources
    close, the counts are stored, the summary printed and the exit code is 130 or 143."""
    stop = StopRequest()
    with acting(args) as (services, actor):
        _run_cameras(services, actor, args, stop)
    if stop.signum is not None:
        print(f"lfr: {stop.note}", file=sys.stderr)
    return stop.code


def _run_cameras(
    services: Services, actor: Actor, args: argparse.Namespace, stop: StopRequest
) -> None:
    from lfr.app import CameraEngines
    from lfr.centre.camera_port import GovernedDeployments
    from lfr.runtime.deployment import run_deployment

    engines = CameraEngines(load_config(args))
    try:
        with stop_on_signals(stop):
            report = run_deployment(
                GovernedDeployments(services),
                actor,
                args.id,
                engines,
                max_frames=args.max_frames,
                stop=stop.event,
            )
    finally:
        engines.close()
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
        return
    for name, camera in report.cameras.items():
        if camera.error is not None:
            print(f"camera {name}: failed: {camera.error}")
            continue
        print(
            f"camera {name}: {camera.frames} frames, {camera.face_detections} face detections"
            f" in {camera.tracks} tracks, {camera.alerts_stored} alert(s) stored"
            + (f"; source gave up: {camera.source_error}" if camera.source_error else "")
        )
    stopped = f" (stopped: {report.stopped})" if report.stopped else ""
    print(
        f"deployment {args.id}: {report.alerts_stored} alert(s) stored{stopped}."
        "\nNo image, descriptor or record of any face that did not match was kept."
    )


@with_actor
def _record(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.records.published import get_record

    record = get_record(services, actor, args.id)
    if args.json:
        print(json.dumps(record.as_dict(), indent=2))
        return
    print(format_record(record))


def format_record(record: PublishedRecord) -> str:
    def rate(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.4g}%"

    location = record.location
    lines = [
        f"deployment {record.deployment_id} on {record.date}:"
        f" {location.name} ({location.latitude}, {location.longitude})",
        f"  area: {location.area}",
        f"  purpose: {record.purpose}",
        f"  duration: {record.duration_minutes} min; threshold {record.threshold};"
        f" watchlist size {record.watchlist_size}",
        f"  faces seen: {record.faces_seen} ({record.face_detections} detections)",
        f"  alerts: {record.alerts} (true {record.true_alerts}, false"
        f" {record.false_alerts}, unreviewed {record.unreviewed})",
        f"  engagements: {record.engagements}; arrests: {record.arrests}",
        f"  false-alert rate: {rate(record.false_alert_rate_per_face_seen)} of faces seen,"
        f" {rate(record.false_alert_rate_per_alert)} of alerts",
    ]
    if record.emergency_authorisation_refused:
        lines.append("  emergency start not authorised in time: its alerts were deleted")
    return "\n".join(lines)


def _enforce(args: argparse.Namespace) -> int:
    from lfr.governance.authority.schedule import enforce_schedule

    services = open_services(args)
    try:
        lines = [str(action) for action in enforce_schedule(services)]
    finally:
        services.db.dispose()
    print("\n".join(lines) if lines else "schedule: nothing to do")
    return 0
