"""Value types that flow between the pipeline stages.

Every type here is a frozen dataclass that holds numpy arrays or plain values only, so any
stage can be swapped behind its protocol. Boxes are in pixels of the *original* frame, as
``xyxy`` (left, top, right, bottom), whatever resolution a detector ran at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""An RGB image, height x width x 3, uint8."""

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded video frame. ``time_s`` is seconds from the start of the source."""

    image: Image
    index: int
    time_s: float
    camera: str
    captured_at: float = 0.0
    """Monotonic clock reading when the frame was read, for frame-to-alert latency."""


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    def iou(self, other: Box) -> float:
        left, top = max(self.left, other.left), max(self.top, other.top)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        inter = max(0.0, right - left) * max(0.0, bottom - top)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def scaled(self, factor: float) -> Box:
        return Box(self.left * factor, self.top * factor, self.right * factor, self.bottom * factor)


@dataclass(frozen=True, slots=True)
class Detection:
    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class AlignedFace:
    """A face cut out and aligned the way the embedder expects, with its landmarks."""

    chip: Image
    landmarks: npt.NDArray[np.float32]
    """Landmark points in original-frame pixels, shape (n, 2)."""


@dataclass(frozen=True, slots=True)
class Quality:
    face_px: float
    sharpness: float
    yaw: float
    """Nose offset from the eye midline, in inter-ocular distances (0 = frontal)."""
    roll_deg: float
    passed: bool
    reason: str = ""

    @property
    def score(self) -> float:
        """Higher is a better shot: big, sharp and frontal."""
        frontal = max(0.0, 1.0 - abs(self.yaw) * 2.0)
        return float(min(self.face_px, 200.0) * min(self.sharpness, 500.0) ** 0.5 * frontal)


@dataclass(frozen=True, slots=True)
class EmbeddingContract:
    """What a template was made with; templates of different contracts are never compared."""

    model_id: str
    weights_sha256: str
    dimension: int
    preprocessing: str
    metric: str = "euclidean"


@dataclass(frozen=True, slots=True)
class Subject:
    """A person on the watchlist, with the facts an officer needs to act on an alert."""

    reference: str
    display_name: str
    category: str = "unspecified"
    reason: str = ""
    image_source: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    subject: Subject
    embedding: Vector
    contract: EmbeddingContract
    image_name: str
    face_jpeg: bytes | bytearray
    """The enrolled face as JPEG (kept encoded: 20,000 decoded crops would take 1.3 GB); a
    ``bytearray`` when it was decrypted, so that a wipe can zero it (``lfr.wipe``)."""


@dataclass(frozen=True, slots=True)
class Match:
    template_index: int
    subject: Subject
    distance: float


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    """Created where the alert is raised, so a retried delivery never becomes a second alert."""
    subject: Subject
    distance: float
    score: float
    threshold: float
    camera: str
    time_s: float
    frame: int
    track: int
    probe_crop: Image
    enrolled_crop: Image
    enrolled_image: str
    raised_at: float = 0.0
    latency_s: float = 0.0
    """Seconds from reading the frame that completed the evidence to raising the alert."""
    probe_descriptor: Vector | None = field(default=None, compare=False, repr=False)
    """The descriptor of the probe that completed the evidence: alert evidence, sealed with the
    alert and wiped when the deployment ends; if an operator rejects the alert it becomes a
    lookalike negative (``lfr.match.negatives``). Never in a repr or a log line."""
    enrolled_jpeg: bytes | bytearray = field(default=b"", compare=False, repr=False)
    """The enrolled face as its JPEG, where the engine had it: sealed as it is, not re-encoded
    from ``enrolled_crop`` (an encoder leaves a copy of its output in memory it frees)."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The only record a run keeps of people who did not match: counts."""

    frames: int
    frames_dropped: int
    face_detections: int
    """Faces found, frame by frame: one person on screen for 40 frames is 40."""
    tracks: int
    embeddings: int
    alerts: int
    stage_ms: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0
    source_error: str | None = None
    """Set when a live source gave up (reconnects exhausted) rather than ended."""
    frames_carried: int = 0
    """Of ``frames``, those picked up too late to be searched for faces (tracks carried on)."""
    lookalikes_suppressed: int = 0
    """Tracks that would have alerted but for a lookalike negative (a face already rejected)."""


def similarity_from_distance(distance: float) -> float:
    """Map a Euclidean descriptor distance to a 0-1 score (1 = identical).

    For dlib's descriptor, distances run from 0 to about 1.2; ``1 - d`` clipped to [0, 1] keeps
    the scale readable (distance 0.5 -> score 0.5). It is not NEC's similarity scale.
    """
    return float(min(1.0, max(0.0, 1.0 - distance)))
