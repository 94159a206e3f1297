"""The frozen watchlist of a live deployment: what its cameras search.

Going live copies the watchlist's active templates into the snapshot, re-sealed for this
deployment (``lfr.store.sealing``, kind ``"snapshot"``, owner the deployment id), so later
changes to the watchlist never reach a running deployment; its digest is recorded and audited.
The cameras load it checked against that digest. Ending the deployment wipes it, and with it
the lookalike negatives operators added meanwhile (``lfr.governance.watchlists.lookalikes``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import EmbeddingContract, Subject, Template
from lfr.errors import IntegrityError, StateError
from lfr.governance.deployments.authority_rules import grant_of
from lfr.governance.deployments.live_facts import live_facts
from lfr.governance.deployments.plan import audit_target, load_deployment
from lfr.governance.states import DeploymentState
from lfr.governance.watchlists.entries import active_templates
from lfr.governance.watchlists.lookalikes import LookalikesWiped, wipe_lookalikes
from lfr.match.watchlist import Watchlist
from lfr.store.deployment_keys import deployment_cipher
from lfr.store.sealing import open_image, open_vector, seal_image, seal_vector
from lfr.store.tables import Deployment, SnapshotTemplate
from lfr.wipe import zero

SNAPSHOT_KIND = "snapshot"


def freeze_snapshot(
    session: Session, services: Services, row: Deployment, now: datetime
) -> Watchlist:
    """Copy the watchlist's active templates into the deployment's snapshot, in the caller's
    transaction (the caller records the digest and audits)."""
    templates = active_templates(session, services.cipher, row.watchlist_id, now)
    grant = grant_of(session, row)
    if grant is not None and grant.entries is not None:  # Art. 5(2): only the named persons
        templates = [(i, t) for i, t in templates if t.subject.reference in grant.entries]
        if not templates:
            raise StateError(f"deployment {row.id}: no active entry is named in its grant")
    watchlist = Watchlist.from_templates(templates[0][1].contract, [t for _, t in templates])
    owner = str(row.id)
    cipher = deployment_cipher(session, services.cipher, row.id)
    session.add_all(
        SnapshotTemplate(
            deployment_id=row.id,
            entry_id=entry_id,
            subject=asdict(template.subject),
            image_name=template.image_name,
            contract=asdict(template.contract),
            template_enc=seal_vector(
                cipher, template.embedding, SNAPSHOT_KIND, owner, _name(template)
            ),
            face_jpeg_enc=seal_image(
                cipher, template.face_jpeg, SNAPSHOT_KIND, owner, _name(template)
            ),
        )
        for entry_id, template in templates
    )
    zero(*(t.embedding for _, t in templates))  # the watchlist holds its own copy
    row.live_facts = live_facts(session, [entry_id for entry_id, _ in templates], now)
    row.snapshot_references = sorted({t.subject.reference for _, t in templates})
    return watchlist


def load_snapshot(services: Services, actor: Actor, deployment_id: int) -> Watchlist:
    """The frozen watchlist of a live deployment, checked against the digest recorded at start."""
    require(actor, Action.DEPLOYMENT_RUN)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id)
        if row.state != DeploymentState.LIVE:
            raise StateError(
                f"deployment {row.id} is {row.state}; its snapshot exists only while it is live"
            )
        templates = _open_templates(session, services, row)
        if not templates:
            raise IntegrityError(f"deployment {row.id}: its watchlist snapshot is missing")
        watchlist = _watchlist_of(templates)
        if watchlist.digest() != row.snapshot_digest:
            watchlist.wipe()
            raise IntegrityError(
                f"deployment {row.id}: the snapshot does not match the digest recorded when it"
                " went live"
            )
        services.record(
            session,
            actor.username,
            "deployment.snapshot.load",
            audit_target(row.id),
            {"snapshot_digest": row.snapshot_digest, "snapshot_size": watchlist.size},
        )
        return watchlist


@dataclass(frozen=True, slots=True)
class SnapshotWiped:
    templates: int
    lookalikes: LookalikesWiped


def wipe_snapshot(session: Session, row: Deployment, now: datetime) -> SnapshotWiped:
    """Delete the deployment's snapshot, and with it its lookalike negatives and its alerts'
    descriptors (the caller audits); returns what was deleted."""
    result = session.execute(
        delete(SnapshotTemplate).where(SnapshotTemplate.deployment_id == row.id)
    )
    lookalikes = wipe_lookalikes(session, (row.id,))
    row.snapshot_wiped_at = now
    session.flush()
    return SnapshotWiped(int(getattr(result, "rowcount", 0) or 0), lookalikes)


def _open_templates(session: Session, services: Services, row: Deployment) -> list[Template]:
    owner = str(row.id)
    cipher = deployment_cipher(session, services.cipher, row.id)
    templates = []
    for snap in session.scalars(
        select(SnapshotTemplate)
        .where(SnapshotTemplate.deployment_id == row.id)
        .order_by(SnapshotTemplate.id)
    ):
        subject = Subject(**snap.subject)
        name = f"{subject.reference}/{snap.image_name}"
        templates.append(
            Template(
                subject=subject,
                embedding=open_vector(cipher, snap.template_enc, SNAPSHOT_KIND, owner, name),
                contract=EmbeddingContract(**snap.contract),
                image_name=snap.image_name,
                face_jpeg=open_image(cipher, snap.face_jpeg_enc, SNAPSHOT_KIND, owner, name),
            )
        )
    return templates


def _watchlist_of(templates: list[Template]) -> Watchlist:
    """The watchlist of opened templates; their own copies of the descriptors are zeroed once
    it holds them (it shares their face images, which its ``wipe`` zeroes)."""
    watchlist = Watchlist.from_templates(templates[0].contract, templates)
    zero(*(t.embedding for t in templates))
    return watchlist


def _name(template: Template) -> str:
    return f"{template.subject.reference}/{template.image_name}"
