from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lfr.domain import EmbeddingContract, Subject, Template
from lfr.errors import ContractMismatchError, WatchlistError
from lfr.match.watchlist import Watchlist

CONTRACT = EmbeddingContract("model-a", "ab" * 32, 3, "chip 150")


def template(ref: str, vector: list[float], contract: EmbeddingContract = CONTRACT) -> Template:
    return Template(
        Subject(ref, ref.upper(), "knife crime", "wanted", "custody photo"),
        np.array(vector, np.float32),
        contract,
        f"{ref}/1.jpg",
        b"\xff\xd8jpeg",
    )


def small_watchlist() -> Watchlist:
    return Watchlist.from_templates(
        CONTRACT,
        [template("ana", [0, 0, 1]), template("ana", [0, 0.1, 1]), template("ben", [1, 0, 0])],
    )


def test_subjects_are_grouped_and_nearest_names_the_subject() -> None:
    watchlist = small_watchlist()
    assert [s.reference for s in watchlist.subjects] == ["ana", "ben"]
    [match] = watchlist.nearest(np.array([[0.9, 0, 0.1]], np.float32))
    assert match.subject.reference == "ben"
    assert match.distance == pytest.approx(np.hypot(0.1, 0.1), abs=1e-5)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    watchlist = small_watchlist()
    path = tmp_path / "wl.npz"
    watchlist.save(path)
    loaded = Watchlist.load(path, expected=CONTRACT)
    assert loaded.digest() == watchlist.digest()
    assert loaded.template(1).face_jpeg == b"\xff\xd8jpeg"
    assert loaded.subjects[0].category == "knife crime"


def test_templates_of_another_contract_are_refused(tmp_path: Path) -> None:
    other = replace(CONTRACT, weights_sha256="cd" * 32)
    with pytest.raises(ContractMismatchError, match="weights_sha256"):
        Watchlist.from_templates(CONTRACT, [template("ana", [0, 0, 1], other)])
    path = tmp_path / "wl.npz"
    small_watchlist().save(path)
    with pytest.raises(ContractMismatchError, match="re-enrol"):
        Watchlist.load(path, expected=other)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_corrupt_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "wl.npz"
    path.write_bytes(content)
    with pytest.raises(WatchlistError, match="not a readable OpenLFR watchlist"):
        Watchlist.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="not found"):
        Watchlist.load(tmp_path / "nope.npz")


def test_twenty_thousand_templates_save_load_and_search(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    contract = replace(CONTRACT, dimension=128)
    vectors = rng.normal(size=(20_000, 128)).astype(np.float32)
    templates = [
        Template(Subject(f"s{i // 2}", f"S {i // 2}"), v, contract, f"s{i}.jpg", b"x" * 50)
        for i, v in enumerate(vectors)
    ]
    watchlist = Watchlist.from_templates(contract, templates)
    path = tmp_path / "big.npz"
    watchlist.save(path)
    loaded = Watchlist.load(path, expected=contract)
    assert loaded.size == 20_000 and len(loaded.subjects) == 10_000
    [match] = loaded.nearest(vectors[12_345][None, :])
    assert match.subject.reference == "s6172"
    assert match.distance == pytest.approx(0.0, abs=1e-3)


def test_nearest_apart_from_skips_the_excluded_subjects() -> None:
    watchlist = Watchlist.from_templates(
        CONTRACT,
        [template("ana", [1, 0, 0]), template("ben", [0.9, 0.1, 0]), template("cy", [0, 1, 0])],
    )
    probe = np.array([1, 0, 0], np.float32)
    other = watchlist.nearest_apart_from(probe, {"ana"})
    assert other is not None and other.subject.reference == "ben"
    assert other.distance == pytest.approx(np.sqrt(0.02), abs=1e-6)
    assert watchlist.nearest_apart_from(probe, {"ana", "ben", "cy"}) is None
