"""Enrol a watchlist from a folder: one sub-folder per subject, each with photos of that person.

A sub-folder may hold ``subject.json`` with the facts an officer needs on an alert::

    {"reference": "WL-0001", "display_name": "...", "category": "...", "reason": "...",
     "image_source": "..."}

Every photo must show exactly one usable face; a photo that does not is reported by name with
the reason, and the rest of the list still enrols.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tqdm import tqdm

from lfr.config import EngineConfig
from lfr.detect.base import FaceDetector
from lfr.domain import AlignedFace, Detection, Image, Subject, Template
from lfr.embed.base import Aligner, Embedder
from lfr.embed.quality import assess
from lfr.errors import EnrolmentError, WatchlistError
from lfr.imaging import ImageReadError, crop_around, encode_jpeg, fit_within, read_image

METADATA_FILE = "subject.json"


class SubjectMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=100)
    display_name: str = Field(min_length=1, max_length=200)
    category: str = Field("unspecified", max_length=100)
    reason: str = Field("", max_length=1000)
    image_source: str = Field("", max_length=1000)


@dataclass(frozen=True, slots=True)
class SubjectFolder:
    subject: Subject
    images: list[Path]


@dataclass(slots=True)
class EnrolmentReport:
    templates: list[Template] = field(default_factory=list)
    errors: list[EnrolmentError] = field(default_factory=list)
    subjects_without_template: list[str] = field(default_factory=list)


def scan_watchlist_dir(root: Path) -> list[SubjectFolder]:
    if not root.is_dir():
        raise WatchlistError(f"watchlist folder not found: {root}")
    folders = [p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    if not folders:
        raise WatchlistError(f"{root}: no subject sub-folders (expected one folder per person)")
    return [SubjectFolder(_read_subject(folder), _images_in(folder)) for folder in folders]


def _read_subject(folder: Path) -> Subject:
    meta_path = folder / METADATA_FILE
    if not meta_path.exists():
        return Subject(reference=folder.name, display_name=folder.name.replace("_", " ").title())
    try:
        meta = SubjectMetadata.model_validate(json.loads(meta_path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise WatchlistError(f"{meta_path}: invalid subject metadata ({first})") from None
    return Subject(**meta.model_dump())


def _images_in(folder: Path) -> list[Path]:
    return [
        p
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.name != METADATA_FILE
    ]


@runtime_checkable
class FindsLargeFaces(Protocol):
    """A detector that can find a big photo's large faces on a small copy, with the boxes its
    full search gives (``HogDetector``); None when only a full search can tell."""

    def find_large_faces(self, image: Image, max_side: int) -> list[Detection] | None: ...


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    """An enrolment photo's aligned face and kept crop, waiting for its descriptor."""

    subject: Subject
    image_name: str
    face: AlignedFace
    face_jpeg: bytes


class Enroller:
    """Turns one enrolment photo into a template, or says exactly why it cannot."""

    def __init__(
        self, detector: FaceDetector, aligner: Aligner, embedder: Embedder, config: EngineConfig
    ) -> None:
        self._detector = detector
        self._aligner = aligner
        self._embedder = embedder
        self._config = config

    def enrol_image(self, path: Path, subject: Subject) -> Template:
        return self.templates([self.prepare_image(path, subject)])[0]

    def enrol_array(self, image: Image, subject: Subject, image_name: str) -> Template:
        return self.templates([self.prepare_array(image, subject, image_name)])[0]

    def prepare_image(self, path: Path, subject: Subject) -> PreparedPhoto:
        """Everything but the descriptor (see ``templates``); safe on a worker thread when
        this enroller's detector and aligner are used by no other thread."""
        try:
            image = read_image(path, self._config.images)
        except ImageReadError as exc:
            raise EnrolmentError(str(path), str(exc)) from None
        try:
            return self.prepare_array(image, subject, f"{path.parent.name}/{path.name}")
        except EnrolmentError as exc:
            raise EnrolmentError(str(path), exc.reason) from None

    def prepare_array(self, image: Image, subject: Subject, image_name: str) -> PreparedPhoto:
        image, _ = fit_within(image, self._config.enrol_max_side)
        detection = self._single_face(image, image_name)
        face = self._aligner.align(image, detection.box)
        quality = assess(face, detection.box, self._config.quality)
        if not quality.passed:
            raise EnrolmentError(image_name, f"face {quality.reason}")
        return PreparedPhoto(
            subject, image_name, face, encode_jpeg(crop_around(image, detection.box))
        )

    def templates(self, photos: list[PreparedPhoto]) -> list[Template]:
        """The photos' descriptors, computed together (one batch on a batching embedder)."""
        vectors = self._embedder.embed([photo.face for photo in photos])
        return [
            Template(
                subject=photo.subject,
                embedding=vector,
                contract=self._embedder.contract,
                image_name=photo.image_name,
                face_jpeg=photo.face_jpeg,
            )
            for photo, vector in zip(photos, vectors, strict=True)
        ]

    def _single_face(self, image: Image, name: str) -> Detection:
        large = self._one_large_face(image)
        if large is not None:
            return large
        # Upsampling quadruples the cost; most enrolment photos show a large face without it.
        found = self._detector.detect(image, 0) or self._detector.detect(image, 1)
        if not found:
            raise EnrolmentError(name, "no face found")
        smallest = self._config.quality.min_face_px
        usable = [d for d in found if min(d.box.width, d.box.height) >= smallest]
        if len(usable) > 1:
            raise EnrolmentError(
                name, f"{len(usable)} faces found; an enrolment photo must show one person"
            )
        if not usable:
            biggest = max(min(d.box.width, d.box.height) for d in found)
            raise EnrolmentError(name, f"face too small ({biggest:.0f} px < {smallest} px)")
        return usable[0]

    def _one_large_face(self, image: Image) -> Detection | None:
        """The photo's one face, when a quick search on a small copy finds exactly one usable
        face with the box a full search gives (``FindsLargeFaces``); else None: search all.

        The copy cannot see faces too small for it (under about 150 px in a 1600 px photo at
        the default 800 px copy), so a photo of one large face with such a small one behind
        it enrols, where the full search would refuse it as showing two people."""
        max_side = self._config.enrol_detect_max_side
        if not max_side or not isinstance(self._detector, FindsLargeFaces):
            return None
        found = self._detector.find_large_faces(image, max_side)
        if found is None or len(found) != 1:
            return None  # several faces: the full search counts them all for the message
        box = found[0].box
        return found[0] if min(box.width, box.height) >= self._config.quality.min_face_px else None


def enrol_folder(root: Path, enroller: Enroller, progress: bool = True) -> EnrolmentReport:
    subjects = scan_watchlist_dir(root)
    report = EnrolmentReport()
    jobs = [(s, p) for s in subjects for p in s.images]
    enrolled: set[str] = set()
    for subject_folder, path in _progress(jobs, progress):
        try:
            report.templates.append(enroller.enrol_image(path, subject_folder.subject))
            enrolled.add(subject_folder.subject.reference)
        except EnrolmentError as exc:
            report.errors.append(exc)
    report.subjects_without_template = [
        s.subject.reference for s in subjects if s.subject.reference not in enrolled
    ]
    return report


def _progress(
    jobs: list[tuple[SubjectFolder, Path]], enabled: bool
) -> Iterator[tuple[SubjectFolder, Path]]:
    yield from tqdm(jobs, desc="enrolling", unit="image", disable=not enabled, leave=False)
