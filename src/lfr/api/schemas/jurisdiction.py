"""Issue 11, part G: the profile and its rules, the document registry, entry details (offence,
sentence, date of birth, child reason), an evaluation's import and a deployment's cost."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from lfr.api.schemas.base import Public, Request
from lfr.api.schemas.derive import schema_of
from lfr.governance.law.annex_ii import ANNEX_II_OFFENCES
from lfr.governance.records.documents import DocumentView

OffenceName = Literal[ANNEX_II_OFFENCES]  # type: ignore[valid-type]


class ProfileChoice(Request):
    profile: Literal["uk", "eu-ai-act"]


class RulePublic(Public):
    id: str
    source: str = Field(description="where the rule comes from, as refusals quote it")
    says: str = Field(description="the rule in plain words")


class ProfilePublic(Public):
    name: str
    title: str
    rules: list[RulePublic]


class DocumentCreate(Request):
    kind: Literal["dpia", "equality_impact", "fria", "legal_mandate", "policy"]
    version: str = Field(min_length=1, max_length=50)
    title: str = Field("", max_length=200)
    sha256: str = Field(pattern="^[0-9a-fA-F]{64}$", description="of the document's file")
    review_by: date
    fria_fields: dict[Literal["a", "b", "c", "d", "e", "f"], str] | None = Field(
        None, description="FRIA only: EU AI Act Art. 27(1)(a)-(f) as text"
    )


DocumentPublic = schema_of(DocumentView, name="DocumentPublic")


class EntryDetailsUpdate(Request):
    offence: OffenceName | None = None
    max_sentence_years: float | None = Field(None, gt=0, le=100)
    date_of_birth: date | None = None
    child_reason: str | None = Field(None, max_length=2000)


class EvaluationImported(Public):
    id: int


class CostPublic(Public):
    deployment_id: int
    expected_false_alerts: str = Field(
        description="footfall x FPIR at this watchlist size and threshold, in words, or"
        " 'no evaluation imported'"
    )
