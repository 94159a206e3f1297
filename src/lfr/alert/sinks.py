"""Where alerts go in trial mode: JSON lines, a human line, and (only if asked) picture files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol, TextIO

import cv2

from lfr.domain import Alert, RunSummary
from lfr.imaging import side_by_side


class AlertSink(Protocol):
    def publish(self, alert: Alert) -> None: ...


def alert_record(alert: Alert) -> dict[str, object]:
    """The alert as plain data, without pictures."""
    return {
        "type": "alert",
        "id": alert.id,
        "subject": alert.subject.reference,
        "display_name": alert.subject.display_name,
        "category": alert.subject.category,
        "distance": round(alert.distance, 4),
        "score": round(alert.score, 4),
        "threshold": alert.threshold,
        "camera": alert.camera,
        "time_s": round(alert.time_s, 3),
        "frame": alert.frame,
        "track": alert.track,
        "enrolled_image": alert.enrolled_image,
        "latency_ms": round(alert.latency_s * 1000.0, 1),
    }


def summary_record(summary: RunSummary) -> dict[str, object]:
    return {
        "type": "summary",
        "frames": summary.frames,
        "frames_dropped": summary.frames_dropped,
        "face_detections": summary.face_detections,
        "tracks": summary.tracks,
        "embeddings": summary.embeddings,
        "alerts": summary.alerts,
        "fps": round(summary.frames / summary.wall_s, 2) if summary.wall_s else 0.0,
        "stage_ms_per_frame": {k: round(v, 2) for k, v in sorted(summary.stage_ms.items())},
    }


class JsonLinesSink:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def publish(self, alert: Alert) -> None:
        self._stream.write(json.dumps(alert_record(alert)) + "\n")
        self._stream.flush()


class HumanSink:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def publish(self, alert: Alert) -> None:
        a = alert
        self._stream.write(
            f"ALERT  {a.subject.display_name} [{a.subject.reference}, {a.subject.category}]"
            f"  distance {a.distance:.3f} (score {a.score:.3f}, threshold {a.threshold:.2f})"
            f"  camera {a.camera}  t={a.time_s:.2f}s frame {a.frame} track {a.track}"
            f"  matched {a.enrolled_image}\n"
            "       -> an officer must check this alert before anyone acts on it\n"
        )
        self._stream.flush()


class SaveAlertsSink:
    """Writes, per alert, the probe beside the enrolled face (JPEG) and the record (JSON).

    Only alerts reach a sink, so only faces that matched the watchlist are ever written.
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._folder = folder

    def publish(self, alert: Alert) -> None:
        pair = side_by_side(alert.probe_crop, alert.enrolled_crop)
        cv2.imwrite(str(self._folder / f"{alert.id}.jpg"), cv2.cvtColor(pair, cv2.COLOR_RGB2BGR))
        (self._folder / f"{alert.id}.json").write_text(json.dumps(alert_record(alert), indent=2))


class FanOut:
    def __init__(self, sinks: list[AlertSink]) -> None:
        self._sinks = sinks

    def publish(self, alert: Alert) -> None:
        for sink in self._sinks:
            sink.publish(alert)
