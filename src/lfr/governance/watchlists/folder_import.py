"""Importing a folder of photos into a watchlist: one sub-folder per subject, each with its
``subject.json`` (``lfr.enrol.folder``). Every subject goes through ``add_entry`` and its
policy checks; a refusal or an unusable photo is reported without stopping the others."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import Subject, Template
from lfr.enrol.folder import METADATA_FILE, scan_watchlist_dir
from lfr.errors import EnrolmentError, PolicyViolationError, WatchlistError
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.watchlists.entries import add_entry, load_watchlist
from lfr.governance.watchlists.entry_rules import expiry_problems, refusal, subject_problems

REQUIRED_METADATA = ("category", "reason", "image_source")
"""Keys every subject.json must give for a governed import (no defaults)."""


class ImageEnroller(Protocol):
    """What an import needs from ``lfr.enrol.folder.Enroller``: one photo -> one template,
    or an ``EnrolmentError`` naming the file and why."""

    def enrol_image(self, path: Path, subject: Subject) -> Template: ...


@dataclass(slots=True)
class ImportReport:
    """What an import of a folder did. Per-photo problems and per-subject refusals are kept
    here; they do not stop the other subjects."""

    subjects: int = 0
    added: list[str] = field(default_factory=list)
    """References of the entries added."""
    images_enrolled: int = 0
    refused: list[str] = field(default_factory=list)
    """One message per subject the policy (or the watchlist) refused, naming the problems."""
    errors: list[EnrolmentError] = field(default_factory=list)
    """Photos that could not be enrolled (no face, several faces, too small, unreadable)."""
    subjects_without_template: list[str] = field(default_factory=list)
    """Subjects none of whose photos could be enrolled: not added."""


def enrol_folder_into(
    services: Services,
    actor: Actor,
    watchlist_id: int,
    folder: Path,
    enroller: ImageEnroller,
    expires_at: datetime,
    progress: bool = True,
) -> ImportReport:
    """Enrol a folder (one sub-folder per subject) into a watchlist, one entry per subject.

    Every subject folder must hold ``subject.json`` giving category, reason and image_source:
    a governed watchlist has no defaults for who and why. A folder that lacks them stops the
    import before anything is enrolled. Photos that cannot be enrolled are reported and
    skipped; a subject the policy refuses is reported and the others still go in. Each entry
    is added in its own transaction (``add_entry``), so one refusal never undoes another entry.
    """
    require(actor, Action.WATCHLIST_MANAGE)
    with services.transaction() as session:
        load_watchlist(session, watchlist_id)
        policy = policy_in_force(session)
        problems = expiry_problems(policy, services.clock(), expires_at)
    if problems:
        raise PolicyViolationError(f"import refused: {'; '.join(problems)}")
    require_complete_metadata(folder)
    subject_folders = scan_watchlist_dir(folder)
    report = ImportReport(subjects=len(subject_folders))
    total = sum(len(s.images) for s in subject_folders)
    with tqdm(total=total, desc="enrolling", unit="image", disable=not progress) as bar:
        for subject_folder in subject_folders:
            subject = subject_folder.subject
            refused = subject_problems(policy, subject)
            if refused:  # no point enrolling photos of someone the policy refuses
                report.refused.append(refusal(subject, refused))
                bar.update(len(subject_folder.images))
                continue
            templates = []
            for path in subject_folder.images:
                try:
                    templates.append(enroller.enrol_image(path, subject))
                except EnrolmentError as exc:
                    report.errors.append(exc)
                bar.update(1)
            if not templates:
                report.subjects_without_template.append(subject.reference)
                continue
            try:
                add_entry(services, actor, watchlist_id, subject, templates, expires_at)
            except WatchlistError as exc:  # templates of another model than the watchlist's
                report.refused.append(f"entry {subject.reference!r} refused: {exc}")
            except PolicyViolationError as exc:
                report.refused.append(str(exc))
            else:
                report.added.append(subject.reference)
                report.images_enrolled += len(templates)
    with services.transaction() as session:
        services.record(
            session,
            actor.username,
            "watchlist.import",
            f"watchlist:{watchlist_id}",
            {
                "subjects": report.subjects,
                "added": len(report.added),
                "images_enrolled": report.images_enrolled,
                "refused": len(report.refused),
                "photos_skipped": len(report.errors),
                "subjects_without_template": len(report.subjects_without_template),
            },
        )
    return report


def require_complete_metadata(root: Path) -> None:
    """Every subject folder under ``root`` has a readable subject.json with a non-empty
    category, reason and image_source; otherwise one error naming each bad folder."""
    if not root.is_dir():
        raise WatchlistError(f"watchlist folder not found: {root}")
    problems = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        problem = _metadata_problem(folder / METADATA_FILE)
        if problem:
            problems.append(f"{folder.name} ({problem})")
    if problems:
        shown = "; ".join(problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise WatchlistError(
            f"{root}: every subject folder needs {METADATA_FILE} with"
            f" {', '.join(REQUIRED_METADATA)}: {shown}{more}"
        )


def _metadata_problem(path: Path) -> str:
    if not path.is_file():
        return f"no {METADATA_FILE}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{METADATA_FILE} unreadable: {first}"
    if not isinstance(data, dict):
        return f"{METADATA_FILE} is not a JSON object"
    missing = [
        key
        for key in REQUIRED_METADATA
        if not isinstance(data.get(key), str) or not data[key].strip()
    ]
    return f"{METADATA_FILE} lacks {', '.join(missing)}" if missing else ""
