"""The law as this force configures it: the policy in force (every member of staff reads it;
admins set a new version), the jurisdiction profile and its rules, the document registry,
entry details and under-18 approvals, importing an evaluation, and a deployment's expected
false alerts. Every refusal comes back with the service's message, which names the rule's
source."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, status
from fastapi.responses import Response

from lfr.api.deps import CurrentActor, State
from lfr.api.schemas.base import RowId
from lfr.api.schemas.derive import many
from lfr.api.schemas.jurisdiction import (
    CostPublic,
    DocumentCreate,
    DocumentPublic,
    EntryDetailsUpdate,
    EvaluationImported,
    ProfileChoice,
    ProfilePublic,
    RulePublic,
)
from lfr.governance.deployments import evaluations
from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import current_policy, set_policy
from lfr.governance.law.profile_choice import choose_profile
from lfr.governance.law.profiles import Profile, profile_named
from lfr.governance.records import documents
from lfr.governance.records.documents import DocumentView
from lfr.governance.watchlists import entry_details

router = APIRouter(prefix="/api", tags=["jurisdiction"])


def profile_public(profile: Profile) -> ProfilePublic:
    rules = [RulePublic(id=r.id, source=r.source, says=r.says) for r in profile.rules]
    return ProfilePublic(name=profile.name.value, title=profile.title, rules=rules)


@router.get("/policy", response_model=Policy, tags=["policy"])
def read_policy(actor: CurrentActor, state: State) -> Policy:
    return current_policy(state.services, actor)


@router.put("/policy", response_model=Policy, tags=["policy"])
def put_policy(body: Policy, actor: CurrentActor, state: State) -> Policy:
    """Put a new version in force (admins); the change is audited with both digests."""
    set_policy(state.services, actor, body)
    return current_policy(state.services, actor)


@router.get("/policy/profile", response_model=ProfilePublic)
def read_profile(actor: CurrentActor, state: State) -> ProfilePublic:
    """The jurisdiction profile in force and its rules, each with its source."""
    return profile_public(profile_named(current_policy(state.services, actor).profile))


@router.put("/policy/profile", response_model=Policy)
def put_profile(body: ProfileChoice, actor: CurrentActor, state: State) -> Policy:
    """Choose the profile (admins): a new policy version, audited as policy.set."""
    choose_profile(state.services, actor, body.profile)
    return current_policy(state.services, actor)


@router.get("/documents", response_model=many(DocumentPublic))
def list_documents(actor: CurrentActor, state: State) -> list[DocumentView]:
    """Every registered version (authorising officers, oversight, admins)."""
    found = documents.list_documents(state.services, actor)
    return list(found)


@router.post("/documents", response_model=DocumentPublic, status_code=status.HTTP_201_CREATED)
def add_document(body: DocumentCreate, actor: CurrentActor, state: State) -> DocumentView:
    """Register a version of a document by its SHA-256 (admins, authorising officers)."""
    fields = {str(k): v for k, v in body.fria_fields.items()} if body.fria_fields else None
    new = documents.NewDocument(
        body.kind, body.version, body.title, body.sha256, body.review_by, fields
    )
    document_id = documents.add_document(state.services, actor, new)
    found = documents.list_documents(state.services, actor)
    return next(d for d in found if d.id == document_id)


@router.post("/watchlists/{watchlist_id}/entries/{reference}/details", status_code=204)
def set_entry_details(
    watchlist_id: RowId, reference: str, body: EntryDetailsUpdate, actor: CurrentActor, state: State
) -> Response:
    """Set an entry's Annex II offence, maximum sentence, date of birth or child reason."""
    details = entry_details.EntryDetails(
        body.offence, body.max_sentence_years, body.date_of_birth, body.child_reason
    )
    entry_details.set_entry_details(state.services, actor, watchlist_id, reference, details)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/watchlists/{watchlist_id}/entries/{reference}/approve-child", status_code=204)
def approve_child(
    watchlist_id: RowId, reference: str, actor: CurrentActor, state: State
) -> Response:
    """An authorising officer approves an under-18 entry's child-specific reason."""
    entry_details.approve_child(state.services, actor, watchlist_id, reference)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/evaluations", response_model=EvaluationImported, status_code=status.HTTP_201_CREATED)
def import_evaluation(
    actor: CurrentActor, state: State, report: Annotated[dict[str, Any], Body()]
) -> EvaluationImported:
    """Import an ``lfr evaluate`` report.json (admins): its operating points cost deployments."""
    raw = json.dumps(report, sort_keys=True).encode()
    return EvaluationImported(id=evaluations.import_evaluation(state.services, actor, raw))


@router.get("/deployments/{deployment_id}/cost", response_model=CostPublic)
def deployment_cost(deployment_id: RowId, actor: CurrentActor, state: State) -> CostPublic:
    """The expected false alerts: footfall x FPIR at this watchlist size and threshold."""
    cost = evaluations.deployment_cost(state.services, actor, deployment_id)
    return CostPublic(deployment_id=deployment_id, expected_false_alerts=cost)
