"""Real models on real faces: ../shared/data (development and CI only; never copied here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lfr.access.services import Services
from lfr.app import build_engine, build_services, init_data_dir
from lfr.config import EngineConfig, Settings
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, enrol_watchlist

REPO = Path(__file__).resolve().parents[2]


def _find_data() -> Path:
    """$LFR_TEST_DATA, else ../shared/data beside the checkout (or beside its origin, for a
    clean clone made elsewhere), else the workplace's shared folder."""
    if "LFR_TEST_DATA" in os.environ:
        return Path(os.environ["LFR_TEST_DATA"])
    candidates = [REPO.parent / "shared" / "data", Path("/work/shared/data")]
    return next((c for c in candidates if c.is_dir()), candidates[0])


DATA = _find_data()
CLIP = DATA / "video" / "short_hamilton_clip.mp4"
LIN = "lin_manuel_miranda"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def data() -> Path:
    if not CLIP.is_file():
        pytest.fail(f"test data not found at {DATA} (set LFR_TEST_DATA)", pytrace=False)
    return DATA


@pytest.fixture(scope="session")
def watchlist_dir(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every identity folder of faces/ except unknown/, linked (not copied)."""
    root = tmp_path_factory.mktemp("watchlist")
    for folder in sorted((data / "faces").iterdir()):
        if folder.is_dir() and folder.name != "unknown":
            (root / folder.name).symlink_to(folder)
    return root


@pytest.fixture(scope="session")
def engine() -> Engine:
    return build_engine(EngineConfig())


@pytest.fixture(scope="session")
def watchlist(engine: Engine, watchlist_dir: Path) -> Watchlist:
    return enrol_watchlist(engine, watchlist_dir, progress=False)[0]


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Services]:
    """A control centre's services on a fresh data directory (SQLite), the clip's folder
    allowed as camera media: the edge-node tests' centre."""
    settings = Settings(data_dir=tmp_path / "centre", database_url=None)
    init_data_dir(settings)
    services = replace(build_services(settings, {}), media_dirs=(CLIP.parent,))
    yield services
    services.db.dispose()
