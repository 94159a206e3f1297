"""The force's policy: who may be on a watchlist, why a deployment may happen, how strict the
match must be, how big a watchlist may be, and how long each artefact is kept.

Bridges v South Wales Police [2020] found the earlier framework unlawful because it left too
much discretion over WHO and WHERE; here those rules are data the services enforce.
Distances: a lower threshold is stricter. ``max_threshold`` is the loosest threshold a
deployment may use (the Met's "minimum similarity", in this model's distance units).
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class CameraSourcePolicy(BaseModel):
    """What a deployment's cameras may be (part of the policy)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_schemes: list[str] = Field(
        default_factory=lambda: ["rtsp", "rtsps", "http", "https"],
        max_length=20,
        description="URL schemes a camera stream may use.",
    )
    max_cameras: int = Field(32, ge=1, le=1000, description="Most cameras in one deployment.")
    webcams_allowed: bool = Field(
        True, description="May a camera be a webcam index (0, 1, ...) of the server?"
    )

    @field_validator("allowed_schemes")
    @classmethod
    def _schemes(cls, schemes: list[str]) -> list[str]:
        clean = [s.strip().lower() for s in schemes]
        for scheme in clean:
            if not scheme.isascii() or not scheme.isalpha() or scheme == "file":
                raise ValueError(f"not a stream scheme: {scheme!r}")
        return clean


DEFAULT_CATEGORIES = [
    "wanted for violent offences",
    "wanted for knife crime",
    "wanted for child sexual exploitation offences",
    "wanted by the courts",
    "missing or vulnerable person",
]
DEFAULT_PURPOSES = [
    "crime hotspot and its access routes",
    "protective security at an event or critical infrastructure",
    "intelligence that sought people will be present",
]


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    alert_media_days: int = Field(
        31, ge=0, le=366, description="Days an alert's probe and enrolled crops are kept."
    )
    alert_days: int = Field(
        31, ge=0, le=3660, description="Days an alert row (without media) is kept."
    )
    snapshot_hours_after_end: int = Field(
        24, ge=0, le=24, description="Latest wipe of a watchlist snapshot after its end."
    )


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CATEGORIES),
        min_length=1,
        description="Who may be put on a watchlist.",
    )
    purposes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PURPOSES),
        min_length=1,
        description="Why a deployment may happen.",
    )
    max_threshold: float = Field(
        0.5, gt=0.0, le=1.2, description="Loosest match threshold (distance) a deployment may use."
    )
    max_watchlist_size: int = Field(
        10_000, ge=1, le=1_000_000, description="Most entries a deployment's watchlist may hold."
    )
    max_entry_days: int = Field(
        31, ge=1, le=366, description="Longest time an entry may stay before it expires."
    )
    max_deployment_hours: int = Field(
        12, ge=1, le=168, description="Longest time window of one deployment."
    )
    emergency_start_allowed: bool = Field(
        False, description="May a deployment start before it is authorised (urgent cases)?"
    )
    emergency_authorisation_hours: int = Field(
        24, ge=1, le=24, description="An emergency start must be authorised within this time."
    )
    second_confirmer_required: bool = Field(
        False, description="Must a second operator confirm each match before action?"
    )
    second_verifier_off_legal_basis: str = Field(
        "",
        max_length=2000,
        description="Under the EU profile, the law that makes a second verifier disproportionate"
        " (EU AI Act Art. 14(5)); without it the second verifier cannot be switched off.",
    )
    independent_authorisation_required: bool = Field(
        False,
        description="Must an independent authority grant each deployment before it goes live?"
        " (Always, under the eu-ai-act profile.)",
    )
    eu_database_registration: str = Field(
        "",
        max_length=100,
        description="The system's EU database registration number (EU AI Act Art. 49); under"
        " the eu-ai-act profile nothing goes live without it.",
    )
    profile: str = Field(
        "uk",
        pattern="^(uk|eu-ai-act)$",
        description=(
            "The jurisdiction profile in force (lfr.governance.law.profiles): uk or eu-ai-act."
        ),
    )
    retention: RetentionPolicy = RetentionPolicy()
    camera_sources: CameraSourcePolicy = CameraSourcePolicy()

    @model_validator(mode="after")
    def _no_duplicates(self) -> Policy:
        for name in ("categories", "purposes"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name} has duplicates")
        return self

    def digest(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()
