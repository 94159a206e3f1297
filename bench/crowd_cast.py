"""Who walks in the crowd clips: the photos split into enrolment and on-screen sets, and each
on-screen photo cut into a sprite (the face and its surroundings, with a soft oval edge).

A watchlisted identity with several photos is enrolled from some and shown from the others,
so a true alert needs a match across photos; an identity with a single photo is enrolled and
shown from the same photo ("same photo"). Everyone in faces/unknown/ is shown, never enrolled.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from common import IMAGE_SUFFIXES
from lfr.config import ImageLimits
from lfr.detect.dlib_hog import HogDetector
from lfr.imaging import fit_within, read_image

UNKNOWN = "unknown"
# The crop around the HOG box, in box widths/heights: hair above, chin and neck below.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 0.3, 0.55, 0.45
PHOTO_MAX_SIDE = 1600
"""Photos are shrunk to this longest side before detection, as enrolment does."""


@dataclass(frozen=True, slots=True)
class Sprite:
    """One on-screen photo: an RGB crop, its alpha, and the HOG face box inside the crop."""

    identity: str
    photo: str
    """identity/file name, as in the truth file."""
    watchlisted: bool
    same_photo: bool
    """Watchlisted and shown from the very photo it was enrolled from."""
    image: npt.NDArray[np.uint8]
    alpha: npt.NDArray[np.float32]
    face: tuple[float, float, float, float]
    """left, top, right, bottom of the face in ``image`` pixels."""


@dataclass(frozen=True, slots=True)
class Cast:
    enrol: dict[str, list[Path]]
    watchlisted: list[Sprite]
    unknown: list[Sprite]


def photos_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def split_photos(faces: Path) -> tuple[dict[str, list[Path]], dict[str, list[Path]]]:
    """Per watchlisted identity: (enrol the first half, rounded up; show the rest, or the one
    photo again when there is only one)."""
    enrol: dict[str, list[Path]] = {}
    show: dict[str, list[Path]] = {}
    for folder in sorted(p for p in faces.iterdir() if p.is_dir()):
        if folder.name == UNKNOWN or folder.name.startswith("."):
            continue
        photos = photos_in(folder)
        if not photos:
            continue
        half = math.ceil(len(photos) / 2)
        enrol[folder.name] = photos[:half]
        show[folder.name] = photos[half:] or photos[:1]
    return enrol, show


def link_enrol_set(enrol: dict[str, list[Path]], root: Path) -> Path:
    """The crowd's watchlist folder: one sub-folder per identity, its enrolment photos linked."""
    if root.exists():  # links only: the photos themselves are never touched
        shutil.rmtree(root)
    for identity, photos in enrol.items():
        (root / identity).mkdir(parents=True)
        for photo in photos:
            (root / identity / photo.name).symlink_to(photo.resolve())
    return root


def oval_alpha(height: int, width: int) -> npt.NDArray[np.float32]:
    """A feathered ellipse filling the crop: the head and a little neck, no hard rectangle."""
    mask = np.zeros((height, width), np.float32)
    centre = (width // 2, int(height * 0.47))
    cv2.ellipse(mask, centre, (int(width * 0.47), int(height * 0.48)), 0, 0, 360, 1.0, -1)
    sigma = max(1.0, 0.03 * height)
    return np.asarray(cv2.GaussianBlur(mask, (0, 0), sigma), np.float32)


def cut_sprite(
    path: Path, detector: HogDetector, watchlisted: bool, same_photo: bool
) -> Sprite | None:
    """The largest HOG face of the photo, cut generously (edges replicated past the border)."""
    image, _ = fit_within(read_image(path, ImageLimits()), PHOTO_MAX_SIDE)
    found = detector.detect(image, 0) or detector.detect(image, 1)
    if not found:
        return None
    box = max(found, key=lambda d: d.box.area).box
    left = int(box.left - MARGIN_SIDE * box.width)
    top = int(box.top - MARGIN_TOP * box.height)
    right = int(box.right + MARGIN_SIDE * box.width)
    bottom = int(box.bottom + MARGIN_BOTTOM * box.height)
    pad = max(0, -left, -top, right - image.shape[1], bottom - image.shape[0])
    padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    crop = np.ascontiguousarray(
        padded[top + pad : bottom + pad, left + pad : right + pad], np.uint8
    )
    # Past the photo's border the replicated pixels are streaks: make them transparent.
    inside = np.zeros(padded.shape[:2], np.float32)
    inside[pad : pad + image.shape[0], pad : pad + image.shape[1]] = 1.0
    inside = inside[top + pad : bottom + pad, left + pad : right + pad]
    sigma = max(1.0, 0.03 * crop.shape[0])
    alpha = oval_alpha(*crop.shape[:2]) * cv2.GaussianBlur(inside, (0, 0), sigma)
    face = (box.left - left, box.top - top, box.right - left, box.bottom - top)
    return Sprite(
        identity=path.parent.name,
        photo=f"{path.parent.name}/{path.name}",
        watchlisted=watchlisted,
        same_photo=same_photo,
        image=crop,
        alpha=np.asarray(alpha, np.float32),
        face=face,
    )


def build_cast(faces: Path, watchlist_root: Path) -> Cast:
    """Split the photos, link the enrolment set under ``watchlist_root``, cut the sprites."""
    enrol, show = split_photos(faces)
    link_enrol_set(enrol, watchlist_root)
    detector = HogDetector()
    watchlisted = [
        cut_sprite(p, detector, True, p in enrol[identity])
        for identity, photos in show.items()
        for p in photos
    ]
    unknown = [cut_sprite(p, detector, False, False) for p in photos_in(faces / UNKNOWN)]
    return Cast(
        enrol=enrol,
        watchlisted=[s for s in watchlisted if s is not None],
        unknown=[s for s in unknown if s is not None],
    )
