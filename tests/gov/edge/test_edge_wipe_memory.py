"""Issue 21, "wiped means zeroed": a node process holds a deployment's descriptors and enrolled
face images while its cameras run, and none of them once it has reported the wipe. Read from
outside, as root would (``/proc/PID/mem``): the node runs in a process of its own, fed the
sealed snapshot only, with the fake engine (no weights), its one camera showing a watchlisted
face so that an alert (which decodes the enrolled image) is raised too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from lfr.domain import Subject, Template
from lfr.edge.wire.snapshot import seal_snapshot
from lfr.imaging import encode_jpeg
from lfr.match.watchlist import Watchlist
from tests.gov.runtime.fakes import MATCH, VECTORS
from tests.process_memory import found_in_memory
from tests.unit.fakes import CONTRACT

pytestmark = pytest.mark.skipif(
    not os.access("/proc/self/mem", os.R_OK), reason="needs /proc (Linux)"
)

NODE = textwrap.dedent(
    """
    import json, sys, time
    from lfr.edge.node.runtime import EdgeNodeRuntime
    from lfr.edge.protocol import StartCommand, StopCommand
    from tests.gov.runtime.fakes import MATCH, FakeCamera, fake_engine

    given = json.loads(sys.stdin.readline())
    sent = []
    paced = lambda _: time.sleep(0.005)
    node = EdgeNodeRuntime(
        "node1", bytes.fromhex(given["key"]), fake_engine, sent.append,
        lambda spec, name: FakeCamera(name, MATCH, limit=10**9, on_frame=paced), 0.2,
    )
    node.on_start(StartCommand(7, ("cam1=fake",), time.time() + 600, 0.6,
                               given["key_wrapped"], given["sealed"]))
    while not any(".alert." in m.subject for m in sent):
        time.sleep(0.05)
    print("RUNNING", flush=True)
    sys.stdin.readline()
    node.on_stop(StopCommand(7, "ended"))
    while not any(b'"wiped"' in m.payload for m in sent):
        time.sleep(0.05)
    print("WIPED", flush=True)
    sys.stdin.readline()
    """
)


def _watchlist(rng: np.random.Generator) -> Watchlist:
    """The watchlisted face the camera shows (its vector the fake embedder's), and five other
    people with random descriptors; each with a face image of random pixels (unique bytes)."""
    templates = []
    for i in range(6):
        vector = VECTORS[MATCH] if i == 0 else rng.normal(size=CONTRACT.dimension)
        face = rng.integers(0, 255, (48, 40, 3), dtype=np.uint8)
        templates.append(
            Template(
                subject=Subject(f"WL-{i:04d}", f"Person {i}"),
                embedding=np.asarray(vector, np.float32),
                contract=CONTRACT,
                image_name=f"{i}.jpg",
                face_jpeg=encode_jpeg(face),
            )
        )
    return Watchlist.from_templates(CONTRACT, templates)


def _needles(watchlist: Watchlist) -> list[bytes]:
    """What must not outlive the wipe: each random descriptor, and the middle of each JPEG."""
    templates = [watchlist.template(i) for i in range(watchlist.size)]
    vectors = [t.embedding.tobytes() for t in templates[1:]]  # the first is the fake's own
    jpegs = [bytes(t.face_jpeg[len(t.face_jpeg) // 2 :][:64]) for t in templates]
    return vectors + jpegs


def test_a_node_holds_the_snapshot_while_it_runs_and_none_of_it_after_the_wipe() -> None:
    watchlist = _watchlist(np.random.default_rng(21))
    key = os.urandom(32)
    sealed = seal_snapshot(key, "node1", 7, watchlist, os.urandom(32))
    needles = _needles(watchlist)
    given = {"key": key.hex(), "key_wrapped": sealed.key_wrapped, "sealed": sealed.snapshot_sealed}
    node = subprocess.Popen(
        [sys.executable, "-c", NODE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    assert node.stdin is not None and node.stdout is not None
    try:
        node.stdin.write(json.dumps(given) + "\n")
        node.stdin.flush()
        assert node.stdout.readline().strip() == "RUNNING"
        running = found_in_memory(node.pid, needles)
        node.stdin.write("stop\n")
        node.stdin.flush()
        assert node.stdout.readline().strip() == "WIPED"
        wiped = found_in_memory(node.pid, needles)
    finally:
        node.kill()
        node.wait()
    assert running == list(range(len(needles)))  # the reading finds them while they are held
    assert wiped == [], f"still in the node's memory after the wipe: {wiped}"
