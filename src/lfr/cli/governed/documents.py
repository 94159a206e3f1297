"""``lfr document add KIND FILE --version V --review-by DATE [--title T] [--fria-fields JSON]``,
``lfr document list [--json]`` and ``lfr evaluation import FILE`` (issue 11)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.common import add_actor_args, with_actor
from lfr.errors import LfrError


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``document`` and ``evaluation`` groups."""
    from lfr.governance.records.documents import DocumentKind

    document = commands.add_parser("document", help="the force's document registry")
    sub = document.add_subparsers(
        dest="document_command", required=True, parser_class=type(document)
    )
    add = sub.add_parser("add", help="register a version of a document (its SHA-256 is kept)")
    add.add_argument("kind", choices=[k.value for k in DocumentKind])
    add.add_argument("file", type=Path, help="the document file (only its hash is stored)")
    add.add_argument("--version", required=True)
    add.add_argument("--review-by", required=True, type=iso_day, help="YYYY-MM-DD")
    add.add_argument("--title", default="")
    add.add_argument(
        "--fria-fields", type=_fields, help='FRIA only: JSON {"a": "...", ..., "f": "..."}'
    )
    add_actor_args(add)
    add.set_defaults(handler=_add)
    listing = sub.add_parser("list", help="every registered document version")
    listing.add_argument("--json", action="store_true")
    add_actor_args(listing)
    listing.set_defaults(handler=_list)

    evaluation = commands.add_parser("evaluation", help="evaluations used to cost deployments")
    ev_sub = evaluation.add_subparsers(
        dest="evaluation_command", required=True, parser_class=type(evaluation)
    )
    imp = ev_sub.add_parser("import", help="import an 'lfr evaluate' report.json (admin)")
    imp.add_argument("file", type=Path)
    add_actor_args(imp)
    imp.set_defaults(handler=_import)


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _fields(text: str) -> dict[str, str]:
    try:
        value = json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError("--fria-fields is not JSON") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError('--fria-fields is a JSON object {"a": "...", ...}')
    return value


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LfrError(f"cannot read {path}: {exc.strerror or exc}") from None


@with_actor
def _add(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.records.documents import NewDocument, add_document

    new = NewDocument.of_file(
        args.kind, args.version, args.title, _read(args.file), args.review_by, args.fria_fields
    )
    document_id = add_document(services, actor, new)
    print(f"document {document_id}: {args.kind} version {args.version} registered")


@with_actor
def _list(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.records.documents import list_documents

    documents = list_documents(services, actor)
    if args.json:
        print(json.dumps([d.as_dict() for d in documents], indent=2))
        return
    for d in documents:
        print(f"{d.id:>4}  {d.kind:<16} {d.version:<10} review by {d.review_by}  {d.sha256[:16]}")


@with_actor
def _import(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.evaluations import import_evaluation

    evaluation_id = import_evaluation(services, actor, _read(args.file))
    print(f"evaluation {evaluation_id} imported from {args.file}")
