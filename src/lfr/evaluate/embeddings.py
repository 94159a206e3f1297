"""Every photo of the data set through the live system's own photo path, once.

Each photo goes through ``lfr.enrol.folder.Enroller``: the engine's detector (no upsampling,
then one step if no face is found), the one-face rule, alignment, the quality gate (size,
sharpness, pose) and the embedder, exactly as a watchlist photo would. A photo that fails any
step is a failure to acquire, kept with its reason and counted in the report, never dropped.

Distances are computed by the live search code (``lfr.match.index.ExactIndex``), so they are
bit for bit those a watchlist search would see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from lfr.domain import Template
from lfr.enrol.folder import Enroller
from lfr.errors import EnrolmentError
from lfr.evaluate.dataset import Dataset, Sample
from lfr.match.index import ExactIndex
from lfr.pipeline.engine import Engine


@dataclass(frozen=True, slots=True)
class Embedded:
    sample: Sample
    template: Template | None
    """None when the photo failed to acquire."""
    failure: str | None = None

    @property
    def acquired(self) -> bool:
        return self.template is not None


def embed_dataset(engine: Engine, dataset: Dataset, progress: bool = True) -> list[Embedded]:
    enroller = Enroller(engine.detector, engine.aligner, engine.embedder, engine.config)
    results = []
    for sample in tqdm(
        dataset.samples, desc="embedding", unit="image", disable=not progress, leave=False
    ):
        try:
            results.append(Embedded(sample, enroller.enrol_image(sample.path, sample.subject)))
        except EnrolmentError as exc:
            results.append(Embedded(sample, None, exc.reason))
    return results


def failure_counts(embedded: list[Embedded]) -> dict[str, int]:
    """Failures to acquire by reason, the reason's first words (sizes vary per photo)."""
    return dict(Counter(_reason_kind(e.failure) for e in embedded if e.failure is not None))


def _reason_kind(reason: str) -> str:
    return reason.split(" (")[0].split(";")[0]


def vectors(embedded: list[Embedded]) -> npt.NDArray[np.float32]:
    """Rows for acquired photos; failed photos get a row of NaN (never used)."""
    dimension = next((e.template.embedding.shape[0] for e in embedded if e.template), 0)
    out = np.full((len(embedded), dimension), np.nan, np.float32)
    for row, e in enumerate(embedded):
        if e.template is not None:
            out[row] = e.template.embedding
    return out


def distance_matrix(
    probes: npt.NDArray[np.float32], entries: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    """Distances of every probe to every entry, from the live exact search."""
    result = np.full((probes.shape[0], entries.shape[0]), np.nan, np.float64)
    if probes.shape[0] == 0 or entries.shape[0] == 0:
        return result
    index = ExactIndex(entries)
    distances, indices = index.search(probes, k=index.size)
    np.put_along_axis(result, indices, distances.astype(np.float64), axis=1)
    return result
