"""Reading data sets, pairs, groups, mappings; the fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lfr.evaluate.dataset import (
    FOLDERS,
    PAIRS,
    EvaluationInputError,
    fingerprint,
    load_dataset,
    read_groups,
)


def make(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


FILES = {
    "alice/1.jpg": b"a1",
    "alice/2.png": b"a2",
    "alice/notes.txt": b"not a photo",
    "bob/1.jpg": b"b1",
    "unknown/x.jpg": b"x",
    "unknown/y.jpg": b"y",
}


def test_identity_folders(tmp_path: Path) -> None:
    dataset = load_dataset(make(tmp_path, FILES))
    assert dataset.kind == FOLDERS
    assert dataset.identities == ["alice", "bob"]
    assert [s.relpath for s in dataset.samples] == [
        "alice/1.jpg",
        "alice/2.png",
        "bob/1.jpg",
        "unknown/x.jpg",
        "unknown/y.jpg",
    ]
    unknown = dataset.unknown_samples
    assert [s.person for s in unknown] == ["unknown/x.jpg", "unknown/y.jpg"]  # each their own
    assert not any(s.enrollable for s in unknown)
    assert dataset.skipped == [("alice/notes.txt", "not an image file type")]
    assert not dataset.relationship_known(unknown[0], unknown[1])
    assert dataset.relationship_known(unknown[0], dataset.samples[0])


def test_unknown_mapping(tmp_path: Path) -> None:
    root = make(tmp_path / "data", FILES)
    mapping = tmp_path / "map.csv"
    mapping.write_text("file,identity\nx.jpg,carol\ny.jpg,carol\n")
    dataset = load_dataset(root, unknown_map=mapping)
    assert [s.person for s in dataset.unknown_samples] == ["unknown/carol", "unknown/carol"]
    assert dataset.relationship_known(*dataset.unknown_samples)
    assert "unknown_map" in dataset.inputs
    mapping.write_text("file,identity\nz.jpg,carol\n")
    with pytest.raises(EvaluationInputError, match="not in unknown"):
        load_dataset(root, unknown_map=mapping)


def test_fingerprint_by_hand(tmp_path: Path) -> None:
    dataset = load_dataset(make(tmp_path, FILES))
    lines = "".join(
        f"{name}\t{hashlib.sha256(FILES[name]).hexdigest()}\n"
        for name in sorted(n for n in FILES if not n.endswith(".txt"))
    )
    result = fingerprint(dataset)
    assert result.sha256 == hashlib.sha256(lines.encode()).hexdigest()
    assert (result.identities, result.images, result.unknown_images) == (2, 5, 2)
    (tmp_path / "bob" / "1.jpg").write_bytes(b"changed")
    assert fingerprint(load_dataset(tmp_path)).sha256 != result.sha256


def test_pairs_file(tmp_path: Path) -> None:
    make(tmp_path, {"p/a.jpg": b"a", "p/b.jpg": b"b", "p/c.jpg": b"c"})
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "# a comment\npath_a,path_b,same_person\np/a.jpg,p/b.jpg,1\np/a.jpg,p/c.jpg,no\n"
    )
    dataset = load_dataset(pairs)
    assert dataset.kind == PAIRS
    assert [s.relpath for s in dataset.samples] == ["p/a.jpg", "p/b.jpg", "p/c.jpg"]
    assert [(p.a, p.b, p.same_person) for p in dataset.pairs] == [(0, 1, True), (0, 2, False)]
    assert "pairs" in dataset.inputs


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a,b\nx,y\n", "expected the columns"),
        ("path_a,path_b,same_person\np/a.jpg,p/missing.jpg,1\n", "no such image"),
        ("path_a,path_b,same_person\np/a.jpg,p/a.jpg,maybe\n", "same_person"),
        ("path_a,path_b,same_person\n", "no pairs"),
    ],
)
def test_bad_pairs_files(tmp_path: Path, text: str, needle: str) -> None:
    make(tmp_path, {"p/a.jpg": b"a"})
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(text)
    with pytest.raises(EvaluationInputError, match=needle):
        load_dataset(pairs)


def test_missing_or_empty_data_sets(tmp_path: Path) -> None:
    with pytest.raises(EvaluationInputError, match="not found"):
        load_dataset(tmp_path / "nope")
    with pytest.raises(EvaluationInputError, match="no subject sub-folders"):
        load_dataset(tmp_path)
    make(tmp_path, {"unknown/x.jpg": b"x"})
    with pytest.raises(EvaluationInputError, match="no identity folder"):
        load_dataset(tmp_path)


def test_groups(tmp_path: Path) -> None:
    dataset = load_dataset(make(tmp_path / "data", FILES))
    groups = tmp_path / "groups.csv"
    groups.write_text("identity,group\nalice,G1\nbob,G2\nx.jpg,G1\n")
    assert read_groups(groups, dataset) == {"alice": "G1", "bob": "G2", "unknown/x.jpg": "G1"}
    groups.write_text("identity,group\nmallory,G1\n")
    with pytest.raises(EvaluationInputError, match="not in the data set"):
        read_groups(groups, dataset)
    groups.write_text("identity,group\nalice,G1\nalice,G2\n")
    with pytest.raises(EvaluationInputError, match="two groups"):
        read_groups(groups, dataset)
