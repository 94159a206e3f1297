"""``lfr deployment request-authority`` and ``lfr deployment decide``: the force's reasoned
request to an independent authority (EU AI Act Art. 5(2)(a) and (b)), and the authority's
decision with reasons, a document reference and the document's SHA-256 (given, or hashed from
``--document FILE``), narrowing a grant with ``--window-start/--window-end``, ``--camera`` and
``--entry`` (each may repeat)."""

from __future__ import annotations

import argparse
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.common import with_actor
from lfr.errors import LfrError


def register(sub: argparse._SubParsersAction[Any]) -> list[argparse.ArgumentParser]:
    """Add the two sub-commands to ``lfr deployment``; returns them (for the actor args)."""
    request = sub.add_parser(
        "request-authority", help="submit a deployment to the independent authority"
    )
    request.add_argument("id", type=int)
    request.add_argument(
        "--justification-harm",
        required=True,
        help="Art. 5(2)(a): the situation, and the harm if the system were not used",
    )
    request.add_argument(
        "--justification-rights",
        required=True,
        help="Art. 5(2)(b): the consequences for the rights and freedoms of all concerned",
    )
    request.set_defaults(handler=_request)

    decide = sub.add_parser("decide", help="the independent authority's decision")
    decide.add_argument("id", type=int)
    verdict = decide.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--grant", action="store_true")
    verdict.add_argument("--refuse", action="store_true")
    decide.add_argument("--reasons", required=True)
    decide.add_argument("--document-ref", required=True, help="the decision's reference")
    document = decide.add_mutually_exclusive_group(required=True)
    document.add_argument("--document-sha256", help="the decision document's SHA-256 (hex)")
    document.add_argument("--document", type=Path, help="the decision document (hashed here)")
    decide.add_argument("--window-start", type=_moment, help="a later start (ISO, with zone)")
    decide.add_argument("--window-end", type=_moment, help="an earlier end (ISO, with zone)")
    decide.add_argument("--camera", action="append", help="a camera granted (repeat)")
    decide.add_argument("--entry", action="append", help="an entry reference granted (repeat)")
    decide.set_defaults(handler=_decide)
    return [request, decide]


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone")
    return moment


@with_actor
def _request(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.authority.requests import request_authority

    request_authority(services, actor, args.id, args.justification_harm, args.justification_rights)
    print(f"deployment {args.id}: submitted to the independent authority")


@with_actor
def _decide(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.authority.requests import Decision, decide

    decision = Decision(
        grant=bool(args.grant),
        reasons=args.reasons,
        document_ref=args.document_ref,
        document_sha256=_sha256(args),
        starts_at=args.window_start,
        ends_at=args.window_end,
        cameras=tuple(args.camera) if args.camera else None,
        entries=tuple(args.entry) if args.entry else None,
    )
    decide(services, actor, args.id, decision)
    outcome = "granted" if decision.grant else "refused"
    print(
        f"deployment {args.id}: {outcome} by {actor.username} (sha256 {decision.document_sha256})"
    )


def _sha256(args: argparse.Namespace) -> str:
    if args.document is None:
        return str(args.document_sha256).strip().lower()
    try:
        return hashlib.sha256(args.document.read_bytes()).hexdigest()
    except OSError as exc:
        raise LfrError(f"cannot read {args.document}: {exc.strerror}") from None


def print_urgent_clock(services: Services, actor: Actor, deployment_id: int) -> None:
    """After an urgent start (EU AI Act Art. 5(3)): when the authority must have granted it."""
    from lfr.governance.authority.requests import get_request

    view = get_request(services, actor, deployment_id)
    if view is not None and view.urgent_deadline is not None:
        print(
            f"URGENT START: unless the independent authority grants it by"
            f" {view.urgent_deadline:%Y-%m-%d %H:%M %Z}, it stops and everything it produced"
            " is deleted"
        )
