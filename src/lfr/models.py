"""Where model weights come from, and how they are identified.

Nothing here downloads anything. The dlib weights ship in the ``face_recognition_models``
package; the optional ONNX models (YuNet, SFace) come from a directory the user supplies.
A missing or unusable model is a :class:`~lfr.errors.ModelNotInstalledError` with a one-line
message that says what is missing, where we looked and how to supply it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from lfr.errors import ModelNotInstalledError

_CHUNK = 1 << 20


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks.

    Cached per (resolved path, mtime, size), so hashing the same weights for every embedder
    instance costs one read, and a replaced file is hashed again.
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    return _sha256_cached(str(resolved), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _sha256_cached(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def require_model_file(
    model_dir: Path | None,
    filename_patterns: list[str],
    what: str,
    source: str = "the OpenCV model zoo",
) -> Path:
    """Find ``what``'s weights in ``model_dir`` or raise ModelNotInstalledError.

    ``filename_patterns`` are tried in order, case-insensitively, against the files directly
    inside ``model_dir`` (no recursion); the first pattern should be the canonical file name,
    later ones globs such as ``*yunet*.onnx``. A pattern that matches several files is an
    error rather than a guess, so the weights in use are never ambiguous.
    """
    if not filename_patterns:
        raise ValueError("filename_patterns must name at least one file")
    wanted = filename_patterns[0]
    alternatives = ", ".join(filename_patterns[1:])
    looked_for = f"{wanted} (or {alternatives})" if alternatives else wanted
    how = f"pass --model-dir DIR containing {wanted} (from {source})"

    if model_dir is None:
        raise ModelNotInstalledError(
            f"{what} needs {looked_for} but no model directory was given; {how}"
        )
    directory = Path(model_dir).expanduser()
    if not directory.is_dir():
        raise ModelNotInstalledError(
            f"{what}: model directory {directory} does not exist or is not a directory; {how}"
        )

    files = sorted(p for p in directory.iterdir() if p.is_file())
    for pattern in filename_patterns:
        matches = [p for p in files if fnmatch(p.name.lower(), pattern.lower())]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches)
            raise ModelNotInstalledError(
                f"{what}: several files in {directory} match {pattern} ({names}); "
                f"keep only one, or name it {wanted}"
            )
    raise ModelNotInstalledError(f"{what}: no {looked_for} in {directory}; {how}")


class DlibModelPaths(NamedTuple):
    shape_predictor_5: Path
    """5-point landmark predictor (shape_predictor_5_face_landmarks.dat)."""
    face_recognition_resnet: Path
    """ResNet face descriptor (dlib_face_recognition_resnet_model_v1.dat)."""
    mmod_detector: Path
    """CNN face detector (mmod_human_face_detector.dat)."""


_DLIB_FILES = DlibModelPaths(
    Path("shape_predictor_5_face_landmarks.dat"),
    Path("dlib_face_recognition_resnet_model_v1.dat"),
    Path("mmod_human_face_detector.dat"),
)


def dlib_model_paths() -> DlibModelPaths:
    """Paths of the dlib weights inside the installed ``face_recognition_models`` package.

    The package is located, not imported: its ``__init__`` imports ``pkg_resources``, which
    newer setuptools no longer ship, and some releases of the companion library call
    ``quit()`` when it is missing. Here a missing package or file is an error, never an exit.
    """
    hint = "pip install face_recognition_models==0.3.0"
    try:
        spec = importlib.util.find_spec("face_recognition_models")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ModelNotInstalledError(f"dlib model weights are not installed; {hint}")
    for location in locations:
        models = Path(location) / "models"
        paths = DlibModelPaths(*(models / name for name in _DLIB_FILES))
        if all(p.is_file() for p in paths):
            return paths
    models = Path(locations[0]) / "models"
    missing = ", ".join(str(models / n) for n in _DLIB_FILES if not (models / n).is_file())
    raise ModelNotInstalledError(
        f"face_recognition_models is installed but weights are missing ({missing}); "
        f"reinstall with: {hint} --force-reinstall"
    )


_CV_PREFIX = re.compile(r"^.*?error: \(-?\d+:[^)]*\)\s*")
_CV_FUNCTION = re.compile(r"\s*in function '[^']*'")


def describe_cv_error(exc: BaseException) -> str:
    """The useful part of a ``cv2.error`` message, on one line, without source locations."""
    text = _CV_FUNCTION.sub("", _CV_PREFIX.sub("", str(exc).strip(), count=1))
    text = " ".join(line.strip().lstrip(">").strip() for line in text.splitlines())
    return " ".join(text.split()) or type(exc).__name__
