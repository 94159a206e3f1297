"""Hand-placed 2-d "descriptors" for the identification and verification tests: ``photo`` puts
one photo of a person at a point (or fails to find its face), ``world`` is a small set of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lfr.domain import EmbeddingContract, Subject, Template
from lfr.evaluate.dataset import Sample
from lfr.evaluate.embeddings import Embedded

CONTRACT = EmbeddingContract("fake", "0" * 64, 2, "fake")


def photo(relpath: str, person: str, at: tuple[float, float] | None, enrollable: bool = True):  # type: ignore[no-untyped-def]
    subject = Subject(person, person)
    sample = Sample(Path("/nowhere") / relpath, relpath, person, enrollable, subject)
    if at is None:
        return Embedded(sample, None, "no face found")
    vector = np.array(at, np.float32)
    return Embedded(sample, Template(subject, vector, CONTRACT, relpath, b""))


def world() -> list[Embedded]:
    # A: a1 (0,0) a2 (0.3,0); B: b1 (1,0) b2 (1,0.4); unknown u1 (0,0.6)
    return [
        photo("a/1.jpg", "A", (0.0, 0.0)),
        photo("a/2.jpg", "A", (0.3, 0.0)),
        photo("b/1.jpg", "B", (1.0, 0.0)),
        photo("b/2.jpg", "B", (1.0, 0.4)),
        photo("unknown/u1.jpg", "unknown/u1.jpg", (0.0, 0.6), enrollable=False),
    ]
