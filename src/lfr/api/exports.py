"""Published records as CSV (one row a deployment, the location flattened) or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

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
    "published_at",
)


def flat_record(record: Mapping[str, Any]) -> dict[str, Any]:
    location = record.get("location") or {}
    return {
        **{k: v for k, v in record.items() if k != "location"},
        "location_name": location.get("name"),
        "location_area": location.get("area"),
        "latitude": location.get("latitude"),
        "longitude": location.get("longitude"),
    }


def records_csv(records: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=RECORD_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else v for k, v in flat_record(record).items()})
    return buffer.getvalue()


def records_json(records: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(records), indent=1, sort_keys=True) + "\n"
