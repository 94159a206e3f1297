"""What is evaluated: a folder of identity sub-folders, or a pairs file; and its fingerprint.

Folder layout (that of ``../shared/data/faces``): one sub-folder per identity, read as a
watchlist folder is (``subject.json`` optional). A sub-folder named ``unknown`` holds people
who are in no identity folder: they are only ever non-mated probes, never enrolled and never
grouped as one identity. Each of its files counts as its own person unless a mapping file
(``file,identity``) says which of them show the same person. Pairs between two unmapped
unknown files are left out of verification: whether they show one person is not known.

Pairs file: CSV with the header ``path_a,path_b,same_person`` (paths relative to the file's
folder; same_person 1/0, true/false or yes/no). Only verification can be measured from pairs.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lfr.domain import Subject
from lfr.enrol.folder import scan_watchlist_dir
from lfr.errors import SourceError, WatchlistError
from lfr.imaging import IMAGE_SUFFIXES
from lfr.models import sha256_file

UNKNOWN_DIR = "unknown"
UNKNOWN_PREFIX = "unknown/"
FOLDERS = "identity folders"
PAIRS = "pairs file"


class EvaluationInputError(SourceError):
    """A data set, pairs, groups, mapping or ground-truth file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Sample:
    path: Path
    relpath: str
    """Path relative to the data set's root, with forward slashes: the sample's name."""
    person: str
    """Identity key: the subject reference, or ``unknown/<file>`` for an unmapped unknown."""
    enrollable: bool
    """From an identity folder (may be put on the watchlist); False for unknown/ files."""
    subject: Subject


@dataclass(frozen=True, slots=True)
class Pair:
    a: int
    b: int
    same_person: bool


