"""Bad input on the command line: one line on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from lfr.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits for usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, needle: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lfr: error:") and needle in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["run"], 2, "required"),
        (["run", "clip.mp4"], 2, "--watchlist-dir"),
        (["run", "x", "--watchlist-dir", "w", "--watchlist", "f"], 2, "not allowed"),
        (["run", "x", "--watchlist-dir", "w", "--threshold", "abc"], 2, "invalid float"),
        (["run", "x", "--watchlist-dir", "w", "--threshold", "7"], 2, "threshold"),
        (["run", "x", "--watchlist-dir", "w", "--max-frames", "0"], 2, "must be positive"),
        (["fly"], 2, "invalid choice"),
    ],
)
def test_bad_arguments(capsys, argv: list[str], code: int, needle: str) -> None:  # type: ignore[no-untyped-def]
    got, out, err = run(capsys, *argv)
    assert got == code
    assert out == ""
    assert_one_line_error(err, needle)


def test_missing_source(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "run", str(tmp_path / "none.mp4"), "--watchlist-dir", "w")
    assert code == 4
    assert_one_line_error(err, "no such file")


def test_missing_watchlist_file(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "watchlist", "show", str(tmp_path / "none.npz"))
    assert code == 5
    assert_one_line_error(err, "not found")


def test_unknown_setting_in_config_file_is_refused(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "engine.toml"
    config.write_text("[alert]\nthreshhold = 0.4\n")
    code, _, err = run(capsys, "run", "x", "--watchlist-dir", "w", "--config", str(config))
    assert code == 2
    assert_one_line_error(err, "alert.threshhold")


def test_unreadable_config_file(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "engine.json"
    config.write_text("{not json")
    code, _, err = run(capsys, "run", "x", "--watchlist-dir", "w", "--config", str(config))
    assert code == 1
    assert_one_line_error(err, "cannot read config")
