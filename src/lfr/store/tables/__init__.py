"""The tables, one module per concept; import them from here. Biometric columns (templates,
face images, alert crops) hold AES-GCM ciphertext only (``lfr.store.crypto``); nothing here
ever holds data about a face that did not match.
"""

from lfr.store.tables.accounts import AuthSession, LoginFailureWindow, User
from lfr.store.tables.alerts import AlertMediaView, AlertRow, Encounter
from lfr.store.tables.base import MAX_ROW_ID, Base, UtcDateTime
from lfr.store.tables.deployments import (
    AuthorityRequest,
    Deployment,
    DeploymentAssignment,
    DeploymentKey,
    SnapshotTemplate,
)
from lfr.store.tables.fleet import EdgeCameraCounts, EdgeNode, EdgeRun
from lfr.store.tables.records import (
    AuditEntry,
    DeploymentRecord,
    DocumentRow,
    EvaluationReportRow,
    PolicyVersion,
    RecordRevision,
    SiteSettingsRow,
)
from lfr.store.tables.watchlists import EntryImage, LookalikeNegative, Watchlist, WatchlistEntry

__all__ = [
    "MAX_ROW_ID",
    "AlertMediaView",
    "AlertRow",
    "AuditEntry",
    "AuthSession",
    "AuthorityRequest",
    "Base",
    "Deployment",
    "DeploymentAssignment",
    "DeploymentKey",
    "DeploymentRecord",
    "DocumentRow",
    "EdgeCameraCounts",
    "EdgeNode",
    "EdgeRun",
    "Encounter",
    "EntryImage",
    "EvaluationReportRow",
    "LoginFailureWindow",
    "LookalikeNegative",
    "PolicyVersion",
    "RecordRevision",
    "SiteSettingsRow",
    "SnapshotTemplate",
    "User",
    "UtcDateTime",
    "Watchlist",
    "WatchlistEntry",
]