@dataclass(slots=True)
class Dataset:
    root: Path
    kind: str
    samples: list[Sample]
    pairs: list[Pair] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Files not evaluated, with why (e.g. not an image file type)."""
    unknown_mapped: bool = False
    inputs: dict[str, str] = field(default_factory=dict)
    """Other input files (pairs, groups, mapping, truth) and their SHA-256."""

    @property
    def identities(self) -> list[str]:
        return sorted({s.person for s in self.samples if s.enrollable})

    @property
    def unknown_samples(self) -> list[Sample]:
        return [s for s in self.samples if not s.enrollable]

    def relationship_known(self, a: Sample, b: Sample) -> bool:
        """Two unmapped unknown files may or may not show one person."""
        return a.enrollable or b.enrollable or self.unknown_mapped


def load_dataset(
    path: Path, unknown_dir: str = UNKNOWN_DIR, unknown_map: Path | None = None
) -> Dataset:
    if path.is_file():
        if unknown_map is not None:
            raise EvaluationInputError("--unknown-map applies to identity folders, not pairs")
        return _load_pairs(path)
    if not path.is_dir():
        raise EvaluationInputError(f"data set not found: {path}")
    return _load_folders(path, unknown_dir, unknown_map)


def _load_folders(root: Path, unknown_dir: str, unknown_map: Path | None) -> Dataset:
    try:
        folders = scan_watchlist_dir(root)
    except WatchlistError as exc:
        raise EvaluationInputError(str(exc)) from None
    mapping = _read_mapping(unknown_map) if unknown_map is not None else {}
    dataset = Dataset(root, FOLDERS, [], unknown_mapped=unknown_map is not None)
    references: dict[str, str] = {}
    for folder in folders:
        if not folder.images:
            continue
        is_unknown = folder.images[0].parent.name == unknown_dir
        if not is_unknown:
            reference = folder.subject.reference
            other = references.setdefault(reference, folder.images[0].parent.name)
            if other != folder.images[0].parent.name:
                raise EvaluationInputError(
                    f"{root}: folders {other} and {folder.images[0].parent.name} share the"
                    f" subject reference {reference}"
                )
        for image in folder.images:
            relpath = image.relative_to(root).as_posix()
            if image.suffix.lower() not in IMAGE_SUFFIXES:
                dataset.skipped.append((relpath, "not an image file type"))
                continue
            if is_unknown:
                person = mapping.get(image.name, UNKNOWN_PREFIX + image.name)
                subject = Subject(reference=person, display_name=person)
            else:
                person, subject = folder.subject.reference, folder.subject
            dataset.samples.append(Sample(image, relpath, person, not is_unknown, subject))
    clash = sorted({s.person for s in dataset.unknown_samples} & set(dataset.identities))
    if clash:
        raise EvaluationInputError(
            f"unknown/ files are mapped to identities that have a folder: {', '.join(clash)}"
        )
    unmapped = sorted(set(mapping) - {s.path.name for s in dataset.unknown_samples})
    if unmapped:
        raise EvaluationInputError(f"--unknown-map names files not in {unknown_dir}/: {unmapped}")
    if not dataset.identities:
        raise EvaluationInputError(f"{root}: no identity folder holds an image")
    if unknown_map is not None:
        dataset.inputs["unknown_map"] = sha256_file(unknown_map)
    return dataset


def _read_mapping(path: Path) -> dict[str, str]:
    rows = read_csv(path, ("file", "identity"))
    mapping = {Path(r["file"]).name: r["identity"].strip() for r in rows}
    if any(not v for v in mapping.values()):
        raise EvaluationInputError(f"{path}: empty identity")
    return {k: UNKNOWN_PREFIX + v for k, v in mapping.items()}


def _load_pairs(path: Path) -> Dataset:
    rows = read_csv(path, ("path_a", "path_b", "same_person"))
    base = path.parent
    dataset = Dataset(base, PAIRS, [])
    dataset.inputs["pairs"] = sha256_file(path)
    index: dict[Path, int] = {}
    for line, row in enumerate(rows, start=2):
        ends = []
        for key in ("path_a", "path_b"):
            image = Path(row[key].strip())
            image = image if image.is_absolute() else base / image
            if not image.is_file():
                raise EvaluationInputError(f"{path}: line {line}: no such image: {row[key]}")
            resolved = image.resolve()
            if resolved not in index:
                index[resolved] = len(dataset.samples)
                relpath = _relative(image, base)
                subject = Subject(reference=relpath, display_name=relpath)
                dataset.samples.append(Sample(image, relpath, relpath, False, subject))
            ends.append(index[resolved])
        same = _parse_bool(row["same_person"], f"{path}: line {line}")
        dataset.pairs.append(Pair(ends[0], ends[1], same))
    if not dataset.pairs:
        raise EvaluationInputError(f"{path}: no pairs")
    return dataset


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _parse_bool(text: str, where: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "y", "same"}:
        return True
    if value in {"0", "false", "no", "n", "different"}:
        return False
    raise EvaluationInputError(f"{where}: same_person must be 1/0, true/false or yes/no: {text!r}")


def read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV file with at least ``columns``; lines starting with ``#`` are comments."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(f"cannot read {path}: {exc}") from None
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    if missing:
        raise EvaluationInputError(
            f"{path}: expected the columns {', '.join(columns)}; missing {', '.join(missing)}"
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if any(not clean.get(c) for c in columns):
            raise EvaluationInputError(f"{path}: row {number}: empty {', '.join(columns)} value")
        rows.append(clean)
    return rows


def read_groups(path: Path, dataset: Dataset) -> dict[str, str]:
    """``identity,group`` rows. Unknown files are named ``unknown/<file>`` (or by their mapped
    identity). Identities the data set does not have are refused (likely a typo)."""
    rows = read_csv(path, ("identity", "group"))
    groups: dict[str, str] = {}
    people = {s.person for s in dataset.samples}
    for row in rows:
        identity = row["identity"]
        if identity not in people and UNKNOWN_PREFIX + identity in people:
            identity = UNKNOWN_PREFIX + identity
        if identity not in people:
            raise EvaluationInputError(
                f"{path}: identity {row['identity']!r} is not in the data set"
            )
        if identity in groups and groups[identity] != row["group"]:
            raise EvaluationInputError(f"{path}: identity {identity!r} is in two groups")
        groups[identity] = row["group"]
    dataset.inputs["groups"] = sha256_file(path)
    return groups


@dataclass(frozen=True, slots=True)
class Fingerprint:
    sha256: str
    files: int
    identities: int
    images: int
    unknown_images: int

    def to_json(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "method": "SHA-256 over the sorted lines '<relative path>\\t<file SHA-256>\\n'"
            " of every evaluated image",
            "files": self.files,
            "identities": self.identities,
            "images": self.images,
            "unknown_images": self.unknown_images,
        }


def fingerprint(dataset: Dataset) -> Fingerprint:
    digest = hashlib.sha256()
    for relpath, path in sorted((s.relpath, s.path) for s in dataset.samples):
        try:
            file_hash = sha256_file(path)
        except OSError as exc:
            raise EvaluationInputError(f"cannot read {path}: {exc}") from None
        digest.update(f"{relpath}\t{file_hash}\n".encode())
    return Fingerprint(
        digest.hexdigest(),
        len(dataset.samples),
        len(dataset.identities),
        len(dataset.samples),
        len(dataset.unknown_samples),
    )
