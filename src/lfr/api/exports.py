"""Published records as CSV (one row a deployment, the location flattened) or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from lfr.governance.records.published import PublishedRecord

RECORD_COLUMNS = (
    "deployment_id",
    "date",
    "started_at",
    "ended_at",
    "duration_minutes",
    "location_name",
    "location_area",
    "latitude",
    "longitude",
    "purpose",
    "threshold",
    "watchlist_size",
    "faces_seen",
    "face_detections",
    "frames",
    "alerts",
    "true_alerts",
    "false_alerts",
    "unreviewed",
    "engagements",
    "false_alert_engagements",
    "arrests",
    "false_alert_rate_per_face_seen",
    "false_alert_rate_per_alert",
    "emergency_start",
    "emergency_authorisation_refused",
    "status",
    "cancel_reason",
    "published_at",
    "revised_at",
    "audit_head",
)


def flat_record(record: PublishedRecord) -> dict[str, Any]:
    location = record.location
    return {
        **{k: v for k, v in record.as_dict().items() if k != "location"},
        "location_name": location.name,
        "location_area": location.area,
        "latitude": location.latitude,
        "longitude": location.longitude,
        # The last revision's time; what each changed is in the JSON export.
        "revised_at": record.revisions[-1].revised_at if record.revisions else None,
    }


def records_csv(records: Sequence[PublishedRecord]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=RECORD_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else v for k, v in flat_record(record).items()})
    return buffer.getvalue()


def records_json(records: Sequence[PublishedRecord]) -> str:
    return json.dumps([r.as_dict() for r in records], indent=1, sort_keys=True) + "\n"
