"""The force's document registry (issue 11): DPIA, equality impact assessment, FRIA, legal
mandate and policy, each versioned, with its file's SHA-256 (the file itself stays with the
force) and a review date. Going live needs the current version of each document the profile
requires (``lfr.governance.deployments.jurisdiction_checks``); the deployment pins the versions it
started
on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import PolicyViolationError
from lfr.store.tables import DocumentRow

FRIA_FIELDS = ("a", "b", "c", "d", "e", "f")
"""EU AI Act Art. 27(1)(a)-(f): the process, the period and frequency of use, the categories of
people affected, the specific risks of harm, the human oversight measures, and the measures if
the risks materialise."""


_SHA256 = re.compile(r"[0-9a-f]{64}")


class DocumentKind(StrEnum):
    DPIA = "dpia"
    EQUALITY_IMPACT = "equality_impact"
    FRIA = "fria"
    LEGAL_MANDATE = "legal_mandate"
    POLICY = "policy"


@dataclass(frozen=True)
class NewDocument:
    kind: str
    version: str
    title: str
    sha256: str
    """Of the document's file: the file itself stays with the force."""
    review_by: date
    fria_fields: dict[str, str] | None = None

    @classmethod
    def of_file(
        cls,
        kind: str,
        version: str,
        title: str,
        content: bytes,
        review_by: date,
        fria_fields: dict[str, str] | None = None,
    ) -> NewDocument:
        digest = hashlib.sha256(content).hexdigest()
        return cls(kind, version, title, digest, review_by, fria_fields)


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    version: str
    title: str
    sha256: str
    review_by: date
    fria_fields: dict[str, str] | None
    created_by: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "review_by": self.review_by.isoformat(),
            "created_at": self.created_at.isoformat(),
        }


def add_document(services: Services, actor: Actor, new: NewDocument) -> int:
    """Register one version of a document; refused before anything is written if it is
    malformed (an unknown kind, an empty version, a FRIA field that is not (a)-(f))."""
    require(actor, Action.DOCUMENT_MANAGE)
    kind = _checked_kind(new.kind)
    version, title = new.version.strip(), new.title.strip() or f"{kind} {new.version.strip()}"
    if not version or len(version) > 50:
        raise PolicyViolationError("a document needs a version of 1-50 characters")
    fields = _checked_fria_fields(kind, new.fria_fields)
    digest = new.sha256.strip().lower()
    if not _SHA256.fullmatch(digest):
        raise PolicyViolationError("a document's SHA-256 is 64 hexadecimal digits")
    try:
        with services.transaction() as session:
            row = DocumentRow(
                kind=kind.value,
                version=version,
                title=title[:200],
                sha256=digest,
                review_by=new.review_by,
                fria_fields=fields,
                created_at=services.clock(),
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            services.record(
                session,
                actor.username,
                "document.add",
                f"document:{row.id}",
                {
                    "kind": kind.value,
                    "version": version,
                    "sha256": digest,
                    "review_by": new.review_by.isoformat(),
                },
            )
            return row.id
    except IntegrityError:
        raise PolicyViolationError(
            f"{kind.value} version {version!r} is already registered"
        ) from None


def list_documents(services: Services, actor: Actor) -> list[DocumentView]:
    require(actor, Action.DOCUMENT_READ)
    with services.transaction() as session:
        rows = session.scalars(select(DocumentRow).order_by(DocumentRow.kind, DocumentRow.id))
        return [_view(row) for row in rows]


def latest_documents(session: Session) -> dict[DocumentKind, DocumentView]:
    """The newest registered version of each kind (a later registration supersedes)."""
    latest: dict[DocumentKind, DocumentView] = {}
    for row in session.scalars(select(DocumentRow).order_by(DocumentRow.id)):
        latest[DocumentKind(row.kind)] = _view(row)
    return latest


def missing_fria_fields(document: DocumentView) -> list[str]:
    fields = document.fria_fields or {}
    return [f"({key})" for key in FRIA_FIELDS if not str(fields.get(key, "")).strip()]


def _checked_kind(kind: str) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in DocumentKind)
        raise PolicyViolationError(f"unknown document kind {kind!r}: one of {known}") from None


def _checked_fria_fields(
    kind: DocumentKind, fields: dict[str, str] | None
) -> dict[str, str] | None:
    if fields is None:
        return None
    if kind is not DocumentKind.FRIA:
        raise PolicyViolationError("only a FRIA carries the Art. 27 fields (a)-(f)")
    unknown = sorted(set(fields) - set(FRIA_FIELDS))
    if unknown or not all(isinstance(v, str) for v in fields.values()):
        raise PolicyViolationError(
            "FRIA fields are text under the keys a, b, c, d, e, f (EU AI Act Art. 27(1))"
        )
    return {key: fields[key].strip()[:5000] for key in FRIA_FIELDS if key in fields}


def _view(row: DocumentRow) -> DocumentView:
    return DocumentView(
        id=row.id,
        kind=row.kind,
        version=row.version,
        title=row.title,
        sha256=row.sha256,
        review_by=row.review_by,
        fria_fields=row.fria_fields,
        created_by=row.created_by,
        created_at=row.created_at,
    )
