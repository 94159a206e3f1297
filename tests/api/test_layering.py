"""The web app stays on its side of the seams: it imports no detector, embedder, frame source
or pipeline, and importing it builds nothing (no app, settings or engine at import)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "src" / "lfr" / "api"
FORBIDDEN = (
    "lfr.detect",
    "lfr.embed",
    "lfr.ingest",
    "lfr.pipeline",
    "lfr.app",
    "lfr.match",
    "lfr.runtime",
)


def test_the_api_package_imports_no_engine_module() -> None:
    for path in API.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_importing_the_api_loads_no_backend_and_builds_nothing() -> None:
    code = (
        "import sys, lfr.api, lfr.api.app;"
        "bad = [m for m in sys.modules if m == 'dlib' or m.startswith(("
        "'lfr.app', 'lfr.pipeline', 'lfr.runtime', 'lfr.detect.dlib',"
        " 'lfr.embed.dlib', 'onnxruntime'))];"
        "print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
