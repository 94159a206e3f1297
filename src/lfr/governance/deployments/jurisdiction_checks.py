"""The go-live conditions issue 11 adds for the profile in force, each problem quoting its
rule's source (``Profile.refuse``): the EU objective and Annex II offences, the documents the
profile needs (current, not past review), the EU database registration, and approved under-18
entries. ``go_live_checklist`` shows them with the others; nothing here writes.

Documents under the UK profile: while the registry is empty the deployment's ``dpia_reference``
text suffices (the legacy mode, so forces upgrade without a flag day); once any document is
registered, the DPIA and equality impact assessment must be there and current."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.governance.law.annex_ii import MIN_SENTENCE_YEARS, OBJECTIVES, SUSPECT_OBJECTIVE
from lfr.governance.law.policy import Policy
from lfr.governance.law.profiles import (
    ANNEX_II_OFFENCE,
    CHILDREN,
    DPIA_PINNED,
    EQUALITY_ASSESSMENT,
    EU_DATABASE_REGISTRATION,
    FRIA,
    LEGAL_MANDATE,
    OBJECTIVE,
    Profile,
    profile_named,
)
from lfr.governance.records.documents import (
    DocumentKind,
    DocumentView,
    latest_documents,
    missing_fria_fields,
)
from lfr.governance.watchlists.entry_details import is_child_on
from lfr.store.tables import Deployment, WatchlistEntry

Found = tuple[str, str, list[str]]
_FEW = 5

_REQUIRED_DOCUMENTS = (
    (DPIA_PINNED, DocumentKind.DPIA, "data protection impact assessment"),
    (EQUALITY_ASSESSMENT, DocumentKind.EQUALITY_IMPACT, "equality impact assessment"),
    (FRIA, DocumentKind.FRIA, "fundamental rights impact assessment"),
    (LEGAL_MANDATE, DocumentKind.LEGAL_MANDATE, "legal mandate"),
)


def jurisdiction_conditions(
    session: Session, policy: Policy, deployment: Deployment, now: datetime
) -> list[Found]:
    """(name, label, problems) for each of the profile's conditions that applies."""
    profile = profile_named(policy.profile)
    entries = _active_entries(session, deployment, now)
    found: list[Found] = []
    if profile.applies(OBJECTIVE):
        found.append(
            (
                "objective",
                "An EU AI Act Art. 5(1)(h) objective named",
                _objective(profile, deployment),
            )
        )
    if profile.applies(ANNEX_II_OFFENCE) and deployment.objective == SUSPECT_OBJECTIVE:
        found.append(
            (
                "offences",
                "Every entry has an Annex II offence of 4 years or more",
                _offences(profile, entries),
            )
        )
    found.append(
        (
            "documents",
            "The documents the profile needs are registered and current",
            document_problems(session, profile, now),
        )
    )
    if profile.applies(EU_DATABASE_REGISTRATION):
        registration = (
            []
            if policy.eu_database_registration.strip()
            else [
                str(
                    profile.refuse(
                        EU_DATABASE_REGISTRATION, "no EU database registration number is recorded"
                    )
                )
            ]
        )
        found.append(("registration", "Registered in the EU database", registration))
    if profile.applies(CHILDREN):
        found.append(
            (
                "children",
                "Every under-18 entry has a child-specific reason, approved",
                _children(profile, entries, deployment),
            )
        )
    return found


def document_problems(session: Session, profile: Profile, now: datetime) -> list[str]:
    latest = latest_documents(session)
    if not latest and not profile.applies(FRIA):
        return []  # the UK legacy mode: the deployment's dpia_reference text suffices
    problems = []
    for rule_id, kind, name in _REQUIRED_DOCUMENTS:
        if not profile.applies(rule_id):
            continue
        document = latest.get(kind)
        if document is None:
            problems.append(str(profile.refuse(rule_id, f"no {name} is registered")))
        elif document.review_by < now.date():
            problems.append(
                str(
                    profile.refuse(
                        rule_id,
                        f"the {name} (version {document.version}) was due for review on"
                        f" {document.review_by.isoformat()}",
                    )
                )
            )
        elif kind is DocumentKind.FRIA and missing_fria_fields(document):
            missing = ", ".join(missing_fria_fields(document))
            problems.append(
                str(
                    profile.refuse(
                        rule_id, f"the {name} (version {document.version}) leaves {missing} empty"
                    )
                )
            )
    return problems


