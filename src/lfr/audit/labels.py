"""Plain words for the audit log: one label per action code, and details as readable lines.

Every action code the code base records has a label here (a test scans the sources for
``services.record`` calls and fails on a code without one). A code from another version of
OpenLFR still reads sensibly: it is spelled out from its parts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

ACTION_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "system.init": "System initialised",
        "auth.login": "Logged in",
        "auth.logout": "Logged out",
        "auth.login_failed": "Login failed",
        "auth.login_failures": "Failed logins counted",
        "auth.locked": "Account locked after failed logins",
        "user.bootstrap": "First admin created",
        "user.create": "User created",
        "user.disable": "User disabled",
        "user.enable": "User enabled",
        "user.role": "User's role changed",
        "user.password_change": "Password changed",
        "policy.set": "Policy changed",
        "settings.set": "Site settings changed",
        "edge.add": "Edge camera node registered",
        "edge.remove": "Edge camera node removed",
        "nats.config": "Event bus access written",
        "edge.start": "Edge node told to start its cameras",
        "edge.start.again": "Edge node told again to start its cameras",
        "edge.stop": "Edge node told to stop its cameras",
        "edge.snapshot.delivered": "Watchlist snapshot delivered to an edge node",
        "edge.snapshot.wiped": "Watchlist snapshot wiped on an edge node",
        "edge.message.refused": "Message from an edge node refused",
        "deployment.authority.request": "Independent authorisation requested",
        "deployment.authority.decide": "Independent authority decided",
        "deployment.urgent_start": "Deployment started urgently, before independent authorisation",
        "deployment.cameras.refused": "Cameras outside the authorisation refused",
        "deployment.use.deleted": "Use deleted with all its data (authorisation refused or late)",
        "encounter.record": "Encounter recorded",
        "user.training": "Training record set",
        "watchlist.create": "Watchlist created",
        "watchlist.import": "Watchlist folder imported",
        "watchlist.entry.add": "Watchlist entry added",
        "watchlist.entry.remove": "Watchlist entry removed",
        "watchlist.entry.face.viewed": "Watchlist photo viewed",
        "deployment.plan": "Deployment planned",
        "deployment.authorise": "Deployment authorised",
        "deployment.signage": "Signage confirmed",
        "deployment.assign": "Officer assigned to deployment",
        "deployment.unassign": "Officer unassigned from deployment",
        "deployment.start": "Deployment started",
        "deployment.snapshot.load": "Watchlist snapshot loaded",
        "deployment.snapshot.wiped": "Watchlist snapshot wiped",
        "deployment.counts": "Faces seen counted",
        "deployment.end": "Deployment ended",
        "deployment.cancel": "Deployment cancelled",
        "deployment.emergency.refused": "Emergency start not authorised in time",
        "deployment.record.publish": "Deployment record published",
        "alert.raised": "Alert raised",
        "alert.refused": "Alert refused at intake",
        "alert.media.viewed": "Alert faces viewed",
        "alert.media.exported": "Alert faces exported",
        "alert.adjudicate": "Alert reviewed",
        "alert.second_confirm": "Alert confirmed by a second officer",
        "alert.outcome": "Alert outcome recorded",
        "alert.hold": "Alert held as evidence",
        "alert.hold.release": "Evidential hold released",
        "alert.negative_added": "Lookalike marked 'not this person'",
        "retention.purge": "Expired data purged",
        "audit.export": "Audit log exported",
        "document.add": "Document version registered",
        "evaluation.import": "Evaluation report imported",
        "watchlist.entry.details": "Watchlist entry's offence, age or child reason set",
        "watchlist.entry.child_approve": "Under-18 watchlist entry approved",
    }
)


_ISO_TIME: Final = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def action_label(code: str) -> str:
    """'deployment.authorise' -> 'Deployment authorised'; an unknown code is spelled out."""
    known = ACTION_LABELS.get(code)
    if known is not None:
        return known
    words = " ".join(part.replace("_", " ") for part in code.split(".") if part)
    return words[:1].upper() + words[1:] if words else "—"


def detail_lines(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Details as (key, value) lines for people: 'record updated: yes', 'to: ...'."""
    return [(_key_text(key), _value_text(value)) for key, value in details.items()]


def _key_text(key: str) -> str:
    return key.replace("_", " ")


def _value_text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value) or "—"
    if isinstance(value, dict):
        parts = [f"{_key_text(str(key))}: {_value_text(item)}" for key, item in value.items()]
        return "; ".join(parts) or "—"
    if isinstance(value, str) and _ISO_TIME.match(value):
        return _time_text(value)
    return str(value)


def _time_text(value: str) -> str:
    """An ISO time with a zone as the page shows times: '2026-12-01 14:03:07 UTC'."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
