"""The in-memory watchlist: subjects, their templates, one embedding contract, a search index.

Saved as a NumPy ``.npz`` without pickle (loading never executes code from the file). Templates
of another contract are refused, never compared: distances between two models' vectors mean
nothing and would raise false alerts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import zipfile
from collections.abc import Collection
from dataclasses import asdict
from pathlib import Path

import numpy as np

from lfr.domain import EmbeddingContract, Match, Subject, Template
from lfr.errors import ContractMismatchError, WatchlistError
from lfr.match.index import ExactIndex, Floats, VectorIndex
from lfr.wipe import zero

FORMAT_VERSION = 1


class Watchlist:
    def __init__(
        self,
        contract: EmbeddingContract,
        subjects: list[Subject],
        template_subjects: list[int],
        embeddings: Floats,
        image_names: list[str],
        face_jpegs: list[bytes | bytearray],
    ) -> None:
        count = len(template_subjects)
        if not (
            embeddings.shape == (count, contract.dimension)
            and len(image_names) == count == len(face_jpegs)
        ):
            raise WatchlistError("watchlist arrays disagree in length or dimension")
        self.contract = contract
        self.subjects = subjects
        self._template_subjects = np.asarray(template_subjects, dtype=np.int64)
        self._embeddings = np.asarray(embeddings, dtype=np.float32)
        self._image_names = image_names
        self._face_jpegs = face_jpegs
        self._index: VectorIndex = ExactIndex(self._embeddings)

    @classmethod
    def from_templates(cls, contract: EmbeddingContract, templates: list[Template]) -> Watchlist:
        for template in templates:
            require_same_contract(contract, template.contract, template.image_name)
        subjects: list[Subject] = []
        position: dict[str, int] = {}
        for template in templates:
            if template.subject.reference not in position:
                position[template.subject.reference] = len(subjects)
                subjects.append(template.subject)
        embeddings = (
            np.stack([t.embedding for t in templates])
            if templates
            else np.zeros((0, contract.dimension), np.float32)
        )
        return cls(
            contract,
            subjects,
            [position[t.subject.reference] for t in templates],
            embeddings,
            [t.image_name for t in templates],
            [t.face_jpeg for t in templates],
        )

    @property
    def size(self) -> int:
        return int(self._template_subjects.shape[0])

    def digest(self) -> str:
        """SHA-256 over the contract, subjects and template vectors: what was searched."""
        h = hashlib.sha256(json.dumps(self._meta(), sort_keys=True).encode())
        h.update(np.ascontiguousarray(self._embeddings).data)  # no copy left behind
        h.update(self._template_subjects.tobytes())
        return h.hexdigest()

    def nearest(self, probes: Floats) -> list[Match]:
        """The nearest template of each probe (the caller decides whether it is close enough)."""
        if self.size == 0:
            return []
        distances, indices = self._index.search(probes, k=1)
        return [
            Match(int(i), self.subjects[int(self._template_subjects[i])], float(d))
            for d, i in zip(distances[:, 0], indices[:, 0], strict=True)
        ]

    def nearest_apart_from(self, probe: Floats, excluded: Collection[str]) -> Match | None:
        """The nearest template of one probe whose subject is not in ``excluded`` (references);
        None when every subject is. Sorts the whole list: for the rare probe whose nearest
        subject was set aside (a known lookalike), never for every probe."""
        distances, indices = self._index.search(np.atleast_2d(probe), k=self.size)
        for distance, index in zip(distances[0], indices[0], strict=True):
            subject = self.subjects[int(self._template_subjects[index])]
            if subject.reference not in excluded:
                return Match(int(index), subject, float(distance))
        return None

    def wipe(self) -> None:
        """Zero the descriptors and the face images held in mutable buffers, in place, and
        leave the watchlist empty: nothing of it stays readable in this process's memory."""
        self._index.wipe()
        zero(self._embeddings, *self._face_jpegs)
        self._template_subjects = np.zeros(0, np.int64)
        self._embeddings = np.zeros((0, self.contract.dimension), np.float32)
        self._image_names, self._face_jpegs = [], []
        self._index = ExactIndex(self._embeddings)

    def template(self, index: int) -> Template:
        return Template(
            subject=self.subjects[int(self._template_subjects[index])],
            embedding=self._embeddings[index],
            contract=self.contract,
            image_name=self._image_names[index],
            face_jpeg=self._face_jpegs[index],
        )

    def _meta(self) -> dict[str, object]:
        return {
            "format_version": FORMAT_VERSION,
            "contract": asdict(self.contract),
            "subjects": [asdict(s) for s in self.subjects],
            "image_names": self._image_names,
        }

    def save(self, path: Path) -> None:
        offsets = np.cumsum([0] + [len(j) for j in self._face_jpegs], dtype=np.int64)
        blob = np.frombuffer(b"".join(self._face_jpegs), dtype=np.uint8)
        meta = np.frombuffer(json.dumps(self._meta()).encode(), dtype=np.uint8)
        with path.open("wb") as handle:
            np.savez(
                handle,
                meta=meta,
                embeddings=self._embeddings,
                template_subjects=self._template_subjects,
                jpeg_blob=blob,
                jpeg_offsets=offsets,
            )

    @classmethod
    def load(cls, path: Path, expected: EmbeddingContract | None = None) -> Watchlist:
        if not path.is_file():
            raise WatchlistError(f"watchlist file not found: {path}")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                embeddings = data["embeddings"]
                template_subjects = data["template_subjects"].tolist()
                blob = bytes(data["jpeg_blob"])
                offsets = data["jpeg_offsets"].tolist()
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise WatchlistError(f"{path}: not a readable OpenLFR watchlist ({exc})") from None
        if meta.get("format_version") != FORMAT_VERSION:
            raise WatchlistError(
                f"{path}: unsupported watchlist format {meta.get('format_version')}"
            )
        contract = EmbeddingContract(**meta["contract"])
        if expected is not None:
            require_same_contract(expected, contract, str(path))
        jpegs: list[bytes | bytearray] = [blob[a:b] for a, b in itertools.pairwise(offsets)]
        subjects = [Subject(**s) for s in meta["subjects"]]
        return cls(contract, subjects, template_subjects, embeddings, meta["image_names"], jpegs)


def require_same_contract(
    expected: EmbeddingContract, actual: EmbeddingContract, what: str
) -> None:
    if expected != actual:
        differing = [
            name
            for name in ("model_id", "weights_sha256", "dimension", "preprocessing", "metric")
            if getattr(expected, name) != getattr(actual, name)
        ]
        raise ContractMismatchError(
            f"{what}: template made with a different embedding contract"
            f" ({', '.join(differing)} differ: {actual.model_id} vs {expected.model_id});"
            " re-enrol the watchlist with the running model"
        )
