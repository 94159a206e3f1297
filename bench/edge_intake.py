"""Section 2: the centre's alert intake, flat out. Synthetic alerts (a fake subject on a fake
128-d template, random crops sealed with the node's key, as a node seals them) published to
JetStream by a node as fast as the server acknowledges them, while the centre's durable
consumer stores each through the idempotent intake (``EdgeCentre``, as ``lfr serve --nats``
runs it): alerts stored a second, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, text
from tqdm import tqdm

from edge_centre import AlertTimings
from edge_setup import (
    NatsServer,
    add_nodes,
    free_port,
    go_live,
    make_accounts,
    store_watchlist,
    wait_for,
    write_nats_config,
)
from lfr.app import build_services, init_data_dir
from lfr.config import Settings
from lfr.domain import EmbeddingContract, Subject, Template
from lfr.edge.centre.link import EdgeCentre
from lfr.edge.credentials.files import BusCredentials, centre_credentials, read_credentials
from lfr.edge.jetstream import connect
from lfr.edge.protocol import AlertMessage
from lfr.edge.wire.alerts import seal_crop, send_alert_up
from lfr.events import InMemoryEventBus, topics
from lfr.imaging import encode_jpeg
from lfr.store.keys import key_dir

NODE = "node1"
REFERENCE = "BENCH-0001"
THRESHOLD = 0.5
IN_FLIGHT = 64
"""Publishes awaiting the server's acknowledgement at once."""
STORE_WAIT_S = 600.0


def fake_template(rng: np.random.Generator) -> Template:
    vector = rng.normal(size=128).astype(np.float32)
    return Template(
        subject=Subject(REFERENCE, "Bench Subject"),
        embedding=vector / np.linalg.norm(vector),
        contract=EmbeddingContract("bench-fake", "0" * 64, 128, "none"),
        image_name="1.jpg",
        face_jpeg=encode_jpeg(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)),
    )


def synthetic_alert(
    node: BusCredentials, deployment_id: int, index: int, crop: np.ndarray
) -> AlertMessage:
    """What a node sends for a match: its crops sealed with the node's key."""
    key = base64.b64decode(node.key)
    alert_id = str(uuid.uuid4())
    return AlertMessage(
        node=node.user,
        deployment_id=deployment_id,
        alert_id=alert_id,
        camera="cam1",
        subject_reference=REFERENCE,
        distance=0.3,
        score=0.7,
        threshold=THRESHOLD,
        time_s=index / 25.0,
        frame=index,
        track=index,
        enrolled_image="1.jpg",
        raised_at=time.time(),
        latency_s=0.1,
        probe_crop_sealed=seal_crop(key, crop, alert_id, "probe"),
        enrolled_crop_sealed=seal_crop(key, crop, alert_id, "enrolled"),
    )


async def _publish_all(url: str, node: BusCredentials, deployment_id: int, count: int) -> float:
    """Publish ``count`` alerts, ``IN_FLIGHT`` at a time; the seconds it took."""
    crop = np.random.default_rng(1).integers(0, 255, (112, 112, 3), dtype=np.uint8)
    client = await connect(url, node)
    try:
        js = client.jetstream()
        started = time.monotonic()
        for first in range(0, count, IN_FLIGHT):
            batch = [
                synthetic_alert(node, deployment_id, i, crop)
                for i in range(first, min(count, first + IN_FLIGHT))
            ]
            key = base64.b64decode(node.key)
            await asyncio.gather(*(send_alert_up(js, m, key, timeout=30.0) for m in batch))
        return time.monotonic() - started
    finally:
        await client.close()


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A fresh schema on ``base`` (dropped after): the URL that uses it."""
    schema = f"edge_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def intake_run(folder: Path, database_url: str | None, count: int) -> dict[str, Any]:
    """One database: ``count`` alerts published and stored; the rates."""
    folder.mkdir(parents=True)
    settings = Settings(data_dir=folder / "data", database_url=database_url)
    init_data_dir(settings)
    services = build_services(settings, {})
    accounts = make_accounts(services)
    node = read_credentials(add_nodes(services, [NODE], folder)[NODE])
    watchlist_id = store_watchlist(services, [fake_template(np.random.default_rng(0))])
    deployment_id = go_live(
        services, watchlist_id, {"cam1": "rtsp://bench.invalid/1@node1"}, THRESHOLD
    )
    port = free_port()
    write_nats_config(settings.data_dir, database_url, accounts, folder / "nats.conf", port)
    server = NatsServer(folder / "nats.conf", port)
    bus, timings = InMemoryEventBus(), AlertTimings()
    subscription = bus.subscribe(timings.on_event, (topics.ALERT,))
    edge = EdgeCentre(services, bus, server.url, centre_credentials(key_dir(settings.data_dir)))
    try:
        edge.start()
        publish_s = asyncio.run(_publish_all(server.url, node, deployment_id, count))
        with tqdm(total=count, desc="stored", unit="alert") as bar:

            def all_stored() -> bool:
                bar.update(len(timings.stored) - bar.n)
                return len(timings.stored) >= count

            wait_for(all_stored, STORE_WAIT_S, f"{count} alerts stored")
        last = max(a.stored_at for a in timings.stored.values())
        first_raised = min(a.raised_at for a in timings.stored.values())
        stored_s = last - first_raised
    finally:
        edge.stop()
        subscription.close()
        server.stop()
        services.db.dispose()
    return {
        "alerts": count,
        "stored": len(timings.stored),
        "publish_s": round(publish_s, 2),
        "published_per_s": round(count / publish_s, 1),
        "stored_s": round(stored_s, 2),
        "stored_per_s": round(count / stored_s, 1),
    }
