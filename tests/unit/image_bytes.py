"""Image files made in memory for the decoding tests: ordinary ones through Pillow, and a real
decompression bomb (a PNG of a few kilobytes that declares gigabytes of pixels)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import numpy.typing as npt
from PIL import Image

EXIF_ORIENTATION = 0x0112


def encoded(
    pixels: npt.NDArray[Any] | Image.Image, fmt: str, orientation: int = 1, **options: Any
) -> bytes:
    picture = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    if orientation != 1:
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = orientation
        options["exif"] = exif
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit black PNG of ``width`` x ``height``; 16000 x 16000 is 31 KB on disk and
    768 MB once decoded to RGB. Built chunk by chunk so the test never holds the pixels."""
    row = (width + 7) // 8 + 1  # a filter byte, then one bit per pixel
    raw_size = row * height
    block = 1 << 20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    # After a full flush the compressor forgets the past: every zero block compresses alike.
    piece = deflate.compress(bytes(block)) + deflate.flush(zlib.Z_FULL_FLUSH)
    full, rest = divmod(raw_size, block)
    body = piece * full + deflate.compress(bytes(rest)) + deflate.flush()
    adler = ((raw_size % 65521) << 16) | 1  # Adler-32 of raw_size zero bytes
    stream = b"\x78\xda" + body + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", stream)
        + _chunk(b"IEND", b"")
    )


def png_declaring(width: int, height: int) -> bytes:
    """A PNG header declaring any size (zero included), over one empty row of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00"))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
