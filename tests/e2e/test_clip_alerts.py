"""The watchlisted person in the real clip raises exactly one alert; nobody else raises any."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lfr.domain import Alert
from lfr.ingest.video_file import VideoFileSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source
from tests.e2e.conftest import CLIP, LIN


def scan(engine: Engine, watchlist: Watchlist, data: Path) -> tuple[list[Alert], object]:
    alerts: list[Alert] = []
    summary = run_source(engine, VideoFileSource(CLIP, camera="hamilton"), watchlist, alerts.append)
    return alerts, summary


def test_every_identity_enrols(watchlist: Watchlist) -> None:
    assert watchlist.size == 16
    assert len(watchlist.subjects) == 6


def test_lin_manuel_miranda_raises_exactly_one_alert(
    engine: Engine, watchlist: Watchlist, data: Path
) -> None:
    alerts, summary = scan(engine, watchlist, data)
    assert [a.subject.reference for a in alerts] == [LIN]
    alert = alerts[0]
    assert alert.distance <= alert.threshold == engine.config.alert.threshold
    assert alert.camera == "hamilton"
    assert 2.5 < alert.time_s < 7.5  # he faces the camera from about 2.8 s to 7 s
    assert alert.enrolled_image.startswith(f"{LIN}/")
    assert alert.probe_crop.shape[0] >= 60 and alert.enrolled_crop.shape[0] >= 60
    assert summary.frames == 275  # type: ignore[attr-defined]
    assert summary.tracks >= 2  # type: ignore[attr-defined]  # Lin and the other person


def test_no_alert_with_lin_off_the_watchlist(
    engine: Engine, watchlist_dir: Path, data: Path, tmp_path: Path
) -> None:
    from lfr.pipeline.engine import enrol_watchlist

    others = tmp_path / "others"
    others.mkdir()
    for folder in watchlist_dir.iterdir():
        if folder.name != LIN:
            (others / folder.name).symlink_to(folder.resolve())
    watchlist, _ = enrol_watchlist(engine, others, progress=False)
    alerts, summary = scan(engine, watchlist, data)
    assert alerts == []
    assert summary.face_detections > 100  # type: ignore[attr-defined]  # faces were there to see


def test_a_stricter_threshold_loses_the_alert_a_looser_one_keeps_it(
    engine: Engine, watchlist: Watchlist, data: Path
) -> None:
    """Was ``e2e/test_cli_flows.py``'s, through two ``lfr run --threshold`` processes; the flag
    itself is parsed in ``unit/cli/test_engine_args.py``."""
    for threshold, expected in ((0.3, []), (0.6, [LIN])):
        alert_config = engine.config.alert.model_copy(update={"threshold": threshold})
        at = replace(engine, config=engine.config.model_copy(update={"alert": alert_config}))
        alerts, _ = scan(at, watchlist, data)
        assert [a.subject.reference for a in alerts] == expected, threshold
        assert all(a.threshold == threshold for a in alerts)
