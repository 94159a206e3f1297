"""What the numbers were measured on: the machine, the versions, and how busy the CPUs were.

Recorded because absolute figures on a shared VM move between runs (see README, caveats).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from common import REPO


def cpu_model_and_flags() -> tuple[str, str]:
    """The first CPU's model name and flags line from /proc/cpuinfo ("unknown", "" if absent)."""
    model, flags = "unknown", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = value
    except OSError:
        pass
    return model, flags


def git_output(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def lfr_commit() -> str:
    """The checkout's commit, flagged when src/ has changes the commit does not hold."""
    try:
        commit = git_output("rev-parse", "--short", "HEAD")
        dirty = git_output("status", "--porcelain", "--", "src")
    except OSError:
        commit, dirty = "", ""
    return commit + (" (src/ has uncommitted changes)" if dirty else "")


def baseline_version() -> str:
    try:
        return importlib.metadata.version("face_recognition")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def loadavg() -> list[float]:
    """The 1, 5 and 15-minute load averages: above the core count, something else competes."""
    return [round(x, 2) for x in os.getloadavg()]


def machine_info() -> dict[str, Any]:
    import dlib

    model, flags = cpu_model_and_flags()
    commit = lfr_commit()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "avx512f": " avx512f" in flags,
        "loadavg_at_start": loadavg(),
        "python": platform.python_version(),
        "dlib": getattr(dlib, "__version__", "?"),
        "dlib_use_blas": bool(getattr(dlib, "DLIB_USE_BLAS", False)),
        "face_recognition": baseline_version(),
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "lfr_commit": commit,
    }


def cpu_times() -> tuple[float, float, float]:
    """(total, idle, steal) jiffies over all CPUs, from /proc/stat; zeros if unreadable."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return 0.0, 0.0, 0.0
    values = [float(v) for v in fields]
    steal = values[7] if len(values) > 7 else 0.0
    return sum(values[:8]), values[3] + values[4], steal


def cpu_share(start: tuple[float, float, float]) -> dict[str, float]:
    """Busy and stolen (taken by the hypervisor for other guests) shares of CPU since start."""
    end = cpu_times()
    total = end[0] - start[0]
    if total <= 0:
        return {}
    return {
        "busy_pct": round(100.0 * (total - (end[1] - start[1])) / total, 1),
        "steal_pct": round(100.0 * (end[2] - start[2]) / total, 1),
    }
