"""Engine settings: validated, bounded and documented; unknown keys are refused.

Nothing here is instantiated at import time; the composition root (``lfr.app``) builds an
``EngineConfig`` from defaults, a file or command-line overrides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DetectorConfig(_Strict):
    backend: Literal["dlib-hog", "dlib-mmod", "onnx-yunet"] = Field(
        "dlib-hog", description="Face detector. MMOD is ~70x slower than HOG on a CPU."
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


class EmbedScheduleConfig(_Strict):
    window_frames: int = Field(
        4, ge=1, le=300, description="Embed the best shot of each window of this many frames."
    )
    max_per_track: int = Field(
        8, ge=1, le=1000, description="Most embeddings computed for one track."
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


class EngineConfig(_Strict):
    detector: DetectorConfig = DetectorConfig()
    embedder: EmbedderConfig = EmbedderConfig()
    quality: QualityConfig = QualityConfig()
    tracker: TrackerConfig = TrackerConfig()
    embedding: EmbedScheduleConfig = EmbedScheduleConfig()
    alert: AlertRuleConfig = AlertRuleConfig()
    enrol_max_side: int = Field(
        1600, ge=200, le=8000, description="Enrolment images are scaled to this longest side."
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

    @classmethod
    def from_env(cls, environ: dict[str, str], data_dir: Path | None = None) -> Settings:
        default = Path(environ.get("HOME", ".")) / ".local" / "share" / "openlfr"
        return cls(
            data_dir=data_dir or Path(environ.get("LFR_DATA_DIR", default)),
            database_url=environ.get("LFR_DATABASE_URL") or None,
        )
