"""Section 1: N ``lfr edge run`` processes, one camera each playing the clip at its own pace.
A round is one deployment (every node's camera plays the clip once: one alert per camera,
the engine's cool-down being per run); the nodes stay up from one round to the next."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from tqdm import tqdm

from edge_centre import AlertTimings, RunningCentre
from edge_setup import end, go_live, lfr_env, wait_for
from lfr.access.services import Services
from lfr.cli.fleet.edge_run import raised_alert_ids
from lfr.store.tables import AlertRow, EdgeCameraCounts, EdgeRun

NODE_START_S = 300.0
"""N processes import the models on a shared 2-core machine before their first heartbeat."""
ROUND_S = 600.0
"""A round: each node builds its engine, plays the clip (9 s) and wipes."""
SETTLE_S = 20.0
EDGE_RUN = (sys.executable, "-m", "lfr", "edge", "run")


@dataclass
class CameraFigures:
    camera: str
    node: str
    frames: int
    dropped: int


@dataclass
class RoundFigures:
    nodes: int
    round: int
    deployment_id: int
    seconds: float
    cameras: list[CameraFigures]
    stored_ids: list[str]
    alerts: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def node_processes(
    urls: dict[str, str], creds: dict[str, Path], folder: Path
) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """``lfr edge run`` for each node; each says the id of every alert it raises."""
    processes = {}
    try:
        for name, path in creds.items():
            home = folder / f"home-{name}"
            home.mkdir(parents=True)
            env = lfr_env(home)
            with (folder / f"{name}.out").open("wb") as out:
                processes[name] = subprocess.Popen(
                    [*EDGE_RUN, "--nats", urls[name], "--creds", str(path)],
                    cwd=home,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
        yield processes
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def raised_ids(folder: Path, nodes: list[str]) -> list[str]:
    """What the nodes said they raised (``edge node NAME: alert ID raised``), in order."""
    said = (folder / f"{n}.out" for n in nodes)
    return [i for out in said if out.exists() for i in raised_alert_ids(out.read_text())]


def _wiped(services: Services, deployment_id: int) -> int:
    with services.transaction() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(EdgeRun)
                .where(EdgeRun.deployment_id == deployment_id, EdgeRun.wiped_at.is_not(None))
            )
            or 0
        )


def _counts(services: Services, deployment_id: int) -> list[CameraFigures]:
    with services.transaction() as session:
        rows = session.scalars(
            select(EdgeCameraCounts).where(EdgeCameraCounts.deployment_id == deployment_id)
        )
        return sorted(
            (CameraFigures(r.camera, r.node, r.frames, r.frames_dropped) for r in rows),
            key=lambda c: c.camera,
        )


def _stored_ids(services: Services, deployment_id: int) -> list[str]:
    with services.transaction() as session:
        return list(
            session.scalars(select(AlertRow.id).where(AlertRow.deployment_id == deployment_id))
        )


def _final_counts(services: Services, deployment_id: int, cameras: int) -> list[CameraFigures]:
    """The counts once every camera's have arrived and stopped changing (the final message
    goes up just before the wipe report, on another stream)."""
    last: list[CameraFigures] = []

    def settled() -> bool:
        nonlocal last
        now = _counts(services, deployment_id)
        done = len(now) == cameras and now == last
        last = now
        return done

    with contextlib.suppress(TimeoutError):  # reported as they are
        wait_for(settled, SETTLE_S, "the final counts", every=1.0)
    return last


def alert_rows(timings: AlertTimings, ids: list[str]) -> list[dict[str, Any]]:
    """Per stored alert: raised -> stored -> received by the SSE client, in ms."""
    rows = []
    for alert_id in ids:
        stored = timings.stored.get(alert_id)
        if stored is None:
            continue
        received = timings.received.get(alert_id)
        rows.append(
            {
                "alert_id": alert_id,
                "camera": stored.camera,
                "engine_ms": round(stored.engine_latency_s * 1000, 1),
                "raised_to_stored_ms": round((stored.stored_at - stored.raised_at) * 1000, 1),
                "stored_to_received_ms": None
                if received is None
                else round((received - stored.stored_at) * 1000, 1),
                "raised_to_received_ms": None
                if received is None
                else round((received - stored.raised_at) * 1000, 1),
            }
        )
    return rows


def run_round(
    centre: RunningCentre,
    watchlist_id: int,
    clip: Path,
    nodes: list[str],
    threshold: float,
    index: int,
) -> RoundFigures:
    services = centre.centre.services
    cameras = {f"cam{i + 1}": f"{clip}@{node}" for i, node in enumerate(nodes)}
    started = time.monotonic()
    deployment_id = go_live(services, watchlist_id, cameras, threshold)
    wait_for(
        lambda: _wiped(services, deployment_id) == len(nodes),
        ROUND_S,
        f"deployment {deployment_id}: every node to play the clip and wipe",
        every=0.5,
    )
    seconds = time.monotonic() - started
    counts = _final_counts(services, deployment_id, len(nodes))
    end(services, deployment_id)
    ids = _stored_ids(services, deployment_id)
    with contextlib.suppress(TimeoutError):  # the missing ones: reported as not received
        wait_for(lambda: centre.timings.received_all(set(ids)), SETTLE_S, "the SSE client")
    figures = RoundFigures(len(nodes), index, deployment_id, round(seconds, 1), counts, ids)
    figures.alerts = alert_rows(centre.timings, ids)
    return figures


def run_nodes(
    centre: RunningCentre,
    urls: dict[str, str],
    watchlist_id: int,
    clip: Path,
    creds: dict[str, Path],
    folder: Path,
    rounds: int,
    threshold: float,
) -> dict[str, Any]:
    """``rounds`` rounds with the nodes of ``creds``: every figure of every round."""
    nodes = sorted(creds)
    folder.mkdir(parents=True)
    results = []
    since = time.time()
    with node_processes(urls, creds, folder):
        wait_for(
            lambda: centre.online_since(nodes, since),
            NODE_START_S,
            f"{len(nodes)} node(s) to connect",
            every=1.0,
        )
        for index in tqdm(range(rounds), desc=f"{len(nodes)} node(s)", unit="round"):
            results.append(run_round(centre, watchlist_id, clip, nodes, threshold, index + 1))
    return {
        "nodes": len(nodes),
        "rounds": [asdict(r) for r in results],
        "raised_ids": raised_ids(folder, nodes),
    }
