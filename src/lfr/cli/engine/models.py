"""``lfr models convert`` and ``lfr models check``: dlib's ResNet as ONNX, and the proof
that it gives dlib's descriptors.

``convert`` writes the graph converted from the installed dlib weights to a file, for other
tools (the engine converts in memory and writes nothing). ``check`` embeds the built-in demo
portrait and, when a folder is given, every face the HOG detector finds in its photos, with
both backends, and fails unless no descriptor element differs by more than :data:`TOLERANCE`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lfr.cli.argtypes import positive_int
from lfr.domain import Image
from lfr.errors import LfrError

TOLERANCE = 1e-5
"""Descriptor elements are ~0.1 and the match threshold is a distance of 0.6."""
_MAX_SIDE = 1600


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``models`` command and its sub-commands."""
    parser = commands.add_parser("models", help="convert and check the face models")
    models = parser.add_subparsers(dest="models_command", required=True)
    convert = models.add_parser(
        "convert",
        help="convert dlib's face descriptor ResNet (or MMOD face detector) to ONNX",
        description="Convert the installed dlib_face_recognition_resnet_model_v1.dat to ONNX"
        " (input: uint8 RGB chips N x 150 x 150 x 3; output: 128-d descriptors), or with"
        " --detector mmod_human_face_detector.dat (input: the float32 tiled image pyramid"
        " N x 3 x rows x cols; output: the score map of each detector window).",
    )
    convert.add_argument(
        "--out", type=Path, metavar="FILE", required=True, help="where to write it (.onnx)"
    )
    convert.add_argument(
        "--detector", action="store_true", help="convert the MMOD face detector instead"
    )
    convert.set_defaults(handler=run_convert)
    check = models.add_parser(
        "check",
        help="prove the ONNX ResNet gives dlib's descriptors",
        description="Embed faces with dlib and with the ONNX conversion and print the largest"
        f" absolute difference; exit 1 when it exceeds {TOLERANCE:g}.",
    )
    check.add_argument(
        "folder",
        type=Path,
        nargs="?",
        help="also check every face found in the photos under this folder",
    )
    check.add_argument(
        "--threads", type=positive_int, default=1, help="onnxruntime threads (default %(default)s)"
    )
    check.set_defaults(handler=run_check)


def run_convert(args: argparse.Namespace) -> int:
    from lfr.models import dlib_model_paths

    if args.detector:
        from lfr.detect.mmod_onnx.convert import convert as convert_detector

        print(f"wrote {convert_detector(dlib_model_paths().mmod_detector, args.out)}")
        return 0
    from lfr.embed.resnet_onnx.convert import convert

    print(f"wrote {convert(dlib_model_paths().face_recognition_resnet, args.out)}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from lfr.embed.resnet_onnx.embedder import OnnxResnetEmbedder, max_abs_difference

    chips = demo_chips() + (folder_chips(args.folder) if args.folder is not None else [])
    onnx = OnnxResnetEmbedder.from_installed(threads=args.threads)
    difference = max_abs_difference(chips, onnx_embedder=onnx)
    print(f"faces checked: {len(chips)}")
    print(f"largest absolute difference dlib vs ONNX: {difference:.3g} (tolerance {TOLERANCE:g})")
    if difference > TOLERANCE:
        raise LfrError(
            f"the ONNX model ({onnx.model_source}) does not reproduce dlib's descriptors "
            f"(difference {difference:.3g} > {TOLERANCE:g}); set [embedder] backend ="
            ' "dlib-resnet" until this is resolved'
        )
    print("ok: the ONNX model gives dlib's descriptors")
    return 0


def demo_chips() -> list[Image]:
    from lfr.app import demo_face_chips

    return demo_face_chips()


def folder_chips(folder: Path) -> list[Image]:
    """An aligned chip for every face in every photo under ``folder``; unreadable files are
    skipped with a note."""
    from lfr.config import ImageLimits
    from lfr.imaging import IMAGE_SUFFIXES, ImageReadError, fit_within, read_image

    if not folder.is_dir():
        raise LfrError(f"{folder} is not a folder")
    limits = ImageLimits()
    images: list[Image] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        try:
            images.append(fit_within(read_image(path, limits), _MAX_SIDE)[0])
        except ImageReadError as exc:
            print(f"skipped {path}: {exc}")
    return _chips_of(images)


def _chips_of(images: list[Image]) -> list[Image]:
    from lfr.detect.dlib_hog import HogDetector
    from lfr.embed.dlib_resnet import DlibAligner
    from lfr.models import dlib_model_paths

    detector = HogDetector()
    aligner = DlibAligner(dlib_model_paths().shape_predictor_5)
    chips: list[Image] = []
    for image in images:
        found = detector.detect(image, 0) or detector.detect(image, 1)
        chips.extend(aligner.align(image, d.box).chip for d in found)
    return chips
