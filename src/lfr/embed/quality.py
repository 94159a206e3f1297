"""Quality gate: only big enough, sharp enough, frontal enough faces are embedded.

A poor shot gives a descriptor far from everyone (a missed alert) or, worse, close to the
wrong person; gating is cheaper than embedding (~1 ms against ~80 ms).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from lfr.config import QualityConfig
from lfr.domain import AlignedFace, Box, Quality


def sharpness(chip: np.ndarray) -> float:
    """Variance of the Laplacian of the grey chip: low for blurred or smeared faces."""
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY) if chip.ndim == 3 else chip
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def pose_from_landmarks(points: np.ndarray) -> tuple[float, float]:
    """(yaw, roll in degrees) from dlib's 5 points: two corners per eye, then the nose base.

    Yaw is the nose's offset from the midpoint between the eyes, along the eye line, in units of
    the eye distance: about 0 for a frontal face, about +/-0.5 near profile.
    """
    if points.shape[0] < 5:
        return 0.0, 0.0
    eye_a, eye_b = points[0:2].mean(axis=0), points[2:4].mean(axis=0)
    axis = eye_b - eye_a
    gap = float(np.linalg.norm(axis))
    if gap < 1e-6:
        return 1.0, 0.0
    unit = axis / gap
    yaw = float(np.dot(points[4] - (eye_a + eye_b) / 2.0, unit) / gap)
    roll = math.degrees(math.atan2(float(axis[1]), float(axis[0])))
    if roll > 90:
        roll -= 180
    elif roll < -90:
        roll += 180
    return yaw, roll


def face_size(box: Box) -> float:
    return min(box.width, box.height)


def too_small(box: Box, config: QualityConfig) -> bool:
    """What ``assess`` would refuse from the box alone, before any landmark is looked for."""
    return face_size(box) < config.min_face_px


def assess(face: AlignedFace, box: Box, config: QualityConfig) -> Quality:
    face_px = face_size(box)
    sharp = sharpness(face.chip)
    yaw, roll = pose_from_landmarks(face.landmarks)
    reason = ""
    if face_px < config.min_face_px:
        reason = f"too small ({face_px:.0f} px < {config.min_face_px} px)"
    elif sharp < config.min_sharpness:
        reason = f"too blurred (sharpness {sharp:.0f} < {config.min_sharpness:.0f})"
    elif abs(yaw) > config.max_yaw:
        reason = f"turned away (yaw {yaw:+.2f} > {config.max_yaw})"
    elif abs(roll) > config.max_roll_deg:
        reason = f"tilted (roll {roll:+.0f} deg > {config.max_roll_deg:.0f})"
    return Quality(face_px, sharp, yaw, roll, passed=not reason, reason=reason)
