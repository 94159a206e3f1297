"""The detectors section: dlib's HOG, dlib's MMOD CNN and the same MMOD network on ONNX Runtime
(``mmod-onnx``), side by side in one run, as the engine runs them (frames wider than 640 px
shrunk first, ``ScaledDetector``).

1. recall and false detections on the boxed photos of ``detection/`` (at upsample 0 and 1);
2. faces found against the manifest's counts on the scenes and edge cases;
3. the clip: faces found and frames with a face, and the speed per 640x360 frame (ms, fps);
   dlib's MMOD, at seconds a frame, on every ``--mmod-every``-th frame only, the others on
   all; the three are called one after the other on each frame, so load hits them alike;
4. agreement of mmod-onnx with dlib's MMOD wherever both ran: same number of faces, box
   IoU and largest corner and confidence differences;
5. the verdict: mmod-onnx becomes the CPU default only if it runs in real time at 640 px
   (25 fps, or at least HOG's rate), else HOG stays.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from tqdm import tqdm

from detector_data import Boxed, Counted, boxed_photos, clip_frames, counted_photos, match
from lfr.detect.base import FaceDetector
from lfr.detect.dlib_hog import HogDetector
from lfr.detect.dlib_mmod import MmodDetector
from lfr.detect.mmod_onnx.detector import MmodOnnxDetector
from lfr.detect.scaled import ScaledDetector
from lfr.domain import Detection, Image
from lfr.imaging import read_image
from lfr.models import dlib_model_paths
from sections import Bench

MAX_WIDTH = 640
REAL_TIME_FPS = 25.0
HOG, MMOD, ONNX, ONNX_ONE = "dlib-hog", "dlib-mmod", "mmod-onnx", "mmod-onnx-1-thread"


@dataclass
class Agreement:
    """mmod-onnx against dlib's MMOD on every image both ran on."""

    images: int = 0
    faces: int = 0
    count_mismatches: int = 0
    min_iou: float = 1.0
    max_corner_px: float = 0.0
    max_confidence_diff: float = 0.0

    def add(self, ours: list[Detection], dlibs: list[Detection]) -> None:
        self.images += 1
        self.count_mismatches += len(ours) != len(dlibs)
        for theirs in dlibs:
            best = max(ours, key=lambda d: d.box.iou(theirs.box), default=None)
            if best is None:
                continue
            self.faces += 1
            self.min_iou = min(self.min_iou, best.box.iou(theirs.box))
            corners = zip(_corners(best), _corners(theirs), strict=True)
            self.max_corner_px = max(self.max_corner_px, *(abs(a - b) for a, b in corners))
            difference = abs(best.confidence - theirs.confidence)
            self.max_confidence_diff = max(self.max_confidence_diff, difference)

    def summary(self) -> dict[str, Any]:
        return {
            "images": self.images,
            "faces_compared": self.faces,
            "count_mismatches": self.count_mismatches,
            "min_iou": round(self.min_iou, 4),
            "max_corner_px": self.max_corner_px,
            "max_confidence_diff": float(f"{self.max_confidence_diff:.3g}"),
        }


def _corners(d: Detection) -> tuple[float, float, float, float]:
    return d.box.left, d.box.top, d.box.right, d.box.bottom


@dataclass
class Timed:
    """A detector as the engine wraps it, with the seconds of each call on the clip."""

    detector: FaceDetector
    seconds: list[float] = field(default_factory=list)

    def detect(self, image: Image, upsample: int = 0, timed: bool = False) -> list[Detection]:
        started = time.perf_counter()
        found = self.detector.detect(image, upsample)
        if timed:
            self.seconds.append(time.perf_counter() - started)
        return found


def make_detectors(threads: int) -> dict[str, Timed]:
    weights = dlib_model_paths().mmod_detector
    detectors: dict[str, FaceDetector] = {
        HOG: HogDetector(),
        MMOD: MmodDetector(weights),
        ONNX: MmodOnnxDetector(weights, threads=threads),
        ONNX_ONE: MmodOnnxDetector(weights, threads=1),
    }
    return {name: Timed(ScaledDetector(d, MAX_WIDTH)) for name, d in detectors.items()}


def boxed_scores(
    runners: dict[str, Timed], photos: list[Boxed], upsample: int, agreement: Agreement
) -> dict[str, Any]:
    """Per detector: labelled faces, hits (IoU >= 0.5), misses and false detections."""
    totals = {name: {"found": 0, "matched": 0} for name in (HOG, MMOD, ONNX)}
    labelled = sum(len(p.faces) for p in photos)
    for photo in photos:
        image = read_image(photo.path)
        found = {name: runners[name].detect(image, upsample) for name in totals}
        agreement.add(found[ONNX], found[MMOD])
        for name, boxes in found.items():
            totals[name]["found"] += len(boxes)
            totals[name]["matched"] += match([d.box for d in boxes], photo.faces)
    return {
        name: {
            "photos": len(photos),
            "labelled_faces": labelled,
            "found": t["found"],
            "matched": t["matched"],
            "missed": labelled - t["matched"],
            "false": t["found"] - t["matched"],
            "recall": round(t["matched"] / labelled, 3),
        }
        for name, t in totals.items()
    }


