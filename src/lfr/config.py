"""Engine settings: validated, bounded and documented; unknown keys are refused.

Nothing here is instantiated at import time; the composition root (``lfr.app``) builds an
``EngineConfig`` from defaults, a file or command-line overrides.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DetectorConfig(_Strict):
    backend: Literal["dlib-hog", "dlib-mmod", "mmod-onnx", "onnx-yunet"] = Field(
        "dlib-hog",
        description="Face detector. MMOD is ~60x slower than HOG on a CPU; mmod-onnx is dlib's"
        " MMOD converted from its own weights and run on ONNX Runtime (dlib's boxes, ~12x"
        " faster than dlib-mmod, still ~5x slower than HOG on a CPU).",
    )
    max_width: int = Field(
        640,
        ge=160,
        le=3840,
        description="Frames wider than this are scaled down before detection. HOG finds faces of"
        " about 80 px and up at the detection resolution.",
    )
    upsample: int = Field(0, ge=0, le=2, description="Detector upsampling steps (each ~4x cost).")
    min_confidence: float = Field(0.0, ge=-2.0, le=2.0, description="Detector score cut-off.")
    model_dir: Path | None = Field(None, description="Directory of ONNX models (onnx backends).")
    threads: int = Field(
        0, ge=0, le=256, description="mmod-onnx: compute threads (0: one per CPU core)."
    )


class EmbedderConfig(_Strict):
    backend: Literal["auto", "onnx-resnet", "dlib-resnet", "onnx-sface"] = Field(
        "auto",
        description="Embedder. onnx-resnet is dlib's ResNet converted from its own weights and"
        " run on ONNX Runtime: the same descriptors (within 1e-5), about ten times faster."
        " auto: onnx-resnet when onnxruntime is installed, else dlib-resnet.",
    )
    separate_process: bool = Field(
        False,
        description="dlib-resnet only: compute descriptors in a worker process, so a live camera"
        " keeps taking frames meanwhile (costs a process and about a second to start).",
    )
    model_dir: Path | None = Field(None, description="Directory of ONNX models (onnx-sface).")
    batch_max_faces: int = Field(
        8, ge=1, le=256, description="onnx-resnet: a batch closes at this many faces ..."
    )
    batch_max_wait_ms: float = Field(
        5.0, ge=0.0, le=1000.0, description="... or this long after its first face."
    )
    threads: int = Field(
        0, ge=0, le=256, description="onnx-resnet: compute threads (0: one per CPU core)."
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto",
        description="onnx-resnet: cuda needs onnxruntime-gpu; auto uses CUDA when it is there.",
    )


class QualityConfig(_Strict):
    min_face_px: int = Field(
        60, ge=20, le=1000, description="Smallest face side, in original-frame pixels."
    )
    min_sharpness: float = Field(
        20.0, ge=0.0, description="Smallest variance of the Laplacian on the aligned face chip."
    )
    max_yaw: float = Field(
        0.35, gt=0.0, le=1.0, description="Largest nose offset from the eye midline (in eye gaps)."
    )
    max_roll_deg: float = Field(30.0, gt=0.0, le=90.0, description="Largest head tilt, degrees.")


class TrackerConfig(_Strict):
    min_iou: float = Field(0.2, gt=0.0, lt=1.0, description="Box overlap to continue a track.")
    max_missed_frames: int = Field(
        8, ge=0, le=300, description="Frames a track survives without a detection."
    )
    late_frame_ms: float = Field(
        20.0,
        ge=0.0,
        le=10_000.0,
        description="A live frame picked up this late (the camera has fallen behind its"
        " source) is not searched for faces: its tracks carry on to the next frame, instead"
        " of the source dropping frames. Files read offline are never late. 0: search every"
        " frame.",
    )


class EmbedScheduleConfig(_Strict):
    window_frames: int = Field(
        4, ge=1, le=300, description="Embed the best shot of each window of this many frames."
    )
    max_per_track: int = Field(
        8, ge=1, le=1000, description="Most embeddings computed for one track."
    )
    max_aligned_per_frame: int = Field(
        4,
        ge=0,
        le=1000,
        description="Most faces aligned in one frame (dlib's landmarks take ~4 ms a face and"
        " hold the GIL): when more tracks want a shot, as when a crowd comes into view, those"
        " aligned longest ago go first and the others wait a frame. 0: no limit.",
    )


class AlertRuleConfig(_Strict):
    threshold: float = Field(
        0.5,
        gt=0.0,
        le=1.2,
        description="Largest descriptor distance counted as a hit (dlib: 0.6 is the library's"
        " default for 1:1; 1:N against a watchlist needs stricter).",
    )
    hits_needed: int = Field(2, ge=1, le=50, description="k: hits on one subject needed ...")
    window: int = Field(3, ge=1, le=50, description="... among a track's last n embeddings.")
    cooldown_s: float = Field(
        60.0, ge=0.0, le=86400.0, description="Seconds before the same subject alerts again."
    )

    @model_validator(mode="after")
    def _k_within_n(self) -> AlertRuleConfig:
        if self.hits_needed > self.window:
            raise ValueError("hits_needed must not exceed window")
        return self


class ImageLimits(_Strict):
    """How big an image file may be before it is decoded: a few kilobytes of PNG can declare
    gigabytes of pixels, so sizes are read from the header and checked first."""

    max_pixels: int = Field(
        40_000_000,
        ge=64 * 64,
        # Below Pillow's own decompression-bomb warning (89 megapixels), which never fires then.
        le=80_000_000,
        description="Largest image (width x height, from its header), in pixels.",
    )
    max_file_bytes: int = Field(
        128 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest image file, in bytes (an uncompressed 40-megapixel image is 120 MB).",
    )
    max_request_files: int = Field(
        20, ge=1, le=100, description="Most photos in one upload to the web app."
    )
    max_request_pixels: int = Field(
        100_000_000,
        ge=64 * 64,
        le=400_000_000,
        description="Most pixels of all photos of one upload together (memory per request).",
    )

    @model_validator(mode="after")
    def _one_image_fits_a_request(self) -> ImageLimits:
        if self.max_request_pixels < self.max_pixels:
            raise ValueError("max_request_pixels must be at least max_pixels")
        return self


class EngineConfig(_Strict):
    detector: DetectorConfig = DetectorConfig()
    embedder: EmbedderConfig = EmbedderConfig()
    quality: QualityConfig = QualityConfig()
    tracker: TrackerConfig = TrackerConfig()
    embedding: EmbedScheduleConfig = EmbedScheduleConfig()
    alert: AlertRuleConfig = AlertRuleConfig()
    images: ImageLimits = ImageLimits()
    enrol_max_side: int = Field(
        1600, ge=200, le=8000, description="Enrolment images are scaled to this longest side."
    )
    enrol_detect_max_side: int = Field(
        800,
        ge=0,
        le=8000,
        description="dlib-hog: an enrolment photo's one large face is first looked for on a copy"
        " shrunk to this longest side, with the box the full search gives; other photos are"
        " searched in full. 0: always search in full.",
    )
    enrol_workers: int = Field(
        0,
        ge=0,
        le=64,
        description="Threads that read, detect and align enrolment photos while descriptors are"
        " computed in batches (0: one per CPU core; 1: one photo after another).",
    )

    def with_threshold(self, threshold: float | None) -> EngineConfig:
        if threshold is None:
            return self
        alert = AlertRuleConfig.model_validate({**self.alert.model_dump(), "threshold": threshold})
        return self.model_copy(update={"alert": alert})


class Settings(_Strict):
    """Where the governed system keeps its state. Built from the environment by the
    composition root: ``LFR_DATA_DIR`` and ``LFR_DATABASE_URL``."""

    data_dir: Path = Field(description="Keys, the SQLite database and nothing biometric in clear.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite in the data directory."
    )
    media_dirs: tuple[Path, ...] = Field(
        (),
        max_length=32,
        description="Folders a camera's local video files may come from ($LFR_MEDIA_DIR,"
        " separated by ':'); default <data dir>/media.",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str], data_dir: Path | None = None) -> Settings:
        default = Path(environ.get("HOME", ".")) / ".local" / "share" / "openlfr"
        media = environ.get("LFR_MEDIA_DIR", "")
        return cls(
            data_dir=data_dir or Path(environ.get("LFR_DATA_DIR", default)),
            database_url=environ.get("LFR_DATABASE_URL") or None,
            media_dirs=tuple(Path(part) for part in media.split(os.pathsep) if part.strip()),
        )
