"""The audit log's hold on the alert table: each alert's content digest goes into its
"alert.raised" entry, and ``alert_problems`` cross-checks every alert row against the chain,
naming each row added (no entry raised it), removed (raised, but no purge or refused emergency
start deleted it) or altered (its content no longer has its digest; its status, outcome or
hold differ from the last entry that changed them; its crops are gone without a purge).

The digest covers what an alert was when it was raised: its fields and the SHA-256 of each
sealed crop (a digest of ciphertext, which says nothing about the face). What changes later
(review, outcome, hold, purge) is covered by the entries that record those changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.store.tables import AlertRow, AuditEntry

RAISED: Final = "alert.raised"
PURGED_IDS: Final = "alert_ids_deleted"
"""Key of a "retention.purge" entry's details: the ids of the alerts it deleted."""
MEDIA_PURGED_IDS: Final = "alert_ids_media_erased"
"""Key of a "retention.purge" entry's details: the ids of the alerts whose crops it erased."""
EMERGENCY_REFUSED: Final = "deployment.emergency.refused"
USE_DELETED: Final = "deployment.use.deleted"
"""A use refused by the independent authority (or its urgent clock expired), deleted whole;
its details list the alert ids under ``PURGED_IDS``."""
_STATUS_ACTIONS: Final = ("alert.adjudicate", "alert.second_confirm")
_HOLD_ACTIONS: Final = {"alert.hold": True, "alert.hold.release": False}
_READ_ACTIONS: Final = (RAISED, "retention.purge", EMERGENCY_REFUSED, USE_DELETED, "alert.outcome")
MAX_NAMED: Final = 20
"""Problems named one by one; beyond these, only how many more there are."""


def crop_digest(sealed: bytes | None) -> str | None:
    return hashlib.sha256(sealed).hexdigest() if sealed is not None else None


def content_digest(row: AlertRow, probe_sha256: str | None, enrolled_sha256: str | None) -> str:
    """SHA-256 over the alert's fields as raised and the digests of its sealed crops."""
    body = {
        "id": row.id,
        "deployment_id": row.deployment_id,
        "camera": row.camera,
        "entry_id": row.entry_id,
        "subject_reference": row.subject_reference,
        "subject_name": row.subject_name,
        "category": row.category,
        "reason": row.reason,
        "distance": float(row.distance),
        "score": float(row.score),
        "threshold": float(row.threshold),
        "time_s": float(row.time_s),
        "frame": int(row.frame),
        "track": int(row.track),
        "raised_at": row.raised_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "enrolled_image": row.enrolled_image,
        "probe_crop_sha256": probe_sha256,
        "enrolled_crop_sha256": enrolled_sha256,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def raised_details(row: AlertRow) -> dict[str, Any]:
    """What the "alert.raised" entry records of the row, to check it by later."""
    probe, enrolled = crop_digest(row.probe_crop_enc), crop_digest(row.enrolled_crop_enc)
    return {
        "content_digest": content_digest(row, probe, enrolled),
        "probe_crop_sha256": probe,
        "enrolled_crop_sha256": enrolled,
    }


@dataclass
class _Story:
    """What the audit log says about the alerts, read once in chain order."""

    raised: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    media_erased: set[str] = field(default_factory=set)
    refused_deployments: set[int] = field(default_factory=set)
    status: dict[str, str] = field(default_factory=dict)
    outcome: dict[str, str | None] = field(default_factory=dict)
    held: dict[str, bool] = field(default_factory=dict)

    def read(self, entry: AuditEntry) -> None:
        details, alert_id = entry.details, entry.target.removeprefix("alert:")
        if entry.action == RAISED:
            self.raised[str(details.get("alert_id", alert_id))] = details
        elif entry.action == USE_DELETED:
            self.deleted.update(details.get(PURGED_IDS, ()))
        elif entry.action == "retention.purge":
            self.deleted.update(details.get(PURGED_IDS, ()))
            self.media_erased.update(details.get(MEDIA_PURGED_IDS, ()))
        elif entry.action == EMERGENCY_REFUSED:
            self.refused_deployments.add(int(entry.target.rsplit(":", 1)[-1]))
        elif entry.action in _STATUS_ACTIONS and "status" in details:
            self.status[alert_id] = str(details["status"])
        elif entry.action == "alert.outcome" and "outcome" in details:
            self.outcome[alert_id] = details["outcome"]
        elif entry.action in _HOLD_ACTIONS:
            self.held[alert_id] = _HOLD_ACTIONS[entry.action]


def alert_problems(session: Session) -> list[str]:
    """Every disagreement between the alert table and the audit log, one line per alert row."""
    story = _Story()
    actions = (*_READ_ACTIONS, *_STATUS_ACTIONS, *_HOLD_ACTIONS)
    for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.seq)
    ):
        story.read(entry)
    problems: list[str] = []
    present: set[str] = set()
    for row in session.scalars(select(AlertRow).order_by(AlertRow.raised_at, AlertRow.id)):
        present.add(row.id)
        problems += _row_problems(row, story)
    problems += _removed(story, present)
    return problems


def summarise(problems: Iterable[str]) -> str:
    """The problems on one line: the first ``MAX_NAMED``, then how many more."""
    listed = list(problems)
    shown = "; ".join(listed[:MAX_NAMED])
    more = len(listed) - MAX_NAMED
    return shown + (f"; and {more} more" if more > 0 else "")


def _row_problems(row: AlertRow, story: _Story) -> Iterator[str]:
    raised = story.raised.get(row.id)
    if raised is None:
        yield f"alert {row.id} was added: the audit log never raised it"
        return
    if "content_digest" in raised:  # alerts raised before digests were recorded: no content
        yield from _content_problems(row, raised, story)
    expected_status = story.status.get(row.id, "pending")
    if row.status != expected_status:
        yield f"alert {row.id} was altered: status {row.status}, the log says {expected_status}"
    expected_outcome = story.outcome.get(row.id)
    if row.outcome != expected_outcome:
        yield f"alert {row.id} was altered: outcome {row.outcome}, the log says {expected_outcome}"
    if (row.hold_reason is not None) != story.held.get(row.id, False):
        yield f"alert {row.id} was altered: its evidential hold differs from the log"


def _content_problems(row: AlertRow, raised: dict[str, Any], story: _Story) -> Iterator[str]:
    crops = []
    for name, sealed in (("probe", row.probe_crop_enc), ("enrolled", row.enrolled_crop_enc)):
        recorded = raised.get(f"{name}_crop_sha256")
        if sealed is None and recorded is not None:
            if row.id not in story.media_erased:
                yield f"alert {row.id} was altered: its {name} crop is gone, and no purge erased it"
            crops.append(recorded)  # judge the rest of the row as raised
        else:
            crops.append(crop_digest(sealed))
    if content_digest(row, crops[0], crops[1]) != raised["content_digest"]:
        yield f"alert {row.id} was altered: its content differs from the digest it was raised with"


def _removed(story: _Story, present: set[str]) -> Iterator[str]:
    for alert_id, raised in story.raised.items():
        if alert_id in present or "content_digest" not in raised:
            continue  # an alert raised before digests: purges then did not list what they took
        if alert_id in story.deleted or raised.get("deployment_id") in story.refused_deployments:
            continue
        yield f"alert {alert_id} was removed: raised in the audit log, deleted by no purge"