def counted_scores(
    runners: dict[str, Timed], photos: list[Counted], agreement: Agreement
) -> dict[str, Any]:
    """Per detector: faces found against the manifest's count, photo by photo."""
    result: dict[str, Any] = {}
    per_photo: dict[str, dict[str, int]] = {name: {} for name in (HOG, MMOD, ONNX)}
    for photo in photos:
        image = read_image(photo.path)
        found = {name: runners[name].detect(image) for name in per_photo}
        agreement.add(found[ONNX], found[MMOD])
        for name, boxes in found.items():
            per_photo[name][photo.path.name] = len(boxes)
    expected = {p.path.name: p.faces for p in photos}
    for name, counts in per_photo.items():
        result[name] = {
            "photos": len(photos),
            "faces": sum(expected.values()),
            "found": sum(min(n, expected[k]) for k, n in counts.items()),
            "missed": sum(max(0, expected[k] - n) for k, n in counts.items()),
            "extra": sum(max(0, n - expected[k]) for k, n in counts.items()),
            "per_photo": counts,
        }
    result["expected"] = expected
    return result


@dataclass
class _FrameCounts:
    frames: int = 0
    frames_with_face: int = 0
    detections: int = 0

    def add(self, found: list[Detection]) -> None:
        self.frames += 1
        self.frames_with_face += bool(found)
        self.detections += len(found)


def clip_scores(
    runners: dict[str, Timed], bench: Bench, every: int, agreement: Agreement
) -> dict[str, Any]:
    """Faces found in the clip, on every frame (HOG, mmod-onnx) and on the frames all four ran
    on; every call timed (the speed at 640 px)."""
    every_frame = {name: _FrameCounts() for name in (HOG, ONNX)}
    sampled = {name: _FrameCounts() for name in runners}
    frames = list(clip_frames(bench.clip))
    for index, frame in enumerate(tqdm(frames, desc="detectors", disable=not bench.progress)):
        names = list(runners) if index % every == 0 else list(every_frame)
        found = {name: runners[name].detect(frame, timed=True) for name in names}
        if MMOD in found:
            agreement.add(found[ONNX], found[MMOD])
            for name, boxes in found.items():
                sampled[name].add(boxes)
        for name, counts in every_frame.items():
            counts.add(found[name])
    size = f"{frames[0].shape[1]}x{frames[0].shape[0]}" if frames else "none"
    return {
        "frame_size": size,
        "frames": len(frames),
        "mmod_every": every,
        "every_frame": {name: asdict(c) for name, c in every_frame.items()},
        "sampled_frames": {name: asdict(c) for name, c in sampled.items()},
    }


def speed(runners: dict[str, Timed]) -> dict[str, Any]:
    result = {}
    for name, runner in runners.items():
        ms = [1000.0 * s for s in runner.seconds]
        median = statistics.median(ms)
        result[name] = {
            "frames": len(ms),
            "ms_per_frame_p50": round(median, 1),
            "ms_per_frame_mean": round(statistics.fmean(ms), 1),
            "fps": round(1000.0 / median, 2),
        }
    return result


def verdict(rates: dict[str, Any]) -> dict[str, Any]:
    hog, onnx = rates[HOG]["fps"], rates[ONNX]["fps"]
    real_time = onnx >= REAL_TIME_FPS or onnx >= hog
    reason = (
        f"mmod-onnx runs at {onnx:g} fps at {MAX_WIDTH} px against HOG's {hog:g} fps"
        f" ({'at least' if real_time else 'below'} {REAL_TIME_FPS:g} fps or HOG's rate)"
    )
    return {"cpu_default": ONNX if real_time else HOG, "real_time": real_time, "reason": reason}


def detectors_section(bench: Bench) -> dict[str, Any]:
    args, data = bench.args, bench.args.data
    threads = min(8, len(os.sched_getaffinity(0)))  # what the engine gives threads = 0
    runners = make_detectors(threads)
    agreement = Agreement()
    boxed = boxed_photos(data)
    result: dict[str, Any] = {
        "settings": {"max_width": MAX_WIDTH, "mmod_onnx_threads": threads},
        "boxed": {f"upsample_{u}": boxed_scores(runners, boxed, u, agreement) for u in (0, 1)},
        "counted": counted_scores(runners, counted_photos(data), agreement),
        "clip": clip_scores(runners, bench, args.mmod_every, agreement),
    }
    result["speed_640"] = speed(runners)
    result["agreement_onnx_vs_dlib_mmod"] = agreement.summary()
    result["verdict"] = verdict(result["speed_640"])
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    rates = result["speed_640"]
    bench.log.write(
        "bench: detectors at 640 px: "
        + ", ".join(f"{n} {r['ms_per_frame_p50']:.0f} ms" for n, r in rates.items())
        + f"; {result['verdict']['reason']}\n"
    )
    return result
