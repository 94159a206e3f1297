"""The command line end to end, with the real models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.e2e.conftest import CLIP


def lfr(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``lfr ARGS`` in ``cwd`` (also its HOME and TMPDIR), with ``env`` added to ours."""
    return subprocess.run(
        [sys.executable, "-m", "lfr", *args],
        cwd=cwd,
        env={**os.environ, "HOME": str(cwd), "TMPDIR": str(cwd), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_demo_needs_no_data_and_writes_nothing(tmp_path: Path) -> None:
    result = lfr("demo", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    alerts = [r for r in records if r["type"] == "alert"]
    assert [a["subject"] for a in alerts] == ["DEMO-0001"]
    assert records[-1]["type"] == "summary" and records[-1]["frames"] > 100
    assert list(tmp_path.iterdir()) == []


def test_enrol_to_file_then_run_human_output(watchlist_dir: Path, tmp_path: Path) -> None:
    enrolled = lfr("watchlist", "enrol", str(watchlist_dir), "--out", "wl.npz", cwd=tmp_path)
    assert enrolled.returncode == 0, enrolled.stderr
    shown = lfr("watchlist", "show", "wl.npz", cwd=tmp_path)
    assert "6 subjects, 16 templates" in shown.stdout
    assert "dlib_face_recognition_resnet_model_v1" in shown.stdout
    result = lfr("run", str(CLIP), "--watchlist", "wl.npz", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ALERT") == 1
    assert "Lin Manuel Miranda" in result.stdout and "1 alert(s)" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wl.npz"]