def pinned_documents(session: Session, profile: Profile) -> dict[str, object]:
    """The versions a deployment goes live on: {kind: {id, version, sha256}} of every kind the
    profile needs, plus the policy document if one is registered."""
    needed = {kind for rule_id, kind, _ in _REQUIRED_DOCUMENTS if profile.applies(rule_id)}
    needed.add(DocumentKind.POLICY)
    return {
        kind.value: _pin(document)
        for kind, document in latest_documents(session).items()
        if kind in needed
    }


def _pin(document: DocumentView) -> dict[str, object]:
    return {"id": document.id, "version": document.version, "sha256": document.sha256}


def _objective(profile: Profile, deployment: Deployment) -> list[str]:
    if deployment.objective in OBJECTIVES:
        return []
    return [str(profile.refuse(OBJECTIVE, "no Art. 5(1)(h) objective (i, ii or iii) is named"))]


def _offences(profile: Profile, entries: list[WatchlistEntry]) -> list[str]:
    missing = [e.reference for e in entries if not e.offence]
    short = [
        e.reference
        for e in entries
        if e.offence and (e.max_sentence_years or 0.0) < MIN_SENTENCE_YEARS
    ]
    problems = []
    if missing:
        problems.append(
            str(
                profile.refuse(
                    ANNEX_II_OFFENCE, f"entries without an Annex II offence: {_few(missing)}"
                )
            )
        )
    if short:
        problems.append(
            str(
                profile.refuse(
                    ANNEX_II_OFFENCE,
                    f"entries whose offence's maximum sentence is missing or under"
                    f" {MIN_SENTENCE_YEARS:g} years: {_few(short)}",
                )
            )
        )
    return problems


def _children(profile: Profile, entries: list[WatchlistEntry], deployment: Deployment) -> list[str]:
    # Age at the deployment's start: a child who turns 18 during the window is still a child.
    children = [e for e in entries if is_child_on(e, deployment.starts_at)]
    unreasoned = [e.reference for e in children if not (e.child_reason or "").strip()]
    unapproved = [
        e.reference for e in children if (e.child_reason or "").strip() and not e.child_approved_by
    ]
    problems = []
    if unreasoned:
        problems.append(
            str(
                profile.refuse(
                    CHILDREN,
                    f"under-18 entries without a child-specific reason: {_few(unreasoned)}",
                )
            )
        )
    if unapproved:
        problems.append(
            str(
                profile.refuse(
                    CHILDREN,
                    f"under-18 entries not approved by an authorising officer: {_few(unapproved)}",
                )
            )
        )
    return problems


def count_children(session: Session, deployment: Deployment, now: datetime) -> int:
    """Under-18 entries (at its start) among the watchlist's active entries at ``now``."""
    return sum(
        is_child_on(e, deployment.starts_at) for e in _active_entries(session, deployment, now)
    )


def _active_entries(
    session: Session, deployment: Deployment, now: datetime
) -> list[WatchlistEntry]:
    return list(
        session.scalars(
            select(WatchlistEntry)
            .where(
                WatchlistEntry.watchlist_id == deployment.watchlist_id,
                WatchlistEntry.removed_at.is_(None),
                WatchlistEntry.expires_at > now,
            )
            .order_by(WatchlistEntry.id)
        )
    )


def _few(references: list[str]) -> str:
    shown = ", ".join(references[:_FEW])
    more = len(references) - _FEW
    return f"{shown} and {more} more" if more > 0 else shown
