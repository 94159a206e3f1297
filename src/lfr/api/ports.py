"""What the web app needs from the camera and face-model side, as protocols: ``lfr serve``
passes the real ones; tests pass fakes. The API itself imports no detector or embedder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from lfr.access.roles import Actor
from lfr.domain import Image, Subject, Template


class CameraControl(Protocol):
    def run(self, actor: Actor, deployment_id: int) -> None:
        """Start the cameras of a live deployment in the background (LfrError if refused)."""
        ...

    def stop(self, deployment_id: int) -> bool:
        """Stop the deployment's cameras and wait until their last counts are stored (so a
        record published next is complete); False when they were not running here."""
        ...


class FaceEnroller(Protocol):
    def enrol_array(self, image: Image, subject: Subject, image_name: str) -> Template:
        """One photo -> one template, or ``EnrolmentError`` saying why not."""
        ...


EnrollerProvider = Callable[[], FaceEnroller]
"""Builds (or returns the already built) enroller; face models load on first use."""
