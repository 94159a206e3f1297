"""Photos of the same person match at the default threshold; photos of other people do not."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from lfr.enrol.folder import Enroller, scan_watchlist_dir
from lfr.pipeline.engine import Engine


@pytest.fixture(scope="module")
def descriptors(engine: Engine, data: Path) -> list[tuple[str, str, np.ndarray]]:
    enroller = Enroller(engine.detector, engine.aligner, engine.embedder, engine.config)
    return [
        (folder.subject.reference, path.name, enroller.enrol_image(path, folder.subject).embedding)
        for folder in scan_watchlist_dir(data / "faces")
        for path in folder.images
    ]


def pairs(descriptors, same: bool):  # type: ignore[no-untyped-def]
    for (a, _, va), (b, _, vb) in itertools.combinations(descriptors, 2):
        if a == b == "unknown":
            continue  # unknown/ holds several people
        if (a == b) == same:
            yield float(np.linalg.norm(va - vb))


def test_different_people_never_match(engine: Engine, descriptors) -> None:  # type: ignore[no-untyped-def]
    impostor = list(pairs(descriptors, same=False))
    assert len(impostor) > 200
    assert min(impostor) > engine.config.alert.threshold


def test_same_person_matches(engine: Engine, descriptors) -> None:  # type: ignore[no-untyped-def]
    genuine = list(pairs(descriptors, same=True))
    threshold = engine.config.alert.threshold
    accepted = sum(d <= threshold for d in genuine) / len(genuine)
    assert len(genuine) == 18
    assert accepted >= 0.85  # measured 16/18; the two misses are a low-res PNG of one person
    assert max(genuine) < 0.6
