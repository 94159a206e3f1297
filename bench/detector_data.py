"""What the detectors section measures against, read from ../shared/data.

- ``detection/``: nine PASCAL VOC photos with every face boxed (dlib's imglab XML files), and
  ``dogs.jpg``, where every face found is a false one (``bald_guys.jpg`` has no boxes: left
  out). A found box matching a labelled one at IoU >= 0.5 is a hit, each label at most once.
- ``scenes/`` and ``edge_cases/``: no boxes, but the manifest says how many people each shows
  (a scene's ``a;b`` identities, "name says two people", one face for every edge case).
- the clip: 640x360 frames, no labels (faces found, frames with a face).
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lfr.domain import Box, Image

MATCH_IOU = 0.5


@dataclass(frozen=True, slots=True)
class Boxed:
    """A photo and the box of every face in it (none: a photo without faces)."""

    path: Path
    faces: tuple[Box, ...]


@dataclass(frozen=True, slots=True)
class Counted:
    """A photo and how many faces the manifest says it shows."""

    path: Path
    faces: int


def boxed_photos(data: Path) -> list[Boxed]:
    folder = data / "detection"
    photos: list[Boxed] = []
    for name in ("training.xml", "testing.xml"):
        for image in ET.parse(folder / name).getroot().iter("image"):
            boxes = tuple(
                Box(
                    float(b.get("left", 0)),
                    float(b.get("top", 0)),
                    float(b.get("left", 0)) + float(b.get("width", 0)),
                    float(b.get("top", 0)) + float(b.get("height", 0)),
                )
                for b in image.iter("box")
            )
            photos.append(Boxed(folder / image.get("file", ""), boxes))
    photos.append(Boxed(folder / "dogs.jpg", ()))
    return photos


def _faces_in(row: dict[str, str]) -> int | None:
    kind, identity = row["kind"], row["identity"]
    if kind == "multi_face":
        if identity == "unlabelled":
            return 2 if "two people" in row["notes"] else None
        return len(identity.split(";"))
    return 1 if kind.startswith("edge_") else None


def counted_photos(data: Path) -> list[Counted]:
    """Scenes and edge cases with the number of faces the manifest gives them."""
    with (data / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    counted = []
    for row in rows:
        faces = _faces_in(row)
        if faces is not None and row["path"].startswith(("scenes/", "edge_cases/")):
            counted.append(Counted(data / row["path"], faces))
    return counted


def clip_frames(path: Path) -> Iterator[Image]:
    """Every frame of the clip, RGB."""
    capture = cv2.VideoCapture(str(path))
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            yield np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), np.uint8)
    finally:
        capture.release()


def match(found: list[Box], labelled: tuple[Box, ...]) -> int:
    """Found boxes matching a labelled one (IoU >= 0.5), best pairs first, each used once."""
    pairs = sorted(
        ((f.iou(t), i, j) for i, f in enumerate(found) for j, t in enumerate(labelled)),
        reverse=True,
    )
    used_found: set[int] = set()
    used_labels: set[int] = set()
    for iou, i, j in pairs:
        if iou < MATCH_IOU:
            break
        if i not in used_found and j not in used_labels:
            used_found.add(i)
            used_labels.add(j)
    return len(used_labels)
