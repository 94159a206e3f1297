"""Small image helpers shared by enrolment, the pipeline and alert sinks (RGB in, RGB out).

Every image from outside (a web upload, an enrolment, import or evaluation folder, a folder of
stills) goes through ``decode_image``: a few kilobytes of PNG can declare gigabytes of pixels,
so the size is read from the header and checked against ``ImageLimits`` before one pixel is
decoded, and any failure is one error type, ``ImageReadError``, with a message for people.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage

from lfr.config import ImageLimits
from lfr.domain import Box, Image

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm", ".pnm"}
)
# Decoders tried on the content, whatever the file is called (phone MPO files open as JPEG);
# none of Pillow's other formats (EPS runs Ghostscript, for one) is ever tried.
FORMATS = ("JPEG", "PNG", "BMP", "WEBP", "TIFF", "PPM")
NOT_DECODABLE = "not an image (corrupt or unsupported format)"
_EXIF_ORIENTATION = 0x0112
_ORIENTED: dict[int, Callable[[Image], Image]] = {  # the EXIF orientations, as Pillow applies them
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


class ImageReadError(ValueError):
    """The file is missing, not an image, too large, or cannot be decoded (the message says)."""


class ImageTooLargeError(ImageReadError):
    """The header declares more pixels, or the file has more bytes, than allowed: refused
    before anything was decoded."""


@dataclass(frozen=True, slots=True)
class ImageHeader:
    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def read_image(path: Path, limits: ImageLimits | None = None) -> Image:
    """An image file through ``decode_image`` (default limits unless given)."""
    limits = limits or ImageLimits()
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ImageReadError(f"not an image (unsupported file type '{path.suffix or path.name}')")
    try:
        with path.open("rb") as file:
            data = file.read(limits.max_file_bytes + 1)  # never more than the limit in memory
    except OSError as exc:
        raise ImageReadError(f"unreadable ({exc.strerror or exc})") from None
    return decode_image(data, limits)


def probe_image(
    data: bytes, limits: ImageLimits, formats: tuple[str, ...] = FORMATS
) -> ImageHeader:
    """Format and size from the header alone (nothing decoded); refused if over ``limits``."""
    with _opened(data, limits, formats) as picture:
        return ImageHeader(str(picture.format), picture.width, picture.height)


def decode_image(
    data: bytes | bytearray, limits: ImageLimits, formats: tuple[str, ...] = FORMATS
) -> Image:
    """Contiguous RGB uint8 pixels, turned as the EXIF orientation says, of an image whose
    header is within ``limits``; anything else raises ``ImageReadError``."""
    with _opened(data, limits, formats) as picture:
        try:
            pixels = _rgb_pixels(picture)
            orientation = picture.getexif().get(_EXIF_ORIENTATION)
        except Exception:  # OSError, ValueError, SyntaxError, struct.error... from Pillow
            raise ImageReadError(NOT_DECODABLE) from None
    turn = _ORIENTED.get(orientation) if isinstance(orientation, int) else None
    return pixels if turn is None else np.ascontiguousarray(turn(pixels))


@contextmanager
def _opened(
    data: bytes | bytearray, limits: ImageLimits, formats: tuple[str, ...]
) -> Iterator[PILImage.Image]:
    if len(data) > limits.max_file_bytes:
        raise ImageTooLargeError(
            f"too large: the file is over the limit of {_mb(limits.max_file_bytes)}"
        )
    if not data:
        raise ImageReadError("not an image (empty file)")
    try:
        picture = PILImage.open(io.BytesIO(data), formats=formats)  # reads the header only
    except PILImage.DecompressionBombError:  # Pillow's own ceiling, far above ours
        raise ImageTooLargeError(
            f"too large: over {_megapixels(2 * (PILImage.MAX_IMAGE_PIXELS or 0))}; the limit is"
            f" {_megapixels(limits.max_pixels)} per image"
        ) from None
    except Exception:
        raise ImageReadError(NOT_DECODABLE) from None
    with picture:
        _check_size(picture.width, picture.height, limits)
        yield picture


def _check_size(width: int, height: int, limits: ImageLimits) -> None:
    if width < 1 or height < 1:
        raise ImageReadError(f"not an image (it declares {width} x {height} pixels)")
    if width * height > limits.max_pixels:
        raise ImageTooLargeError(
            f"too large: {width} x {height} pixels ({_megapixels(width * height)}); the limit is"
            f" {_megapixels(limits.max_pixels)} per image"
        )


def _rgb_pixels(picture: PILImage.Image) -> Image:
    if picture.mode == "I" or picture.mode.startswith("I;16"):
        # 16-bit grey: keep the top 8 bits as OpenCV does (Pillow's convert would clip at 255).
        grey = (np.clip(np.asarray(picture), 0, 65535) >> 8).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    rgb = picture if picture.mode == "RGB" else picture.convert("RGB")  # alpha is dropped
    return np.array(rgb, dtype=np.uint8)


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.3g} megapixels"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"


def fit_within(image: Image, max_side: int) -> tuple[Image, float]:
    """Shrink so the longest side is at most ``max_side``; returns (image, scale applied)."""
    longest = max(image.shape[:2])
    if longest <= max_side:
        return image, 1.0
    scale = max_side / longest
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(small, dtype=np.uint8), scale


def crop_around(image: Image, box: Box, margin: float = 0.3, max_side: int = 200) -> Image:
    """The face with some context, clipped to the frame and shrunk to at most ``max_side``."""
    pad_x, pad_y = box.width * margin, box.height * margin
    height, width = image.shape[:2]
    left, top = max(0, int(box.left - pad_x)), max(0, int(box.top - pad_y))
    right, bottom = min(width, int(box.right + pad_x)), min(height, int(box.bottom + pad_y))
    crop = np.ascontiguousarray(image[top:bottom, left:right])
    return fit_within(crop, max_side)[0] if crop.size else crop


def encode_jpeg(image: Image, quality: int = 90) -> bytes:
    return encode_jpeg_buffer(image, quality).tobytes()


def encode_jpeg_buffer(image: Image, quality: int = 90) -> npt.NDArray[np.uint8]:
    """The JPEG in a writable array, which whoever seals it zeroes afterwards (``lfr.wipe``):
    re-encoded at the same quality, an enrolled face comes out as nearly its enrolled bytes."""
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise ValueError("JPEG encoding failed")
    return np.asarray(buf, np.uint8).reshape(-1)


_JPEG_MAGIC = b"\xff\xd8\xff"


def decode_jpeg(data: bytes | bytearray) -> Image:
    """A face this system encoded (``encode_jpeg``) or enrolled, RGB. OpenCV reads the JPEG in
    place from ``data``, where PIL (``decode_image``, for what comes from outside) would copy
    it into a stream and read it in chunks: copies that a wipe of ``data`` could not reach."""
    if len(data) > ImageLimits().max_file_bytes or bytes(data[:3]) != _JPEG_MAGIC:
        raise ImageReadError("not a JPEG face crop")
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        raise ImageReadError("the JPEG face crop does not decode")
    return np.ascontiguousarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB))


def side_by_side(left: Image, right: Image, height: int = 200) -> Image:
    """Two faces at the same height, for an alert picture: probe on the left."""

    def _fit(img: Image) -> Image:
        scale = height / img.shape[0]
        size = (max(1, int(img.shape[1] * scale)), height)
        return np.asarray(cv2.resize(img, size), dtype=np.uint8)

    gap = np.full((height, 8, 3), 255, np.uint8)
    return np.ascontiguousarray(np.hstack([_fit(left), gap, _fit(right)]))
