"""Who may be put on a watchlist, why, from which image and until when: the policy's checks on
an entry (its subject's facts, its expiry, its templates). Each returns every problem it finds,
so that a refusal names them all at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from lfr.domain import Subject, Template
from lfr.governance.law.policy import Policy

_MAX_REFERENCE = 100
_MAX_DISPLAY_NAME = 200
_MAX_CATEGORY = 100
_MAX_IMAGE_NAME = 300


def refusal(subject: Subject, problems: list[str]) -> str:
    return f"entry {subject.reference!r} refused: {'; '.join(problems)}"


def subject_problems(policy: Policy, subject: Subject) -> list[str]:
    """What the policy (and the columns) say is wrong with a subject's facts."""
    problems = []
    if not subject.reference.strip() or len(subject.reference) > _MAX_REFERENCE:
        problems.append(f"the reference must be 1 to {_MAX_REFERENCE} characters")
    if not subject.display_name.strip() or len(subject.display_name) > _MAX_DISPLAY_NAME:
        problems.append(f"the display name must be 1 to {_MAX_DISPLAY_NAME} characters")
    if subject.category not in policy.categories:
        allowed = ", ".join(repr(c) for c in policy.categories)
        problems.append(
            f"category {subject.category!r} is not allowed by the policy (allowed: {allowed})"
        )
    elif len(subject.category) > _MAX_CATEGORY:
        problems.append(f"category is longer than {_MAX_CATEGORY} characters")
    if not subject.reason.strip():
        problems.append("the reason is empty: say why this person is on the watchlist")
    if not subject.image_source.strip():
        problems.append(
            "the image source is empty: say where the image came from (it must be lawfully held)"
        )
    return problems


def expiry_problems(policy: Policy, now: datetime, expires_at: datetime) -> list[str]:
    if expires_at.tzinfo is None:
        return ["the expiry must be a timezone-aware time"]
    latest = now + timedelta(days=policy.max_entry_days)
    if expires_at <= now:
        return [f"the expiry {_iso(expires_at)} is not in the future"]
    if expires_at > latest:
        return [
            f"the expiry {_iso(expires_at)} is more than {policy.max_entry_days} days away"
            f" (the policy maximum; latest allowed {_iso(latest)})"
        ]
    return []


def template_problems(subject: Subject, templates: list[Template]) -> list[str]:
    if not templates:
        return ["no face template: at least one enrolled photo is needed"]
    problems = []
    names = [t.image_name for t in templates]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"image name {name!r} appears more than once")
    for template in templates:
        name = template.image_name
        if not name or len(name) > _MAX_IMAGE_NAME:
            problems.append(f"an image name must be 1 to {_MAX_IMAGE_NAME} characters")
        if template.subject.reference != subject.reference:
            problems.append(
                f"template {name!r} belongs to {template.subject.reference!r},"
                f" not {subject.reference!r}"
            )
        vector = np.asarray(template.embedding)
        if vector.shape != (template.contract.dimension,) or not np.all(np.isfinite(vector)):
            problems.append(
                f"template {name!r} is not a finite {template.contract.dimension}-d vector"
            )
        if not template.face_jpeg:
            problems.append(f"template {name!r} has no face image")
    return problems


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
